# anyio-lint-test: findings = ["ANY403:18", "ASY104:19"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["gave up retrying"]
# The retry loop catches cancellation with the errors it retries on (a tuple): cancelled, it
# retries at once, is cancelled again at the next checkpoint, and spins there for ever.
import anyio


async def connect():
    await anyio.sleep(0.01)
    raise OSError("connection refused")


async def connect_with_retry():
    while True:
        try:
            return await connect()
        except (OSError, anyio.get_cancelled_exc_class()):
            continue


async def main():
    with anyio.move_on_after(0.05):
        await connect_with_retry()
    print("gave up retrying")


anyio.run(main)
