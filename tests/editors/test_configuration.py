"""The configuration that governs a document is the one that would govern its file on disk
(nested configurations, `pyproject.toml`'s `[tool.anyio-lint]`, `per-file-ignores`); it is read
again when a settings file changes, and a broken one is said to the user while the documents it
does not govern are served as before."""

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

PYPROJECT = """\
[project]
name = "app"

[tool.anyio-lint.per-file-ignores]
"legacy_*.py" = ["AIO101", "AIO9"]
"""


async def test_the_configuration_of_the_file_on_disk_governs_the_document(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path)
    session.write("pyproject.toml", PYPROJECT)
    session.write("sub/anyio-lint.toml", 'ignore = ["AIO201", "AIO9"]\n')
    for name in ("app.py", "legacy_client.py", "sub/mod.py", "sub/legacy_x.py"):
        session.write(name, SOURCE)

    expected = {
        "app.py": ["AIO101", "AIO201"],
        # per-file-ignores of the root's pyproject.toml
        "legacy_client.py": ["AIO201"],
        # the nested configuration replaces the root's: its ignore, and no per-file-ignores
        "sub/mod.py": ["AIO101"],
        "sub/legacy_x.py": ["AIO101"],
    }
    for name, wanted in expected.items():
        since = session.mark()
        uri = session.open(name)
        assert codes(await session.diagnostics(uri, since, version=1)) == wanted, name


async def test_a_changed_configuration_is_read_again(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    session.write("sub/anyio-lint.toml", 'ignore = ["AIO201", "AIO9"]\n')
    session.write("sub/mod.py", SOURCE)
    session.write("app.py", SOURCE)
    since = session.mark()
    mod = session.open("sub/mod.py")
    app = session.open("app.py")
    assert codes(await session.diagnostics(mod, since, version=1)) == ["AIO101"]
    assert codes(await session.diagnostics(app, since, version=1)) == ["AIO101", "AIO201"]

    # Edited on disk (by another program): the editor's watcher tells the server.
    session.write("sub/anyio-lint.toml", 'ignore = ["AIO101", "AIO9"]\n')
    since = session.mark()
    session.changed_on_disk("sub/anyio-lint.toml")
    assert codes(await session.diagnostics(mod, since, version=1)) == ["AIO201"]
    assert codes(await session.diagnostics(app, since, version=1)) == ["AIO101", "AIO201"]

    # A new configuration nearer a document takes over from then on.
    session.write("anyio-lint.toml", 'ignore = ["AIO"]\n')
    since = session.mark()
    session.changed_on_disk("anyio-lint.toml", kind=types.FileChangeType.Created)
    assert codes(await session.diagnostics(app, since, version=1)) == []

    # Deleted: the defaults again.
    session.path("anyio-lint.toml").unlink()
    since = session.mark()
    session.changed_on_disk("anyio-lint.toml", kind=types.FileChangeType.Deleted)
    assert codes(await session.diagnostics(app, since, version=1)) == ["AIO101", "AIO201"]


async def test_saving_a_configuration_in_the_editor_reloads_it(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path, watch=False)
    session.write("pyproject.toml", PYPROJECT)
    session.write("legacy_a.py", SOURCE)
    since = session.mark()
    uri = session.open("legacy_a.py")
    assert codes(await session.diagnostics(uri, since, version=1)) == ["AIO201"]

    session.write("pyproject.toml", PYPROJECT.replace('"AIO9"]', '"AIO9", "AIO201"]'))
    since = session.mark()
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=session.uri("pyproject.toml"))
        )
    )
    assert codes(await session.diagnostics(uri, since, version=1)) == []


async def test_a_broken_configuration_is_reported_and_other_folders_are_served(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path, folders=("broken", "fine"))
    bad = 'ignore = ["AIO101", "AIO9"]\nselect = ["XYZ9"]\n'
    session.write("broken/anyio-lint.toml", bad)
    session.write("broken/app.py", SOURCE)
    session.write("fine/app.py", SOURCE)
    config = session.uri("broken/anyio-lint.toml")

    since = session.mark()
    broken = session.open("broken/app.py")
    # Not checked with a configuration that cannot be read: no findings, and the error on the
    # configuration file itself, where it is.
    assert await session.diagnostics(broken, since, version=1) == []
    (error,) = await session.diagnostics(config, since)
    assert error.severity == types.DiagnosticSeverity.Error
    assert "XYZ9" in error.message
    assert error.range == find(bad, '"XYZ9"', session.encoding)
    message = await wait_for(lambda: client.messages, "window/showMessage")
    assert len(message) == 1
    assert message[0].type == types.MessageType.Error
    assert str(session.path("broken/anyio-lint.toml")) in message[0].message
    assert "XYZ9" in message[0].message
    assert "not checked until it is fixed" in message[0].message

    # The other folder is served.
    since = session.mark()
    fine = session.open("fine/app.py")
    assert codes(await session.diagnostics(fine, since, version=1)) == ["AIO101", "AIO201"]
    # An edit in the broken folder says nothing new (the message is shown once).
    since = session.mark()
    session.replace(broken, "sleep(1)", "sleep(2)")
    assert await session.diagnostics(broken, since, version=2) == []
    await session.round_trip()
    assert len(client.messages) == 1

    # Mended: the error goes from the configuration file, and its folder's files are checked.
    session.write("broken/anyio-lint.toml", 'ignore = ["AIO101", "AIO9"]\n')
    since = session.mark()
    session.changed_on_disk("broken/anyio-lint.toml")
    assert await session.diagnostics(config, since) == []
    assert codes(await session.diagnostics(broken, since, version=2)) == ["AIO201"]


async def test_initialization_options_set_the_configuration_or_none(
    client: LanguageClient, tmp_path
):
    (tmp_path / "shared.toml").write_text('ignore = ["AIO201", "AIO9"]\n')
    session = await start(
        client, tmp_path, options={"configuration": str(tmp_path / "shared.toml")}
    )
    session.write("anyio-lint.toml", 'ignore = ["AIO101", "AIO9"]\n')
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    assert codes(await session.diagnostics(uri, since, version=1)) == ["AIO101"]


async def test_isolated_reads_no_configuration(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path, options={"isolated": True})
    session.write("anyio-lint.toml", 'ignore = ["AIO101", "AIO201"]\n')
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    assert codes(await session.diagnostics(uri, since, version=1)) == ["AIO101", "AIO201"]
