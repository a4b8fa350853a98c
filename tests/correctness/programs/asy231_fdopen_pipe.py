# anyio-lint-test: findings = ["ASY231:17"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["received hello"]
# The file `os.fdopen` gives blocks in `readline`, waiting for a writer that is a task of the same
# event loop.
import os

import anyio


async def send(fd):
    await anyio.sleep(0.01)
    os.write(fd, b"hello\n")


async def receive(fd):
    return os.fdopen(fd).readline().strip()


async def main():
    read_fd, write_fd = os.pipe()
    async with anyio.create_task_group() as tg:
        tg.start_soon(send, write_fd)
        print(f"received {await receive(read_fd)}")


anyio.run(main)
