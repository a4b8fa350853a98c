"""Positions: UTF-16 code units unless the client offers UTF-8 (then bytes), on lines holding
non-ASCII text (é takes 1 UTF-16 unit and 2 bytes, 😀 2 units and 4 bytes) and tabs, with CRLF
or bare CR line endings kept by every edit."""

from __future__ import annotations

import pytest
from lsp_session import ORIGIN, apply_edits, check_fix, codes, edits_of, find, start
from lsprotocol import types
from pytest_lsp import LanguageClient

SOURCE = (
    "import asyncio\r\n"
    "\r\n"
    "\r\n"
    "async def main():\r\n"
    "\tx = 'é😀'; await asyncio.sleep(1)\r\n"
    "\ty = \"😀\"; await asyncio.sleep(2)  # noqa: AIO101\r\n"
    "\tawait asyncio.sleep(3)\t# é\r\n"
)

ENCODINGS = [pytest.param(False, "utf-16", id="utf-16"), pytest.param(True, "utf-8", id="utf-8")]


@pytest.mark.parametrize(("offer_utf8", "encoding"), ENCODINGS)
async def test_positions_count_in_the_negotiated_encoding(
    client: LanguageClient, tmp_path, offer_utf8, encoding
):
    session = await start(client, tmp_path, utf8=offer_utf8)
    assert session.encoding == encoding
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    found = await session.diagnostics(uri, since, version=1)

    by_message = {d.message.split("`")[1]: d for d in found}
    assert sorted(by_message) == ["asyncio.sleep(1)", "asyncio.sleep(3)"]
    for call, diagnostic in by_message.items():
        assert diagnostic.range == find(SOURCE, call, encoding), call
    # The two encodings disagree on this line, so the test tells them apart.
    start_of_call = by_message["asyncio.sleep(1)"].range.start
    assert start_of_call == types.Position(line=4, character=18 if encoding == "utf-16" else 21)


@pytest.mark.parametrize(("offer_utf8", "encoding"), ENCODINGS)
async def test_edits_after_non_ascii_text_land_where_typed(
    client: LanguageClient, tmp_path, offer_utf8, encoding
):
    session = await start(client, tmp_path, utf8=offer_utf8)
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    await session.diagnostics(uri, since, version=1)

    # Typed after the emoji: another emoji, and a new delay.
    since = session.mark()
    session.replace(uri, "😀'", "😀😀'")
    session.replace(uri, "sleep(1)", "sleep(7)")
    found = await session.diagnostics(uri, since, version=3)
    text = session.texts[uri]
    assert "\tx = 'é😀😀'; await asyncio.sleep(7)\r\n" in text
    (seven,) = [d for d in found if "asyncio.sleep(7)" in d.message]
    assert seven.range == find(text, "asyncio.sleep(7)", encoding)

    # A line break typed in the middle of a line, as CRLF.
    since = session.mark()
    session.replace(uri, "; await asyncio.sleep(7)", "\r\n\tawait asyncio.sleep(7)")
    found = await session.diagnostics(uri, since, version=4)
    (seven,) = [d for d in found if "asyncio.sleep(7)" in d.message]
    assert seven.range.start == types.Position(line=5, character=7)


@pytest.mark.parametrize(("offer_utf8", "encoding"), ENCODINGS)
async def test_fixes_keep_crlf_and_land_in_the_right_columns(
    client: LanguageClient, tmp_path, offer_utf8, encoding
):
    session = await start(client, tmp_path, utf8=offer_utf8)
    path = session.write("app.py", SOURCE)
    since = session.mark()
    uri = session.open("app.py")
    await session.diagnostics(uri, since, version=1)

    at = find(SOURCE, "asyncio.sleep(1)", encoding)
    fix = (await session.code_actions(uri, at, only=["quickfix"]))[0]
    assert fix.title == "AIO101: Replace with `anyio.sleep(1)`"
    fixed = apply_edits(SOURCE, edits_of(fix, uri), encoding)
    assert fixed == SOURCE.replace(
        "'é😀'; await asyncio.sleep(1)", "'é😀'; await anyio.sleep(1)"
    ).replace("import asyncio\r\n", "import asyncio\r\n\r\nimport anyio\r\n")

    (fix_all,) = await session.code_actions(uri, ORIGIN, only=["source.fixAll.anyio-lint"])
    everything = apply_edits(SOURCE, edits_of(fix_all, uri), encoding)
    assert everything == check_fix(path, SOURCE)
    assert everything.count("\r\n") == everything.count("\n") > SOURCE.count("\n")


@pytest.mark.parametrize(("offer_utf8", "encoding"), ENCODINGS)
async def test_hover_finds_the_code_under_the_cursor_after_non_ascii_text(
    client: LanguageClient, tmp_path, offer_utf8, encoding
):
    session = await start(client, tmp_path, utf8=offer_utf8)
    since = session.mark()
    uri = session.open("app.py", SOURCE)
    await session.diagnostics(uri, since, version=1)
    code = find(SOURCE, "AIO101", encoding)
    for character in (code.start.character, code.end.character - 1):
        hover = await session.hover(uri, types.Position(line=code.start.line, character=character))
        assert hover is not None and hover.contents.value.startswith("# asyncio-sleep (AIO101)")
    # Just before the code: the colon, no code.
    before = types.Position(line=code.start.line, character=code.start.character - 2)
    assert await session.hover(uri, before) is None


async def test_bare_cr_line_endings(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    text = SOURCE.replace("\r\n", "\r")
    path = session.write("app.py", text)
    since = session.mark()
    uri = session.open("app.py")
    found = await session.diagnostics(uri, since, version=1)
    assert codes(found) == ["AIO101", "AIO101"]
    assert sorted(d.range.start.line for d in found) == [4, 6]
    (fix_all,) = await session.code_actions(uri, ORIGIN, only=["source.fixAll.anyio-lint"])
    everything = apply_edits(text, edits_of(fix_all, uri), session.encoding)
    assert everything == check_fix(path, text)
    assert "\n" not in everything
