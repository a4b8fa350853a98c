# anyio-lint-test: findings = ["ASY230:18", "ASY232:19"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["read hello"]
# Opening a FIFO blocks until a writer opens it, and the writer is a task of the same event loop:
# neither can go on.
import os
import tempfile

import anyio


async def write_message(path):
    async with await anyio.open_file(path, "w") as fifo:
        await fifo.write("hello\n")


async def read_message(path):
    with open(path) as fifo:
        return fifo.readline().strip()


async def main():
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "fifo")
        os.mkfifo(path)
        async with anyio.create_task_group() as tg:
            tg.start_soon(write_message, path)
            print(f"read {await read_message(path)}")


anyio.run(main)
