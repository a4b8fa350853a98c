# anyio-lint-test: findings = ["ASY101:13"]
# anyio-lint-test: before = ["handled 0", "handled 1", "uncaught cancellation"]
# anyio-lint-test: after = ["handled 0", "handled 1", "handled 2", "handled 3"]
# The generator's timeout was meant to bound each read; while it is suspended at `yield`, the
# consumer's own work runs inside that scope, and the timeout cancels the consumer's work.
import anyio


async def readings():
    with anyio.move_on_after(0.25):
        for number in range(4):
            await anyio.sleep(0)
            yield number


async def main():
    async for number in readings():
        with anyio.CancelScope() as work:
            await anyio.sleep(0.1)
        if not work.cancelled_caught:
            print("handled", number)


anyio.run(main)
