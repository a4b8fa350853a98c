# asy231_fdopen_pipe.py corrected: `anyio.wrap_file`.
import os

import anyio


async def send(fd):
    await anyio.sleep(0.01)
    os.write(fd, b"hello\n")


async def receive(fd):
    return (await anyio.wrap_file(os.fdopen(fd)).readline()).strip()


async def main():
    read_fd, write_fd = os.pipe()
    async with anyio.create_task_group() as tg:
        tg.start_soon(send, write_fd)
        print(f"received {await receive(read_fd)}")


anyio.run(main)
