# asy230_blocking_open.py corrected: `anyio.open_file`.
import os
import tempfile

import anyio


async def write_message(path):
    async with await anyio.open_file(path, "w") as fifo:
        await fifo.write("hello\n")


async def read_message(path):
    async with await anyio.open_file(path) as fifo:
        return (await fifo.readline()).strip()


async def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "fifo")
        os.mkfifo(path)
        async with anyio.create_task_group() as tg:
            tg.start_soon(write_message, path)
            print(f"read {await read_message(path)}")


anyio.run(main)
