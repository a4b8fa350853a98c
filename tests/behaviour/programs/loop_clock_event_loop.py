"""get_event_loop().time() inside async functions, read directly and through a variable."""
import asyncio


async def main():
    start = asyncio.get_event_loop().time()
    await asyncio.sleep(0.01)
    loop = asyncio.get_event_loop()
    elapsed = loop.time() - start
    print("elapsed at least 10ms", elapsed >= 0.009)


if __name__ == "__main__":
    asyncio.run(main())
