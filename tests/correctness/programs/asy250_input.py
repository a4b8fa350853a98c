# anyio-lint-test: findings = ["ASY250:17"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["confirmed"]
# `input()` blocks the event loop, waiting for an answer that a task of the same loop types.
import os
import sys

import anyio


async def type_answer(fd):
    await anyio.sleep(0.01)
    os.write(fd, b"y\n")


async def confirm():
    return input() == "y"


async def main():
    # Standard input is a pipe that a task writes the user's answer into.
    read_fd, write_fd = os.pipe()
    os.dup2(read_fd, sys.stdin.fileno())
    async with anyio.create_task_group() as tg:
        tg.start_soon(type_answer, write_fd)
        print("confirmed" if await confirm() else "declined")


anyio.run(main)
