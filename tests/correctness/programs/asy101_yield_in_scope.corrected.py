# asy101_yield_in_scope.py corrected: the timeout bounds each read, and the `yield` stands outside it.
import anyio


async def readings():
    for number in range(4):
        with anyio.move_on_after(0.25):
            await anyio.sleep(0)
        yield number


async def main():
    async for number in readings():
        with anyio.CancelScope() as work:
            await anyio.sleep(0.1)
        if not work.cancelled_caught:
            print("handled", number)


anyio.run(main)
