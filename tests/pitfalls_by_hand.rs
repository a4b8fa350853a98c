//! The pitfalls pack on anyio code written by hand: each use of an anyio object that asyncio's API
//! allows and anyio's does not (an Event cleared, a task handle asked for its `result()`, a gather
//! result used as a list, …) is flagged wherever the value was bound, as it is where a migration
//! leaves it. Each source marks the lines it expects flagged with a trailing `# CODE` comment; the
//! anyio-pitfalls rules must flag exactly those.

mod common;

use common::{project, run, stderr, stdout};

/// The findings of the anyio-pitfalls rules (`ANY`) on `source`, under `[versions]` `versions`,
/// as `line CODE`, in order.
fn flagged(source: &str, versions: &str) -> Vec<String> {
    let config = format!("[versions]\n{versions}\n");
    let dir = project(&[
        ("t.py", source.as_bytes()),
        ("anyio-lint.toml", config.as_bytes()),
    ]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--select",
            "ANY",
            "--output-format",
            "json",
            "t.py",
        ],
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)));
    let mut found: Vec<(u64, String)> = items
        .iter()
        .map(|f| {
            let line = f["location"]["row"].as_u64().unwrap();
            (line, f["code"].as_str().unwrap().to_owned())
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|(line, code)| format!("{line} {code}"))
        .collect()
}

/// The lines of `source` that end in a `# CODE …` comment, as `line CODE`, once per code named.
fn marked(source: &str) -> Vec<String> {
    source
        .lines()
        .zip(1..)
        .flat_map(|(text, line)| {
            let comment = text.rsplit_once("  # ").map_or("", |(_, c)| c);
            comment
                .split_whitespace()
                .filter(|word| word.starts_with("ANY"))
                .map(move |code| format!("{line} {code}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The pitfalls rules flag exactly the marked lines of `source`.
fn assert_flags_marked(source: &str, versions: &str) {
    let expected = marked(source);
    assert!(!expected.is_empty(), "nothing is marked in:\n{source}");
    assert_eq!(
        flagged(source, versions),
        expected,
        "findings (left) and marked lines (right) of:\n{source}"
    );
}

/// The anyio version these sources are checked under: the newest, whose task groups have
/// `create_task` and which has `gather`.
const ANYIO: &str = "anyio = \"4.16\"";

#[test]
fn event_clear_is_flagged_on_a_local_a_returned_value_an_attribute_and_an_annotated_parameter() {
    assert_flags_marked(
        r#"import threading

import anyio
from anyio import Event


class Gate:
    def __init__(self) -> None:
        self.ready = anyio.Event()

    def close(self) -> None:
        self.ready.clear()  # ANY305


def reset(ready: Event, other: threading.Event, third: anyio.Event) -> None:
    ready.clear()  # ANY305
    other.clear()
    third.clear()  # ANY305


def make() -> anyio.Event:
    return anyio.Event()


async def rounds() -> None:
    ev = anyio.Event()
    ev.set()
    ev.clear()  # ANY305
    made = make()
    made.clear()  # ANY305
"#,
        ANYIO,
    );
}

#[test]
fn asyncio_task_methods_on_a_task_handle_are_flagged() {
    assert_flags_marked(
        r#"import anyio
from anyio.abc import TaskGroup


async def work() -> int:
    return 1


async def main(tg: TaskGroup) -> None:
    handle = tg.create_task(work())
    await handle.wait()
    print(handle.result(), handle.done())  # ANY307 ANY307
    async with anyio.create_task_group() as group:
        later = group.create_task(work())
    print(later.get_name(), later.return_value, later.name)  # ANY307
    later.add_done_callback(print)  # ANY307
"#,
        ANYIO,
    );
}

#[test]
fn asyncio_task_methods_on_the_current_task_info_are_flagged() {
    assert_flags_marked(
        r#"import anyio


async def main() -> None:
    if anyio.get_current_task().cancelling():  # ANY308
        return
    info = anyio.get_current_task()
    print(info.name, info.id, info.cancelling())  # ANY308
"#,
        ANYIO,
    );
}

#[test]
fn communicate_on_an_anyio_process_is_flagged() {
    assert_flags_marked(
        r#"import anyio


async def main() -> None:
    proc = await anyio.open_process(["cat"])
    out, err = await proc.communicate(b"input")  # ANY309
    async with await anyio.open_process(["true"]) as child:
        await child.communicate()  # ANY309
        await child.wait()
"#,
        ANYIO,
    );
}

#[test]
fn a_semaphores_private_value_is_flagged_and_its_public_one_is_not() {
    assert_flags_marked(
        r#"import anyio


class Pool:
    def __init__(self) -> None:
        self.sem = anyio.Semaphore(3)

    def free(self) -> int:
        return self.sem._value  # ANY310


async def main() -> None:
    sem = anyio.Semaphore(2)
    async with sem:
        print(sem._value, sem.value)  # ANY310
"#,
        ANYIO,
    );
}

#[test]
fn a_gather_result_used_as_a_list_is_flagged() {
    assert_flags_marked(
        r#"import anyio


async def one() -> int:
    return 1


async def main() -> None:
    results = await anyio.gather(one(), one())
    results.append(3)  # ANY311
    results.extend([4])  # ANY311
    results.sort()  # ANY311
    print(results == [1, 1])  # ANY312
    print([1, 1] != results)  # ANY312
    first, second = await anyio.gather(one(), one())
    print(results[0], len(results), list(results) == [1, 1], first + second)
"#,
        ANYIO,
    );
}

#[test]
fn the_none_an_event_wait_returns_tested_for_truth_is_flagged() {
    assert_flags_marked(
        r#"import anyio


async def main(ready: anyio.Event) -> None:
    ev = anyio.Event()
    ev.set()
    if await ev.wait():  # ANY313
        print("set")
    while not await ready.wait():  # ANY313
        pass
    assert await ev.wait()  # ANY313
    ok = await ev.wait() or ready.is_set()  # ANY313
    both = ready.is_set() and await ev.wait()  # ANY313
    await ev.wait()
    print(ok, both, ev.is_set())
"#,
        ANYIO,
    );
}

#[test]
fn the_none_other_anyio_waits_and_acquires_return_tested_for_truth_is_flagged() {
    assert_flags_marked(
        r#"import anyio


async def main(cond: anyio.Condition) -> None:
    lock = anyio.Lock()
    sem = anyio.Semaphore(1)
    if await lock.acquire():  # ANY313
        lock.release()
    if not await sem.acquire():  # ANY313
        return
    sem.release()
    async with cond:
        assert await cond.wait()  # ANY313
"#,
        ANYIO,
    );
}

#[test]
fn an_anyio_object_passed_to_a_function_of_the_file_is_judged_there() {
    assert_flags_marked(
        r#"import anyio


def reset(ev):
    ev.clear()  # ANY305


async def hold(sem):
    async with sem:
        print(sem._value)  # ANY310


async def main() -> None:
    ev = anyio.Event()
    reset(ev)
    await hold(anyio.Semaphore(2))
"#,
        ANYIO,
    );
}
