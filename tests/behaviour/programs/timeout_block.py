"""async with asyncio.timeout(...) around a body that overruns and one that does not."""
import asyncio


async def main():
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(5)
    except TimeoutError:
        print("overran")
    async with asyncio.timeout(1):
        await asyncio.sleep(0.001)
    print("finished in time")


if __name__ == "__main__":
    asyncio.run(main())
