# asy112_single_task.py corrected: awaits the call directly.
import anyio


async def refresh(cache):
    await anyio.sleep(0)
    raise ValueError("the source is down")


async def main():
    cache = {"answer": 41}
    try:
        await refresh(cache)
    except ValueError as error:
        print(f"refresh failed ({error}), keeping the cache")
    print(cache)


anyio.run(main)
