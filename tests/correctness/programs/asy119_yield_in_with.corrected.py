# asy119_yield_in_with.py corrected: a context manager hands out a stream, and closes the connection when its block ends.
import contextlib

import anyio


class Connection:
    async def __aenter__(self):
        print("connection opened")
        return self

    async def __aexit__(self, *exc_info):
        print("connection closed")


async def produce_rows(send):
    async with send:
        for row in range(10):
            await send.send(row)


@contextlib.asynccontextmanager
async def rows():
    async with Connection():
        send, receive = anyio.create_memory_object_stream()
        async with anyio.create_task_group() as tg:
            tg.start_soon(produce_rows, send)
            yield receive
            tg.cancel_scope.cancel()


async def main():
    async with rows() as received:
        async for row in received:
            if row == 1:
                break
    print("query done")


anyio.run(main)
