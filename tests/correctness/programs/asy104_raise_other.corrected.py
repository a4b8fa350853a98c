# asy104_raise_other.py corrected: the handler re-raises the cancellation with a bare `raise`.
import anyio


async def download(progress):
    try:
        for chunk in range(100):
            await anyio.sleep(0.01)
            progress.append(chunk)
    except anyio.get_cancelled_exc_class():
        print("download stopped")
        raise


async def main():
    progress = []
    with anyio.move_on_after(0.05):
        await download(progress)
    print("gave up waiting, as asked")


anyio.run(main)
