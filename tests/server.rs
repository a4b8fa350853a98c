//! The language server through its protocol: a session's messages are written as a client would
//! send them, served by `anyio_lint::serve_lsp` on in-memory streams, and its answers read back.
//! (The editors' own clients drive the binary in tests/editor_clients.rs.)

mod common;

use std::io::Cursor;
use std::path::Path;

use serde_json::{Value, json};

/// A client's side of a session: the messages to send, in order.
struct Session {
    input: Vec<u8>,
    next_id: i64,
}

/// What the server wrote, and how it ended.
struct Served {
    messages: Vec<Value>,
    code: u8,
}

impl Session {
    fn new() -> Session {
        Session {
            input: Vec::new(),
            next_id: 0,
        }
    }

    /// A session initialized for `root` with these client capabilities and options.
    fn initialized(root: &Path, capabilities: Value, options: Value) -> Session {
        let mut session = Session::new();
        session.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        session.notify("initialized", json!({}));
        session
    }

    fn raw(&mut self, body: &[u8]) {
        self.input
            .extend(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.input.extend(body);
    }

    fn send(&mut self, message: Value) {
        self.raw(message.to_string().as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri(path), "languageId": "python", "version": 1, "text": text,
            }}),
        );
    }

    /// Shut down, exit, and serve everything sent.
    fn serve(mut self) -> Served {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.serve_as_is()
    }

    fn serve_as_is(self) -> Served {
        let mut output = Vec::new();
        let code = anyio_lint::serve_lsp(Cursor::new(self.input), &mut output);
        Served {
            messages: read_messages(&output),
            code,
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn read_messages(mut output: &[u8]) -> Vec<Value> {
    let mut messages = Vec::new();
    while !output.is_empty() {
        let header_end = output
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a header block");
        let header = std::str::from_utf8(&output[..header_end]).unwrap();
        let length: usize = header
            .strip_prefix("Content-Length: ")
            .expect("a Content-Length header")
            .parse()
            .unwrap();
        let body = &output[header_end + 4..header_end + 4 + length];
        messages.push(serde_json::from_slice(body).expect("a JSON body"));
        output = &output[header_end + 4 + length..];
    }
    messages
}

impl Served {
    fn response(&self, id: i64) -> &Value {
        self.messages
            .iter()
            .find(|m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to request {id} in {:#?}", self.messages))
    }

    fn result(&self, id: i64) -> &Value {
        let response = self.response(id);
        assert!(response.get("error").is_none(), "{response:#}");
        &response["result"]
    }

    fn notifications(&self, method: &str) -> Vec<&Value> {
        self.messages
            .iter()
            .filter(|m| m["method"] == method && m.get("id").is_none())
            .map(|m| &m["params"])
            .collect()
    }

    /// The last diagnostics published for `path`.
    fn diagnostics(&self, path: &Path) -> Vec<Value> {
        let uri = uri(path);
        self.notifications("textDocument/publishDiagnostics")
            .into_iter()
            .rfind(|p| p["uri"] == uri.as_str())
            .unwrap_or_else(|| panic!("no diagnostics published for {uri}"))["diagnostics"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect()
}

fn range(diagnostic: &Value) -> [u64; 4] {
    let r = &diagnostic["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

const SLEEP: &str =
    "import asyncio\n\n\nasync def main():\n    x = 'é😀'\tor 1; await asyncio.sleep(1)\n";

#[test]
fn the_lifecycle_is_the_protocols() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = Session::new();
    let early = session.request("textDocument/hover", json!({}));
    session.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir.path()), "capabilities": {}}),
    );
    let again = session.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let unknown = session.request("workspace/symbol", json!({"query": ""}));
    let served = session.serve();
    assert_eq!(served.response(early)["error"]["code"], -32002);
    let capabilities = &served.result(2)["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["hoverProvider"], true);
    assert!(capabilities.get("diagnosticProvider").is_none());
    assert_eq!(served.response(again)["error"]["code"], -32600);
    assert_eq!(served.response(unknown)["error"]["code"], -32601);
    assert_eq!(served.code, 0, "exit after shutdown");

    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.notify("exit", Value::Null);
    assert_eq!(session.serve_as_is().code, 1, "exit without shutdown");
}

#[test]
fn findings_are_positioned_in_utf16_by_default_and_utf8_when_negotiated() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    // CRLF line breaks, a tab and characters outside the BMP before the finding.
    let text = SLEEP.replace('\n', "\r\n");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, &text);
    let served = session.serve();
    let found = served.diagnostics(&file);
    assert_eq!(codes(&found), ["AIO101"]);
    // `    x = 'é😀'\tor 1; await ` is 26 UTF-16 units (é: 1, 😀: 2).
    assert_eq!(range(&found[0]), [4, 26, 4, 42]);
    assert_eq!(found[0]["severity"], 2);
    assert_eq!(found[0]["source"], "anyio-lint");

    let utf8 = json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}});
    let mut session = Session::initialized(dir.path(), utf8, Value::Null);
    session.open(&file, &text);
    let served = session.serve();
    assert_eq!(
        served.result(1)["capabilities"]["positionEncoding"],
        "utf-8"
    );
    // é is 2 bytes and 😀 4.
    assert_eq!(range(&served.diagnostics(&file)[0]), [4, 29, 4, 45]);
}

#[test]
fn unsaved_changes_are_checked_and_published_with_their_version() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, "import asyncio\n");
    session.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri(&file), "version": 2},
            "contentChanges": [{
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
                "text": "asyncio.run(main())\n",
            }],
        }),
    );
    let served = session.serve();
    let published = served.notifications("textDocument/publishDiagnostics");
    let last = published.last().unwrap();
    assert_eq!(last["version"], 2);
    assert_eq!(codes(last["diagnostics"].as_array().unwrap()), ["AIO201"]);
}

#[test]
fn a_document_that_does_not_parse_gets_its_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, "import asyncio\nasyncio.sleep(\n");
    let served = session.serve();
    let found = served.diagnostics(&file);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("SyntaxError")
    );
    assert_eq!(found[0]["severity"], 1);
}

#[test]
fn quick_fixes_noqa_and_fix_all_edit_as_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let text = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n\n\nasyncio.run(main())\n";
    let at_sleep =
        json!({"start": {"line": 4, "character": 12}, "end": {"line": 4, "character": 12}});
    let at_run = json!({"start": {"line": 7, "character": 2}, "end": {"line": 7, "character": 2}});
    let context = json!({"diagnostics": []});
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, text);
    let doc = json!({"uri": uri(&file)});
    let sleep = session.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": at_sleep, "context": context}),
    );
    let run = session.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": at_run, "context": context}),
    );
    let fix_all = session.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": at_sleep,
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let served = session.serve();
    let titles = |id| -> Vec<String> {
        served
            .result(id)
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        titles(sleep),
        [
            "AIO101: Replace with `anyio.sleep(1)`",
            "AIO101: suppress with `# noqa: AIO101`",
            "anyio-lint: apply all safe fixes",
        ]
    );
    // AIO201's fix is unsafe: not offered unless unsafe fixes are on.
    assert_eq!(
        titles(run),
        [
            "AIO201: suppress with `# noqa: AIO201`",
            "anyio-lint: apply all safe fixes"
        ]
    );
    let noqa = &served.result(sleep)[1]["edit"]["changes"][uri(&file)][0];
    assert_eq!(noqa["newText"], "  # noqa: AIO101");
    assert_eq!(noqa["range"]["start"], json!({"line": 4, "character": 26}));
    // Fix-all is one edit of the whole document, to what `--fix` writes.
    let actions = served.result(fix_all).as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["kind"], "source.fixAll.anyio-lint");
    let edit = &actions[0]["edit"]["changes"][uri(&file)][0];
    assert_eq!(range(edit), [0, 0, 8, 0]);
    std::fs::write(&file, text).unwrap();
    common::run(
        dir.path(),
        &["check", "--fix", "--quiet", "--exit-zero", "a.py"],
    );
    assert_eq!(edit["newText"], std::fs::read_to_string(&file).unwrap());

    let options = json!({"unsafeFixes": true});
    let mut session = Session::initialized(dir.path(), json!({}), options);
    session.open(&file, text);
    let run = session.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": at_run, "context": context}),
    );
    let served = session.serve();
    let first = &served.result(run)[0];
    assert!(
        first["title"].as_str().unwrap().ends_with("(unsafe fix)"),
        "{first:#}"
    );
    assert_eq!(first["isPreferred"], false);
}

#[test]
fn hover_on_a_code_shows_its_rules_documentation() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let text = "import asyncio\nasyncio.sleep(1)  # noqa: AIO101\nasyncio.run(main())\n";
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, text);
    let doc = json!({"uri": uri(&file)});
    let on_code = session.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": {"line": 1, "character": 29}}),
    );
    let on_finding = session.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": {"line": 2, "character": 3}}),
    );
    let elsewhere = session.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": {"line": 0, "character": 3}}),
    );
    let served = session.serve();
    let page = served.result(on_code)["contents"]["value"]
        .as_str()
        .unwrap();
    assert!(page.contains("(AIO101)"), "{page}");
    let page = served.result(on_finding)["contents"]["value"]
        .as_str()
        .unwrap();
    assert!(page.contains("(AIO201)"), "{page}");
    assert!(served.result(elsewhere).is_null());
}

#[test]
fn the_configuration_on_disk_governs_and_is_read_again_when_it_changes() {
    let dir = common::project(&[
        ("sub/anyio-lint.toml", b"ignore = [\"AIO\"]\n"),
        ("sub/a.py", b""),
    ]);
    let file = dir.path().join("sub/a.py");
    let config = dir.path().join("sub/anyio-lint.toml");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, SLEEP);
    let before = session.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&file)},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    let mut served = session.serve();
    assert!(served.diagnostics(&file).is_empty());
    assert_eq!(served.result(before), &json!([]));

    // The configuration changes on disk: the client says so, and the document is checked again.
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&file, SLEEP);
    let input_before_change = session.input.len();
    std::fs::write(&config, "select = [\"AIO\"]\n").unwrap();
    session.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert!(session.input.len() > input_before_change);
    served = session.serve();
    assert_eq!(codes(&served.diagnostics(&file)), ["AIO101"]);
}

#[test]
fn a_broken_configuration_is_reported_and_other_folders_are_still_served() {
    let dir = common::project(&[
        ("broken/anyio-lint.toml", b"select = [\"AIO\"\nignore = 3\n"),
        ("fine/b.py", b""),
    ]);
    let broken = dir.path().join("broken/a.py");
    let fine = dir.path().join("fine/b.py");
    let config = dir.path().join("broken/anyio-lint.toml");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.open(&broken, SLEEP);
    session.open(&fine, SLEEP);
    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&broken)}, "position": {"line": 4, "character": 40}}),
    );
    let served = session.serve();
    let shown = served.notifications("window/showMessage");
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert_eq!(shown[0]["type"], 1);
    assert!(
        shown[0]["message"]
            .as_str()
            .unwrap()
            .contains("broken/anyio-lint.toml"),
        "{shown:#?}"
    );
    let on_config = served.diagnostics(&config);
    assert_eq!(on_config.len(), 1);
    assert_eq!(on_config[0]["range"]["start"]["line"], 1);
    assert!(served.diagnostics(&broken).is_empty());
    assert_eq!(codes(&served.diagnostics(&fine)), ["AIO101"]);
    assert!(served.result(hover).is_null());
}

#[test]
fn pulled_diagnostics_answer_the_request_and_say_when_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let capabilities = json!({"textDocument": {"diagnostic": {}}});
    let mut session = Session::initialized(dir.path(), capabilities, Value::Null);
    session.open(&file, SLEEP);
    let doc = json!({"uri": uri(&file)});
    let first = session.request("textDocument/diagnostic", json!({"textDocument": doc}));
    let served = session.serve();
    let report = served.result(first);
    assert_eq!(report["kind"], "full");
    assert_eq!(codes(report["items"].as_array().unwrap()), ["AIO101"]);
    assert!(
        served
            .notifications("textDocument/publishDiagnostics")
            .is_empty()
    );
    let result_id = report["resultId"].clone();

    let mut session = Session::initialized(
        dir.path(),
        json!({"textDocument": {"diagnostic": {}}}),
        Value::Null,
    );
    session.open(&file, SLEEP);
    let again = session.request(
        "textDocument/diagnostic",
        json!({"textDocument": doc, "previousResultId": result_id}),
    );
    let served = session.serve();
    assert_eq!(served.result(again)["kind"], "unchanged");
}

#[test]
fn malformed_messages_are_answered_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.py");
    let mut session = Session::initialized(dir.path(), json!({}), Value::Null);
    session.raw(b"{not json");
    session.raw(b"[1, 2]");
    session.input.extend(b"Content-Length: lots\r\n\r\n");
    let wrong = session.request("textDocument/codeAction", json!({"textDocument": 3}));
    let no_params = session.request("textDocument/hover", Value::Null);
    // Notifications with wrong parameters are dropped.
    session.notify("textDocument/didOpen", json!({"textDocument": {"uri": 1}}));
    session.notify("textDocument/didChange", json!("text"));
    // A change to a document that is not open, with a range past its end.
    session.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 3},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 99},
                                            "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    session.open(&file, SLEEP);
    session.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 99},
                                            "end": {"line": 0, "character": 4000000000u32}},
                                   "text": "\n"}]}),
    );
    let hover = session.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 4000000000u32, "character": 4000000000u32}}),
    );
    let served = session.serve();
    let parse_errors = served
        .messages
        .iter()
        .filter(|m| m["id"].is_null() && m["error"]["code"] == -32700)
        .count();
    assert_eq!(parse_errors, 3);
    assert_eq!(served.response(wrong)["error"]["code"], -32602);
    assert_eq!(served.response(no_params)["error"]["code"], -32602);
    assert!(served.result(hover).is_null());
    assert_eq!(served.code, 0);
}
