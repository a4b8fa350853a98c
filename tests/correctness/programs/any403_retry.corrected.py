# any403_retry.py corrected: the retry loop catches only the errors it retries on.
import anyio


async def connect():
    await anyio.sleep(0.01)
    raise OSError("connection refused")


async def connect_with_retry():
    while True:
        try:
            return await connect()
        except OSError:
            continue


async def main():
    with anyio.move_on_after(0.05):
        await connect_with_retry()
    print("gave up retrying")


anyio.run(main)
