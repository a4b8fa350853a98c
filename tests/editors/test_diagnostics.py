"""Diagnostics: from the text the editor holds (on open, after each unsaved change), pushed with
the document's version, or pulled where the client declares support for it."""

from __future__ import annotations

from lsp_session import codes, find, start, wait_for
from lsprotocol import types
from pytest_lsp import LanguageClient

SOURCE = """\
import asyncio


async def main():
    await asyncio.sleep(1)


asyncio.run(main())
"""


async def test_open_reports_the_editor_text_not_the_file_on_disk(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    session.write("app.py", "print('nothing to see')\n")
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    found = await session.diagnostics(uri, since, version=1)

    assert codes(found) == ["AIO101", "AIO201"]
    sleep = next(d for d in found if d.code == "AIO101")
    assert sleep.range == find(SOURCE, "asyncio.sleep(1)", session.encoding)
    assert sleep.severity == types.DiagnosticSeverity.Warning
    assert sleep.source == "anyio-lint"
    assert sleep.message == (
        "`asyncio.sleep(1)` becomes `anyio.sleep(1)`\n"
        "help: anyio.sleep takes the same delay; it is a checkpoint on every backend"
    )
    # The built-in packs give their rules no `url`: no link (hover shows the page).
    assert sleep.code_description is None
    run = next(d for d in found if d.code == "AIO201")
    assert run.range.start == find(SOURCE, "asyncio.run", session.encoding).start


async def test_each_change_is_checked_and_published_with_its_version(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    session.write("app.py", SOURCE)
    since = session.mark()
    uri = session.open("app.py")
    assert codes(await session.diagnostics(uri, since, version=1)) == ["AIO101", "AIO201"]

    # Typed, not saved: the finding it fixes goes.
    since = session.mark()
    version = session.replace(uri, "asyncio.sleep(1)", "anyio.sleep(1)")
    assert version == 2
    assert codes(await session.diagnostics(uri, since, version=2)) == ["AIO201"]

    # A new line with a new finding, after the one edited: positioned in the new text.
    since = session.mark()
    session.replace(uri, "anyio.sleep(1)\n", "anyio.sleep(1)\n    await asyncio.sleep(5)\n")
    found = await session.diagnostics(uri, since, version=3)
    assert codes(found) == ["AIO101", "AIO201"]
    sleep = next(d for d in found if d.code == "AIO101")
    assert sleep.range == find(session.texts[uri], "asyncio.sleep(5)", session.encoding)
    assert "asyncio.sleep(5)" in sleep.message

    # Several edits in one notification, applied in order.
    since = session.mark()
    text = session.texts[uri]
    session.edit(
        uri,
        [
            types.TextEdit(range=find(text, "asyncio.sleep(5)", session.encoding), new_text="f()"),
            types.TextEdit(range=find(text, "asyncio.run", session.encoding), new_text="run"),
        ],
    )
    assert codes(await session.diagnostics(uri, since, version=4)) == []
    assert session.texts[uri].endswith("run(main())\n")


async def test_a_burst_of_changes_ends_with_the_diagnostics_of_the_last_version(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    await session.diagnostics(uri, since, version=1)
    since = session.mark()
    for delay in range(2, 30):
        session.replace(uri, f"sleep({delay - 1})", f"sleep({delay})")
    last = session.versions[uri]
    found = await session.diagnostics(uri, since, version=last)
    assert any("asyncio.sleep(29)" in d.message for d in found)
    # Whatever was published in between is in order, and none is of a version it never had.
    versions = [p.version for p in client.published[since:] if p.uri == uri]
    assert versions == sorted(versions) and set(versions) <= set(range(2, last + 1))


async def test_a_document_that_does_not_parse_gets_a_syntax_error(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    text = "import asyncio\n\nasync def f(:\n    await asyncio.sleep(1)\n"
    since = session.mark()
    uri = session.open("broken.py", text)
    found = await session.diagnostics(uri, since, version=1)
    assert len(found) == 1, found
    (error,) = found
    assert error.message.startswith("SyntaxError: ")
    assert error.severity == types.DiagnosticSeverity.Error
    assert error.range.start == types.Position(line=2, character=12)

    # Mended in the editor: the error goes and the findings come.
    since = session.mark()
    session.replace(uri, "f(:", "f():")
    assert codes(await session.diagnostics(uri, since, version=2)) == ["AIO101"]


async def test_closing_a_document_clears_its_diagnostics(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    assert await session.diagnostics(uri, since, version=1)
    since = session.mark()
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await session.diagnostics(uri, since) == []


async def test_an_untitled_document_is_checked_under_the_first_folder(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    session.write("anyio-lint.toml", 'ignore = ["AIO201", "AIO9"]\n')
    since = session.mark()
    uri = session.open("untitled:Untitled-1", SOURCE)
    assert codes(await session.diagnostics(uri, since, version=1)) == ["AIO101"]


async def test_an_unused_noqa_is_tagged_unnecessary_and_has_a_quick_fix(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    text = "import asyncio\nx = 1  # noqa: AIO101\n"
    since = session.mark()
    uri = session.open("app.py", text)
    (unused,) = await session.diagnostics(uri, since, version=1)
    assert unused.code == "NQA100"
    assert list(unused.tags) == [types.DiagnosticTag.Unnecessary]
    assert unused.range == find(text, "# noqa: AIO101", session.encoding)
    (fix,) = await session.code_actions(uri, unused.range, only=["quickfix"])
    assert fix.title == "NQA100: Remove the unused suppression"


async def test_documents_of_other_languages_are_not_checked(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    since = session.mark()
    uri = session.open("notes.md", SOURCE, language="markdown")
    assert await session.diagnostics(uri, since, version=1) == []


async def test_the_server_registers_for_changes_of_settings_files(
    client: LanguageClient, tmp_path
):
    await start(client, tmp_path)
    registration = await wait_for(
        lambda: next(iter(client.registrations), None), "a registration request"
    )
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert {"**/*.toml", "**/setup.cfg", "**/*.py"} <= set(globs)


async def test_without_dynamic_registration_nothing_is_registered(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path, watch=False)
    await session.round_trip()
    assert client.registrations == []


async def test_pulled_diagnostics_when_the_client_declares_support(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path, pull=True)
    provider = session.result.capabilities.diagnostic_provider
    assert provider is not None and provider.identifier == "anyio-lint"

    uri = session.open("app.py", SOURCE)
    report = await session.pull(uri)
    assert report.kind == "full"
    assert codes(report.items) == ["AIO101", "AIO201"]
    assert report.result_id

    # Asked again with the result's id, nothing changed: unchanged, same id.
    again = await session.pull(uri, previous=report.result_id)
    assert again.kind == "unchanged" and again.result_id == report.result_id

    # Changed in the editor: a full report for the new text, under a new id.
    session.replace(uri, "asyncio.sleep(1)", "anyio.sleep(1)")
    changed = await session.pull(uri, previous=report.result_id)
    assert changed.kind == "full" and changed.result_id != report.result_id
    assert codes(changed.items) == ["AIO201"]

    # Nothing was pushed: the client pulls.
    await session.round_trip()
    assert client.published == []

    # A configuration that changes makes the server ask the client to pull again.
    session.write("anyio-lint.toml", 'ignore = ["AIO201", "AIO9"]\n')
    session.changed_on_disk("anyio-lint.toml", kind=types.FileChangeType.Created)
    await wait_for(lambda: client.diagnostic_refresh_count > 0, "workspace/diagnostic/refresh")
    refreshed = await session.pull(uri, previous=changed.result_id)
    assert refreshed.kind == "full" and list(refreshed.items) == []
