//! A language-server session made from arbitrary bytes: after `initialize` and a document
//! opened, each line of the input becomes one message (its first byte picks the method, the rest
//! is the parameters when it is JSON, else a body made from it: positions, ranges and text taken
//! from the bytes), and a line starting with `!` is sent as a raw body. No message may make the
//! server panic (a panic in a handler aborts under the fuzzer before it could be caught), and
//! the session must end as the protocol says.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

const METHODS: &[&str] = &[
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "textDocument/didSave",
    "textDocument/codeAction",
    "textDocument/hover",
    "textDocument/diagnostic",
    "workspace/didChangeWatchedFiles",
    "initialize",
    "initialized",
    "$/cancelRequest",
    "workspace/unknown",
];

const URI: &str = "file:///nonexistent-anyio-lint-fuzz/a.py";

fn frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend(body);
}

fn position(bytes: &[u8], at: usize) -> Value {
    let byte = |i: usize| bytes.get(at + i).copied().unwrap_or(0) as u64;
    json!({"line": byte(0) % 12, "character": byte(1) * 3 % 70})
}

/// The parameters of `method` made from `rest`.
fn params(method: &str, rest: &[u8]) -> Value {
    if let Ok(value) = serde_json::from_slice::<Value>(rest) {
        return value;
    }
    let text = String::from_utf8_lossy(rest).into_owned();
    let range = json!({"start": position(rest, 0), "end": position(rest, 2)});
    let doc = json!({"uri": URI, "version": rest.len()});
    match method {
        "textDocument/didOpen" => json!({"textDocument": {
            "uri": URI, "languageId": "python", "version": 1, "text": text}}),
        "textDocument/didChange" => json!({"textDocument": doc,
            "contentChanges": [{"range": range, "text": text.get(4..).unwrap_or("")}]}),
        "textDocument/codeAction" => json!({"textDocument": doc, "range": range,
            "context": {"diagnostics": [], "only": if rest.first() == Some(&b's') {
                json!(["source.fixAll"]) } else { Value::Null }}}),
        "textDocument/hover" => json!({"textDocument": doc, "position": position(rest, 0)}),
        "workspace/didChangeWatchedFiles" => json!({"changes": [
            {"uri": "file:///nonexistent-anyio-lint-fuzz/anyio-lint.toml", "type": 2}]}),
        _ => json!({"textDocument": doc}),
    }
}

fuzz_target!(|bytes: &[u8]| {
    let mut input = Vec::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}});
    frame(&mut input, initialize.to_string().as_bytes());
    let source = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)  # noqa: AIO101\n\n\nasyncio.run(main())\n";
    let open = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": source}}});
    frame(&mut input, open.to_string().as_bytes());
    for (number, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if let Some(raw) = line.strip_prefix(b"!") {
            frame(&mut input, raw);
            continue;
        }
        let Some((&first, rest)) = line.split_first() else {
            continue;
        };
        let method = METHODS[first as usize % METHODS.len()];
        let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params(method, rest)});
        if first & 0x80 != 0 {
            message["id"] = json!(number + 1);
        }
        frame(&mut input, message.to_string().as_bytes());
    }
    let shutdown = json!({"jsonrpc": "2.0", "id": "end", "method": "shutdown"});
    frame(&mut input, shutdown.to_string().as_bytes());
    frame(&mut input, br#"{"jsonrpc": "2.0", "method": "exit"}"#);
    let mut output = Vec::new();
    let code = anyio_lint::serve_lsp(Cursor::new(input), &mut output);
    // `exit` after `shutdown` ends the session with 0, unless the input's own `exit` came first.
    let text = String::from_utf8_lossy(&output);
    assert!(code == 0 || bytes.windows(4).any(|w| w == b"exit"), "exit code {code}");
    assert!(text.is_empty() || text.starts_with("Content-Length: "));
});
