# asy900_async_generator.py corrected: a context manager hands out a stream fed by a task it cancels when its block ends.
import contextlib

import anyio


async def produce_ticks(send, interval):
    async with send:
        try:
            for tick in range(100):
                await anyio.sleep(interval)
                await send.send(tick)
        finally:
            print("ticker stopped")


@contextlib.asynccontextmanager
async def ticks(interval):
    send, receive = anyio.create_memory_object_stream()
    async with anyio.create_task_group() as tg:
        tg.start_soon(produce_ticks, send, interval)
        yield receive
        tg.cancel_scope.cancel()


async def main():
    async with ticks(0.001) as received:
        async for tick in received:
            if tick == 2:
                break
    print("done with the ticks")


anyio.run(main)
