"""What the editor tests share: the client that drives `anyio-lint server`, a session with a
workspace on disk, and positions computed on the client's side (independently of the server)
in UTF-16 code units or UTF-8 bytes, with lines ending at `\\n`, `\\r\\n` or a bare `\\r`."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

#: The binary under test (`cargo test --test editor_clients` sets it).
BINARY = os.environ.get("ANYIO_LINT_BIN", "")

#: How long a test waits for the server to say something before it fails.
TIMEOUT = 30.0

LINE_BREAK = re.compile(r"\r\n|\r|\n")


# ---------------------------------------------------------------------------------------------
# Positions, as a client computes them


def _width(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    raise ValueError(f"unknown position encoding {encoding!r}")


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def position(text: str, offset: int, encoding: str) -> types.Position:
    """The LSP position of the character at `offset` (a `str` index) of `text`."""
    starts = _line_starts(text)
    line = max(i for i, start in enumerate(starts) if start <= offset)
    return types.Position(line=line, character=_width(text[starts[line] : offset], encoding))


def offset(text: str, at: types.Position, encoding: str) -> int:
    """The `str` index of an LSP position in `text`; exact: a position that falls past a line's
    end or inside a character is an error here, as no server should send one."""
    starts = _line_starts(text)
    if at.line == len(starts):
        assert at.character == 0, f"{at} is past the end of the text"
        return len(text)
    assert at.line < len(starts), f"{at} is past the last line ({len(starts)} lines)"
    start = starts[at.line]
    end = LINE_BREAK.search(text, start)
    end = end.start() if end else len(text)
    units = 0
    for index in range(start, end + 1):
        if units == at.character:
            return index
        assert units < at.character and index < end, f"{at} is not at a character of {text!r}"
        units += _width(text[index], encoding)
    raise AssertionError(f"{at} is past the end of its line")


def find(text: str, needle: str, encoding: str, nth: int = 0) -> types.Range:
    """The range of the `nth` occurrence of `needle` in `text`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return types.Range(
        start=position(text, at, encoding), end=position(text, at + len(needle), encoding)
    )


#: The start of a document: where fix-all is asked for (it applies to the whole document).
ORIGIN = types.Range(
    start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
)


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """`text` with `edits` applied, as a client applies one `TextEdit[]` (all ranges refer to
    the text before any of them; they must not overlap)."""

    def span(edit: types.TextEdit):
        start = offset(text, edit.range.start, encoding)
        return start, offset(text, edit.range.end, encoding), edit.new_text

    spans = sorted((span(e) for e in edits), key=lambda s: (s[0], s[1]))
    for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
        assert end <= start, f"edits overlap: {edits}"
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    """The edits a code action makes to the document `uri` (and to no other)."""
    assert action.edit is not None, f"{action.title}: no edit"
    changes = action.edit.changes or {}
    assert list(changes) == [uri], f"{action.title}: edits {list(changes)}, not only {uri}"
    return list(changes[uri])


# ---------------------------------------------------------------------------------------------
# The client


def make_client() -> LanguageClient:
    """pytest-lsp's client, keeping every diagnostics notification (with its version) in order and
    the registrations the server asks for."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.registrations = []

    def publish_diagnostics(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    def register_capability(client: LanguageClient, params: types.RegistrationParams):
        client.registrations.extend(params.registrations)

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish_diagnostics
    features[types.CLIENT_REGISTER_CAPABILITY] = register_capability
    register_lsp_features(client, features)
    return client


def capabilities(*, utf8: bool = False, pull: bool = False, watch: bool = True):
    """What the client declares: UTF-16 positions (also UTF-8 when `utf8`), pushed diagnostics
    (pulled when `pull`), code action literals, Markdown hovers, and watched files it registers
    for the server when `watch`."""
    encodings = [types.PositionEncodingKind.Utf16]
    if utf8:
        encodings.insert(0, types.PositionEncodingKind.Utf8)
    kinds = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings),
        window=types.WindowClientCapabilities(work_done_progress=False),
        workspace=types.WorkspaceClientCapabilities(
            workspace_folders=True,
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=watch
            ),
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
            if pull
            else None,
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=kinds)
                ),
                is_preferred_support=True,
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            diagnostic=types.DiagnosticClientCapabilities(dynamic_registration=False)
            if pull
            else None,
        ),
    )


@dataclass
class Session:
    """A client initialized with workspace folders on disk, and the documents it has open."""

    client: LanguageClient
    root: Path
    encoding: str
    result: types.InitializeResult
    #: Each open document's text and version, by URI, as the client holds them.
    texts: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.root / name

    def uri(self, name: str) -> str:
        return self.path(name).as_uri()

    def write(self, name: str, text: str | bytes) -> Path:
        """Write a file of the workspace (no notification sent)."""
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            # Written as is: no newline translation, so CRLF stays CRLF.
            path.write_bytes(text.encode("utf-8"))
        else:
            path.write_bytes(text)
        return path

    def mark(self) -> int:
        """Where the diagnostics notifications received from now on start."""
        return len(self.client.published)

    def open(self, name: str, text: str | None = None, language: str = "python") -> str:
        """Open `name` in the editor with `text` (default: the file's content on disk); a name
        with a scheme (`untitled:Untitled-1`) is a document with no file."""
        uri = name if ":" in name else self.uri(name)
        if text is None:
            text = self.path(name).read_bytes().decode("utf-8")
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=text
                )
            )
        )
        return uri

    def edit(self, uri: str, edits: list[types.TextEdit]) -> int:
        """Change the open document (unsaved) with incremental edits, as typing does; the new
        version."""
        text = self.texts[uri]
        changes = []
        # Sent one after the other, each against the text the previous ones left.
        for e in sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        ):
            text = apply_edits(text, [e], self.encoding)
            changes.append(
                types.TextDocumentContentChangePartial(range=e.range, text=e.new_text)
            )
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=changes,
            )
        )
        return self.versions[uri]

    def replace(self, uri: str, old: str, new: str, nth: int = 0) -> int:
        """Type `new` over the `nth` `old` of the open document; the new version."""
        at = find(self.texts[uri], old, self.encoding, nth)
        return self.edit(uri, [types.TextEdit(range=at, new_text=new)])

    def changed_on_disk(self, *names: str, kind=types.FileChangeType.Changed):
        """Tell the server that files changed on disk (`workspace/didChangeWatchedFiles`)."""
        self.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=self.uri(n), type=kind) for n in names]
            )
        )

    async def diagnostics(
        self, uri: str, since: int, version: int | None = None
    ) -> list[types.Diagnostic]:
        """The diagnostics of the first notification for `uri` received after `since` (and of
        `version`, when given); fails when none arrives in time."""

        def found():
            for params in self.client.published[since:]:
                if params.uri == uri and (version is None or params.version == version):
                    return params
            return None

        params = await wait_for(found, f"diagnostics for {uri} (version {version})")
        return list(params.diagnostics)

    async def code_actions(
        self, uri: str, at: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=at,
                context=types.CodeActionContext(
                    diagnostics=[],
                    only=only,
                ),
            )
        )
        actions = list(result or [])
        assert all(isinstance(a, types.CodeAction) for a in actions), actions
        return actions

    async def hover(self, uri: str, at: types.Position) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=at)
        )

    async def pull(self, uri: str, previous: str | None = None):
        return await self.client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                previous_result_id=previous,
            )
        )

    async def round_trip(self):
        """Wait until the server has handled everything sent so far, and published what it
        had to: two requests in a row (the server publishes after each batch of messages it
        handles, and the second request is read only after the first was answered)."""
        for _ in range(2):
            await self.hover(self.uri("__nothing__.py"), types.Position(line=0, character=0))


async def wait_for(condition, what: str):
    """Poll `condition` until it returns something truthy; fail after `TIMEOUT` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {TIMEOUT} s waiting for {what}")
        await asyncio.sleep(0.005)


def workspace(root: Path, *folders: str) -> list[Path]:
    """Workspace folders under `root`, each the root of a repository (so that the search for
    configurations stops there, as it does at a `.git`)."""
    paths = [root / f if f else root for f in (folders or ("",))]
    for path in paths:
        (path / ".git").mkdir(parents=True, exist_ok=True)
    return paths


async def start(
    client: LanguageClient,
    root: Path,
    *,
    folders: tuple[str, ...] = (),
    utf8: bool = False,
    pull: bool = False,
    watch: bool = True,
    options: dict | None = None,
) -> Session:
    """Initialize the server with `root` (or its `folders`) as the workspace."""
    paths = workspace(root, *folders)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(utf8=utf8, pull=pull, watch=watch),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=p.as_uri(), name=p.name) for p in paths],
            initialization_options=options,
        )
    )
    encoding = {"utf-8": "utf-8", "utf-16": "utf-16"}[result.capabilities.position_encoding]
    return Session(client=client, root=root, encoding=encoding, result=result)


def check_fix(path: Path, text: str, *args: str) -> str:
    """What `anyio-lint check --fix` writes for `text` as the file at `path` (its configuration
    found from there)."""
    run = subprocess.run(
        [BINARY, "check", "--fix", "--stdin-filename", str(path), *args, "-"],
        input=text.encode("utf-8"),
        capture_output=True,
        cwd=path.parent,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr.decode()
    return run.stdout.decode("utf-8")


def codes(diagnostics: list[types.Diagnostic]) -> list[str | None]:
    return sorted((d.code for d in diagnostics), key=lambda c: c or "")
