"""Code actions (a quick fix per finding, a `# noqa` directive per finding, every fix at once as
`check --fix` applies them) and hover on a rule code."""

from __future__ import annotations

from pathlib import Path

from lsp_session import ORIGIN, apply_edits, check_fix, codes, edits_of, find, start
from lsprotocol import types
from pytest_lsp import LanguageClient

REPOSITORY = Path(__file__).resolve().parents[2]
FIX_ALL = "source.fixAll.anyio-lint"

SOURCE = """\
import asyncio


async def main():
    await asyncio.sleep(1)
    try:
        await asyncio.wait_for(asyncio.sleep(3), 1)
    except asyncio.TimeoutError:
        pass


asyncio.run(main())
"""


async def open_checked(session, name: str, text: str):
    since = session.mark()
    uri = session.open(name, text)
    return uri, await session.diagnostics(uri, since, version=1)


async def test_a_quick_fix_per_finding_that_has_a_safe_fix(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    uri, found = await open_checked(session, "app.py", SOURCE)
    at = find(SOURCE, "asyncio.sleep(1)", session.encoding)

    actions = await session.code_actions(uri, at, only=["quickfix"])
    titles = [a.title for a in actions]
    assert titles == [
        "AIO101: Replace with `anyio.sleep(1)`",
        "AIO101: suppress with `# noqa: AIO101`",
    ]
    fix, noqa = actions
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert [d.code for d in fix.diagnostics] == ["AIO101"]
    assert fix.diagnostics[0].range == at
    fixed = apply_edits(SOURCE, edits_of(fix, uri), session.encoding)
    assert fixed == SOURCE.replace("asyncio.sleep(1)", "anyio.sleep(1)").replace(
        "import asyncio\n", "import asyncio\n\nimport anyio\n"
    )

    # The edit, made in the editor: the finding goes, the others stay.
    since = session.mark()
    session.edit(uri, edits_of(fix, uri))
    after = await session.diagnostics(uri, since, version=2)
    assert not [d for d in after if "asyncio.sleep(1)" in d.message]
    assert codes(after) == codes([d for d in found if "asyncio.sleep(1)" not in d.message])


async def test_a_noqa_directive_suppresses_the_finding(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    uri, found = await open_checked(session, "app.py", SOURCE)
    at = find(SOURCE, "asyncio.sleep(1)", session.encoding)
    (noqa,) = [a for a in await session.code_actions(uri, at) if "noqa" in a.title]
    assert noqa.kind == types.CodeActionKind.QuickFix and not noqa.is_preferred
    suppressed = apply_edits(SOURCE, edits_of(noqa, uri), session.encoding)
    assert suppressed == SOURCE.replace("sleep(1)\n", "sleep(1)  # noqa: AIO101\n")

    since = session.mark()
    session.edit(uri, edits_of(noqa, uri))
    after = await session.diagnostics(uri, since, version=2)
    assert not [d for d in after if "asyncio.sleep(1)" in d.message]
    assert codes(after) == codes([d for d in found if "asyncio.sleep(1)" not in d.message])


async def test_unsafe_fixes_are_offered_only_when_allowed(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    uri, _ = await open_checked(session, "app.py", SOURCE)
    at = find(SOURCE, "asyncio.run(main())", session.encoding)
    titles = [a.title for a in await session.code_actions(uri, at, only=["quickfix"])]
    # AIO201's fix is unsafe: only its noqa directive.
    assert titles == ["AIO201: suppress with `# noqa: AIO201`"]


async def test_unsafe_fixes_from_the_initialization_options(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path, options={"unsafeFixes": True})
    uri, _ = await open_checked(session, "app.py", SOURCE)
    at = find(SOURCE, "asyncio.run(main())", session.encoding)
    fix, _ = await session.code_actions(uri, at, only=["quickfix"])
    assert fix.title.startswith("AIO201: ") and fix.title.endswith(" (unsafe fix)")
    assert not fix.is_preferred
    fixed = apply_edits(SOURCE, edits_of(fix, uri), session.encoding)
    assert fixed.endswith("anyio.run(main)\n")


async def test_unsafe_fixes_from_the_configuration(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    session.write("anyio-lint.toml", "unsafe-fixes = true\n")
    uri, _ = await open_checked(session, "app.py", SOURCE)
    at = find(SOURCE, "asyncio.run(main())", session.encoding)
    titles = [a.title for a in await session.code_actions(uri, at, only=["quickfix"])]
    assert titles[0].endswith(" (unsafe fix)")


async def test_fix_all_is_what_check_fix_writes(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    path = session.write("app.py", "")
    uri, _ = await open_checked(session, "app.py", SOURCE)

    (action,) = await session.code_actions(uri, ORIGIN, only=[FIX_ALL])
    assert action.kind == FIX_ALL
    assert action.title == "anyio-lint: apply all safe fixes"
    (edit,) = edits_of(action, uri)
    # One edit of the whole document.
    assert edit.range.start == types.Position(line=0, character=0)
    assert edit.range.end == types.Position(line=SOURCE.count("\n"), character=0)
    fixed = apply_edits(SOURCE, [edit], session.encoding)
    expected = check_fix(path, SOURCE)
    assert fixed == expected
    assert fixed != SOURCE

    # Asked for as `source.fixAll` (its parent kind), or with no kind, it is there too.
    parent = await session.code_actions(uri, ORIGIN, only=["source.fixAll"])
    assert [a.kind for a in parent] == [FIX_ALL]
    assert FIX_ALL in [a.kind for a in await session.code_actions(uri, ORIGIN)]
    assert await session.code_actions(uri, ORIGIN, only=["refactor"]) == []

    # Once applied, there is nothing left to fix.
    since = session.mark()
    session.edit(uri, [edit])
    await session.diagnostics(uri, since, version=2)
    assert await session.code_actions(uri, ORIGIN, only=[FIX_ALL]) == []


async def test_fix_all_with_unsafe_fixes_is_what_check_fix_unsafe_fixes_writes(
    client: LanguageClient, tmp_path
):
    session = await start(client, tmp_path, options={"unsafeFixes": True})
    path = session.write("app.py", SOURCE)
    uri, _ = await open_checked(session, "app.py", SOURCE)
    (action,) = await session.code_actions(uri, ORIGIN, only=[FIX_ALL])
    assert action.title == "anyio-lint: apply all fixes (unsafe ones included)"
    fixed = apply_edits(SOURCE, edits_of(action, uri), session.encoding)
    assert fixed == check_fix(path, SOURCE, "--unsafe-fixes")
    assert fixed != check_fix(path, SOURCE)


async def test_hover_on_a_rule_code_shows_its_documentation(client: LanguageClient, tmp_path):
    session = await start(client, tmp_path)
    text = SOURCE.replace("sleep(1)\n", "sleep(1)  # noqa: AIO101, AIO301\n")
    uri, _ = await open_checked(session, "app.py", text)
    page = (REPOSITORY / "docs" / "rules" / "AIO101.md").read_text()

    # In a noqa directive: the code under the cursor, at any of its characters.
    code = find(text, "AIO101", session.encoding)
    for character in range(code.start.character, code.end.character):
        hover = await session.hover(uri, types.Position(line=code.start.line, character=character))
        assert hover is not None
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert hover.contents.value.strip() == page.strip()
    other = find(text, "AIO301", session.encoding).start
    hover = await session.hover(uri, other)
    assert hover.contents.value.startswith("# ") and "(AIO301)" in hover.contents.value

    # Over a finding: its rule's page.
    inside = find(text, "asyncio.run", session.encoding).start
    hover = await session.hover(uri, inside)
    page = (REPOSITORY / "docs" / "rules" / "AIO201.md").read_text()
    assert hover.contents.value.strip() == page.strip()

    # Elsewhere: nothing.
    assert await session.hover(uri, types.Position(line=1, character=0)) is None
