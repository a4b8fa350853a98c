# anyio-lint-test: findings = ["ASY120:22"]
# anyio-lint-test: before = ["no error: the OSError was lost"]
# anyio-lint-test: after = ["request failed: connection reset while sending GET /"]
# The `except` clause awaits before re-raising: the timeout cancels it there, the cancellation
# replaces the OSError, and the timeout's scope absorbs it, so the error is never seen.
import anyio


async def send(request):
    await anyio.sleep(0)
    raise OSError(f"connection reset while sending {request}")


async def report_failure():
    await anyio.sleep(0.5)


async def request(name):
    try:
        await send(name)
    except OSError:
        await report_failure()
        raise


async def main():
    try:
        with anyio.move_on_after(0.05):
            await request("GET /")
        print("no error: the OSError was lost")
    except OSError as error:
        print(f"request failed: {error}")


anyio.run(main)
