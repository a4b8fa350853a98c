//! `anyio-lint server`: the Language Server Protocol over standard input and output.
//!
//! The server checks open documents from their unsaved text, with the configuration that would
//! govern the file on disk, and gives editors what `check` gives a terminal: findings as
//! diagnostics (pushed after each change, or pulled where the client asks for them), a quick fix
//! per finding that has one (unsafe ones only where the settings allow unsafe fixes, and titled
//! as such), a `# noqa` directive per finding, every fix at once as `--fix` applies it
//! (`source.fixAll.anyio-lint`), and a rule's documentation on hover. A configuration, packaging
//! or pack file that changes on disk makes every open document checked again; one that is
//! broken is said to the client (a message, and a diagnostic on the file) while documents
//! governed by other configurations are served as before.
//!
//! One thread reads messages ([`transport`]); this one handles them in order. Notifications that
//! arrive together are handled together before diagnostics are published (and before the next
//! request is answered), so a burst of edits is checked once. A handler that panics answers its request with an internal error and the
//! server goes on; a message that is not JSON-RPC is answered with a parse error.

mod lint;
mod text;
mod transport;
mod workspace;

use std::io::{BufRead, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notify, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DiagnosticOptions, DiagnosticServerCapabilities, DidChangeWatchedFilesRegistrationOptions,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, FileSystemWatcher,
    FullDocumentDiagnosticReport, GlobPattern, HoverProviderCapability, InitializeParams,
    InitializeResult, MessageType, Registration, RegistrationParams,
    RelatedFullDocumentDiagnosticReport, RelatedUnchangedDocumentDiagnosticReport, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions,
    UnchangedDocumentDiagnosticReport, Url,
};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::pack::SourceError;
use lint::{Linted, Target};
use text::{Document, Encoding, Lines};
use transport::Incoming;
use workspace::{ClientOptions, Workspace, is_settings_file};

/// How many messages that arrived together are handled before diagnostics are published.
const BATCH: usize = 64;

/// Serve the protocol on standard input and output until the client exits; the exit code is 0
/// when the client shut the server down first, as the protocol asks, and 1 otherwise.
pub fn serve_stdio() -> u8 {
    let input = std::io::BufReader::new(std::io::stdin());
    serve(input, std::io::stdout().lock())
}

/// Serve the protocol on `input` and `output`; see [`serve_stdio`].
pub fn serve(input: impl BufRead + Send + 'static, output: impl Write) -> u8 {
    let receiver = transport::spawn_reader(input);
    let mut server = Server::new(output);
    server.run(&receiver)
}

/// The state of a session.
struct Server<W: Write> {
    output: W,
    /// Whether writing to the client failed (it is gone): the session ends.
    broken: bool,
    /// Set by `initialize`.
    session: Option<Session>,
    shut_down: bool,
    next_id: i32,
}

/// What `initialize` set up.
struct Session {
    encoding: Encoding,
    /// Whether the client pulls diagnostics (`textDocument/diagnostic`) rather than being sent
    /// them, and whether it can be asked to pull them again.
    pull: bool,
    refresh: bool,
    workspace: Workspace,
    documents: FxHashMap<Url, Document>,
    linted: FxHashMap<Url, Linted>,
    /// Bumped whenever settings are read again: findings of an older generation are stale.
    generation: u64,
    /// Documents whose diagnostics are to be published.
    dirty: FxHashSet<Url>,
    /// Configuration and pack files with an error, and its diagnostic; messages already shown.
    settings_errors: FxHashMap<Url, lsp_types::Diagnostic>,
    shown: FxHashSet<String>,
    client: ClientCapabilities,
}

/// Why a request failed.
struct Failure(ErrorCode, String);

impl<W: Write> Server<W> {
    fn new(output: W) -> Self {
        Server {
            output,
            broken: false,
            session: None,
            shut_down: false,
            next_id: 0,
        }
    }

    fn run(&mut self, receiver: &Receiver<Incoming>) -> u8 {
        while let Ok(first) = receiver.recv() {
            let mut next = Some(first);
            let mut handled = 0;
            while let Some(incoming) = next.take() {
                match incoming {
                    Incoming::Closed(why) => {
                        if let Some(why) = why {
                            eprintln!("anyio-lint server: the client's stream broke: {why}");
                        }
                        return 1;
                    }
                    Incoming::Malformed(why) => {
                        eprintln!("anyio-lint server: {why}");
                        if transport::write_parse_error(&mut self.output, &why).is_err() {
                            return 1;
                        }
                    }
                    Incoming::Message(Message::Notification(n))
                        if n.method == notify::Exit::METHOD =>
                    {
                        return u8::from(!self.shut_down);
                    }
                    Incoming::Message(message) => {
                        // A request is answered after the diagnostics of the changes before it.
                        if matches!(message, Message::Request(_)) {
                            self.publish_dirty();
                        }
                        self.handle(message);
                    }
                }
                if self.broken {
                    return 1;
                }
                handled += 1;
                if handled < BATCH {
                    next = receiver.try_recv().ok();
                }
            }
            self.publish_dirty();
        }
        1
    }

    fn send(&mut self, message: impl Into<Message>) {
        if transport::write_message(&mut self.output, &message.into()).is_err() {
            self.broken = true;
        }
    }

    fn notify<N: lsp_types::notification::Notification>(&mut self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_owned(), params));
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_id += 1;
        let id = RequestId::from(format!("anyio-lint-{}", self.next_id));
        self.send(Request::new(id, R::METHOD.to_owned(), params));
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let method = request.method.clone();
                let answer = std::panic::catch_unwind(AssertUnwindSafe(|| self.answer(request)))
                    .unwrap_or_else(|panic| {
                        Err(Failure(
                            ErrorCode::InternalError,
                            format!("internal error in `{method}`: {}", panic_text(&panic)),
                        ))
                    });
                let response = match answer {
                    Ok(result) => Response {
                        id,
                        result: Some(result),
                        error: None,
                    },
                    Err(Failure(code, message)) => Response::new_err(id, code as i32, message),
                };
                self.send(response);
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                let handled = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    self.on_notification(notification)
                }));
                if let Err(panic) = handled {
                    eprintln!(
                        "anyio-lint server: internal error in `{method}`: {}",
                        panic_text(&panic)
                    );
                }
            }
            // Answers to what the server asked (registrations, refreshes): nothing to do.
            Message::Response(_) => {}
        }
    }

    /// The result of a request, or why there is none.
    fn answer(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        if request.method == req::Initialize::METHOD {
            if self.session.is_some() {
                return Err(Failure(
                    ErrorCode::InvalidRequest,
                    "the server is initialized already".into(),
                ));
            }
            let refresh = refresh_support(&request.params);
            let params: InitializeParams = params(request)?;
            let result = self.initialize(params, refresh);
            return to_value(result);
        }
        if self.shut_down {
            return Err(Failure(
                ErrorCode::InvalidRequest,
                "the server is shut down: only `exit` is expected".into(),
            ));
        }
        if self.session.is_some() && request.method == req::Shutdown::METHOD {
            self.shut_down = true;
            return Ok(serde_json::Value::Null);
        }
        let Some(session) = self.session.as_mut() else {
            return Err(Failure(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized: send `initialize` first".into(),
            ));
        };
        match request.method.as_str() {
            req::CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = params(request)?;
                let uri = params.text_document.uri;
                let only = params.context.only.as_deref();
                if !session.ensure_linted(&uri) {
                    return Ok(serde_json::Value::Array(Vec::new()));
                }
                let project = session.workspace.files().to_vec();
                let (linted, document) = (&session.linted[&uri], &session.documents[&uri]);
                let actions = linted.code_actions(
                    document,
                    &uri,
                    (params.range, only),
                    session.encoding,
                    &project,
                );
                to_value(actions)
            }
            req::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = params(request)?;
                let position = params.text_document_position_params;
                let uri = position.text_document.uri;
                if !session.ensure_linted(&uri) {
                    return Ok(serde_json::Value::Null);
                }
                let (linted, document) = (&session.linted[&uri], &session.documents[&uri]);
                to_value(linted.hover(document, position.position, session.encoding))
            }
            req::DocumentDiagnosticRequest::METHOD => {
                let params: lsp_types::DocumentDiagnosticParams = params(request)?;
                let uri = params.text_document.uri;
                let (items, result_id) = session.diagnostics_of(&uri);
                let report = if result_id.is_some() && params.previous_result_id == result_id {
                    DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                            result_id: result_id.unwrap_or_default(),
                        },
                    })
                } else {
                    DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                        related_documents: None,
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id,
                            items,
                        },
                    })
                };
                to_value(DocumentDiagnosticReportResult::Report(report))
            }
            method => Err(Failure(
                ErrorCode::MethodNotFound,
                format!("`{method}` is not a request this server answers"),
            )),
        }
    }

    fn initialize(&mut self, params: InitializeParams, refresh: bool) -> InitializeResult {
        let client = params.capabilities;
        let encoding = Encoding::negotiate(
            client
                .general
                .as_ref()
                .and_then(|general| general.position_encodings.as_deref()),
        );
        let pull = client
            .text_document
            .as_ref()
            .is_some_and(|text| text.diagnostic.is_some());
        let options: ClientOptions = match params.initialization_options {
            Some(value) => serde_json::from_value(value).unwrap_or_else(|error| {
                eprintln!("anyio-lint server: initializationOptions ignored: {error}");
                ClientOptions::default()
            }),
            None => ClientOptions::default(),
        };
        #[allow(deprecated)]
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|folder| folder.uri.to_file_path().ok())
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = params.root_uri.and_then(|uri| uri.to_file_path().ok())
        {
            roots.push(root);
        }
        self.session = Some(Session {
            encoding,
            pull,
            refresh,
            workspace: Workspace::new(roots, options),
            documents: FxHashMap::default(),
            linted: FxHashMap::default(),
            generation: 0,
            dirty: FxHashSet::default(),
            settings_errors: FxHashMap::default(),
            shown: FxHashSet::default(),
            client,
        });
        let capabilities = ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, lint::fix_all_kind()]),
                ..CodeActionOptions::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some(lint::SOURCE.to_owned()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: false,
                    ..DiagnosticOptions::default()
                })
            }),
            ..ServerCapabilities::default()
        };
        InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: lint::SOURCE.to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        if self.shut_down {
            return;
        }
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let method = notification.method.clone();
        let parsed = |n: Notification| -> Option<serde_json::Value> {
            Some(n.params).filter(|p| !p.is_null())
        };
        let Some(params) = parsed(notification) else {
            return;
        };
        match method.as_str() {
            notify::Initialized::METHOD if watches_files(&session.client) => {
                self.register_watchers();
            }
            notify::DidOpenTextDocument::METHOD => {
                let Ok(params) = from::<lsp_types::DidOpenTextDocumentParams>(params) else {
                    return;
                };
                let item = params.text_document;
                let document = Document::new(item.text, item.version, item.language_id);
                session.documents.insert(item.uri.clone(), document);
                session.dirty.insert(item.uri);
            }
            notify::DidChangeTextDocument::METHOD => {
                let Ok(params) = from::<lsp_types::DidChangeTextDocumentParams>(params) else {
                    return;
                };
                let uri = params.text_document.uri;
                if let Some(document) = session.documents.get_mut(&uri) {
                    document.apply(
                        params.content_changes,
                        params.text_document.version,
                        session.encoding,
                    );
                    session.dirty.insert(uri);
                }
            }
            notify::DidCloseTextDocument::METHOD => {
                let Ok(params) = from::<lsp_types::DidCloseTextDocumentParams>(params) else {
                    return;
                };
                let uri = params.text_document.uri;
                session.documents.remove(&uri);
                session.linted.remove(&uri);
                session.dirty.remove(&uri);
                if !session.pull && !session.settings_errors.contains_key(&uri) {
                    self.publish(uri, Vec::new(), None);
                }
            }
            notify::DidSaveTextDocument::METHOD => {
                let Ok(params) = from::<lsp_types::DidSaveTextDocumentParams>(params) else {
                    return;
                };
                let path = params.text_document.uri.to_file_path().ok();
                if path.as_deref().is_some_and(is_settings_file) {
                    self.reload_settings();
                } else if path.is_some() {
                    // What the saved module defines may change what other documents find.
                    session.dirty.extend(session.documents.keys().cloned());
                }
            }
            notify::DidChangeWatchedFiles::METHOD => {
                let Ok(params) = from::<lsp_types::DidChangeWatchedFilesParams>(params) else {
                    return;
                };
                let paths: Vec<PathBuf> = params
                    .changes
                    .iter()
                    .filter_map(|change| change.uri.to_file_path().ok())
                    .collect();
                if paths
                    .iter()
                    .any(|p| p.extension().is_some_and(|e| e == "py"))
                {
                    session.workspace.forget_files();
                    session.dirty.extend(session.documents.keys().cloned());
                }
                if paths.iter().any(|p| is_settings_file(p)) {
                    self.reload_settings();
                }
            }
            _ => {}
        }
    }

    /// Ask the client to tell the server when configuration, pack and Python files change.
    fn register_watchers(&mut self) {
        let globs = [
            "**/*.toml",
            "**/setup.cfg",
            "**/setup.py",
            "**/requirements*.txt",
            "**/*.py",
        ];
        let watchers = globs
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).to_owned()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "anyio-lint-watched-files".to_owned(),
            method: notify::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.request::<req::RegisterCapability>(RegistrationParams {
            registrations: vec![registration],
        });
    }

    /// Read every configuration again, check every open document again, and clear the errors
    /// of the old configurations.
    fn reload_settings(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        session.generation += 1;
        session.workspace.reload_settings();
        session.workspace.forget_files();
        session.shown.clear();
        let stale: Vec<Url> = session
            .settings_errors
            .drain()
            .map(|(uri, _)| uri)
            .collect();
        session.dirty.extend(session.documents.keys().cloned());
        let pull = session.pull;
        let refresh = session.refresh;
        for uri in stale {
            let open = self
                .session
                .as_ref()
                .is_some_and(|s| s.documents.contains_key(&uri));
            if !open {
                self.publish(uri, Vec::new(), None);
            }
        }
        if pull && refresh {
            self.request::<req::WorkspaceDiagnosticRefresh>(());
        }
    }

    /// Publish the diagnostics of the documents changed since the last time (when the client
    /// is sent them), and any configuration error found meanwhile.
    fn publish_dirty(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let dirty: Vec<Url> = session.dirty.drain().collect();
        let mut outgoing = Vec::new();
        for uri in dirty {
            if !session.documents.contains_key(&uri) {
                continue;
            }
            let (items, _) = session.diagnostics_of(&uri);
            let version = session.documents.get(&uri).map(|d| d.version);
            if !session.pull {
                outgoing.push((uri, items, version));
            }
        }
        let errors = session.take_new_errors();
        for (uri, items, version) in outgoing {
            self.publish(uri, items, version);
        }
        for (uri, diagnostic, message) in errors {
            if let Some(message) = message {
                self.notify::<notify::ShowMessage>(ShowMessageParams {
                    typ: MessageType::ERROR,
                    message,
                });
            }
            let open = self
                .session
                .as_ref()
                .is_some_and(|s| s.documents.contains_key(&uri));
            if !open || self.session.as_ref().is_some_and(|s| !s.pull) {
                let mut items = vec![diagnostic];
                if let Some(session) = self.session.as_mut()
                    && open
                {
                    items = session.diagnostics_of(&uri).0;
                }
                self.publish(uri, items, None);
            }
        }
    }

    fn publish(&mut self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify::<notify::PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }
}

impl Session {
    /// Check the open document `uri` again if it changed since its last check, or the settings
    /// did; whether it has findings to show (false for a document not open, or governed by a
    /// broken configuration).
    fn ensure_linted(&mut self, uri: &Url) -> bool {
        let Some(document) = self.documents.get(uri) else {
            return false;
        };
        let current = self
            .linted
            .get(uri)
            .is_some_and(|l| l.version == document.version && l.generation == self.generation);
        if !current {
            let path = uri.to_file_path().ok();
            match self.workspace.governing(path.as_deref()) {
                Ok(governing) => {
                    let project = self.workspace.files().to_vec();
                    let document = &self.documents[uri];
                    let target = Target {
                        uri,
                        path: path.as_deref(),
                        governing,
                        generation: self.generation,
                        project: &project,
                    };
                    let linted = lint::lint(document, target);
                    self.linted.insert(uri.clone(), linted);
                }
                Err(error) => {
                    self.settings_error(&error);
                    self.linted.remove(uri);
                    return false;
                }
            }
        }
        true
    }

    /// The diagnostics of `uri` (an open document's findings, and the error of a configuration
    /// or pack file), with an id of the result for pulled diagnostics.
    fn diagnostics_of(&mut self, uri: &Url) -> (Vec<lsp_types::Diagnostic>, Option<String>) {
        let encoding = self.encoding;
        let mut items = Vec::new();
        let mut result_id = None;
        if self.ensure_linted(uri) {
            let linted = &self.linted[uri];
            let document = &self.documents[uri];
            items = linted.lsp_diagnostics(document, encoding);
            result_id = Some(format!("{}:{}", self.generation, document.version));
        }
        if let Some(error) = self.settings_errors.get(uri) {
            items.push(error.clone());
            result_id = None;
        }
        (items, result_id)
    }

    /// Record a configuration or pack file's error: a diagnostic on the file, and a message
    /// for the client, each once per reading of the settings.
    fn settings_error(&mut self, error: &SourceError) {
        let path = std::path::absolute(&error.path).unwrap_or_else(|_| PathBuf::from(&error.path));
        let Ok(uri) = Url::from_file_path(&path) else {
            return;
        };
        if self.settings_errors.contains_key(&uri) {
            return;
        }
        let lines = Lines::of(&error.source);
        let range = match &error.span {
            Some(span) => lines.range(&error.source, (span.start, span.end), self.encoding),
            None => lsp_types::Range::default(),
        };
        let mut message = error.message.clone();
        for note in &error.notes {
            message.push_str("\nnote: ");
            message.push_str(note);
        }
        let diagnostic = lsp_types::Diagnostic {
            range,
            severity: Some(lsp_types::DiagnosticSeverity::ERROR),
            source: Some(lint::SOURCE.to_owned()),
            message,
            ..lsp_types::Diagnostic::default()
        };
        self.settings_errors.insert(uri, diagnostic);
    }

    /// The settings errors not yet sent: each file's URI, its diagnostic, and the message to
    /// show when it was not shown yet.
    fn take_new_errors(&mut self) -> Vec<(Url, lsp_types::Diagnostic, Option<String>)> {
        let mut errors = Vec::new();
        for (uri, diagnostic) in &self.settings_errors {
            let shown = format!("{uri}: {}", diagnostic.message);
            let message = self.shown.insert(shown).then(|| {
                let path = uri
                    .to_file_path()
                    .map_or_else(|_| uri.to_string(), |p| p.display().to_string());
                format!(
                    "anyio-lint: {path}:{}: {}; files it governs are not checked until it is \
                     fixed",
                    diagnostic.range.start.line + 1,
                    diagnostic.message.lines().next().unwrap_or_default()
                )
            });
            if message.is_some() {
                errors.push((uri.clone(), diagnostic.clone(), message));
            }
        }
        errors
    }
}

/// Whether the client can be asked to pull diagnostics again, from the raw `initialize`
/// parameters: the protocol names the capability `workspace.diagnostics.refreshSupport`, which
/// lsp-types 0.95 reads under `workspace.diagnostic` (so both are read).
fn refresh_support(params: &serde_json::Value) -> bool {
    ["diagnostics", "diagnostic"].iter().any(|key| {
        let pointer = format!("/capabilities/workspace/{key}/refreshSupport");
        params.pointer(&pointer) == Some(&serde_json::Value::Bool(true))
    })
}

/// Whether the client lets the server register for file-change notifications.
fn watches_files(client: &ClientCapabilities) -> bool {
    client
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|w| w.dynamic_registration)
        .unwrap_or(false)
}

fn from<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(value).map_err(|error| {
        Failure(
            ErrorCode::InvalidParams,
            format!("invalid parameters: {error}"),
        )
    })
}

fn params<T: serde::de::DeserializeOwned>(request: Request) -> Result<T, Failure> {
    from(request.params)
}

fn to_value(value: impl serde::Serialize) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value)
        .map_err(|error| Failure(ErrorCode::InternalError, error.to_string()))
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}
