# asy120_lost_error.py corrected: the reporting awaits in a shielded scope with its own timeout.
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
        with anyio.move_on_after(0.1, shield=True):
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
