# asy125_constant_deadline.py corrected: a relative timeout.
import anyio


async def download():
    await anyio.sleep(0.01)
    return "data"


async def main():
    data = None
    with anyio.move_on_after(30):
        data = await download()
    print(f"downloaded: {data}")


anyio.run(main)
