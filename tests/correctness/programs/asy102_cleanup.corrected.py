# asy102_cleanup.py corrected: the cleanup runs in a shielded scope with a timeout of its own.
import anyio


async def send_goodbye(log):
    await anyio.sleep(0)
    log.append("goodbye sent")


async def serve(log):
    try:
        await anyio.sleep(1)
    finally:
        with anyio.move_on_after(1, shield=True):
            await send_goodbye(log)


async def main():
    log = []
    with anyio.move_on_after(0.05):
        await serve(log)
    print(log or "cleanup cut short")


anyio.run(main)
