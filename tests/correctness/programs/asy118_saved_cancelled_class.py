# anyio-lint-test: findings = ["ASY118:10"]
# anyio-lint-test: before = [
# anyio-lint-test:     "uncaught NoEventLoopError: Not currently running on any asynchronous event loop. Available async backends: asyncio, trio",
# anyio-lint-test: ]
# anyio-lint-test: after = ["cancelled"]
# The cancellation class is asked for at import, when no event loop runs: the program fails before
# it starts.
import anyio

Cancelled = anyio.get_cancelled_exc_class()


async def main():
    with anyio.move_on_after(0.01):
        try:
            await anyio.sleep(1)
        except Cancelled:
            print("cancelled")
            raise


anyio.run(main)
