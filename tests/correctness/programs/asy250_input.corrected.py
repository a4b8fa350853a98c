# asy250_input.py corrected: `input` runs in a worker thread.
import os
import sys

import anyio


async def type_answer(fd):
    await anyio.sleep(0.01)
    os.write(fd, b"y\n")


async def confirm():
    return await anyio.to_thread.run_sync(input) == "y"


async def main():
    # Standard input is a pipe that a task writes the user's answer into.
    read_fd, write_fd = os.pipe()
    os.dup2(read_fd, sys.stdin.fileno())
    async with anyio.create_task_group() as tg:
        tg.start_soon(type_answer, write_fd)
        print("confirmed" if await confirm() else "declined")


anyio.run(main)
