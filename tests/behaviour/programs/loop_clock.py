"""get_running_loop().time() read directly and through a variable."""
import asyncio


async def main():
    start = asyncio.get_running_loop().time()
    await asyncio.sleep(0.01)
    loop = asyncio.get_running_loop()
    elapsed = loop.time() - start
    print("elapsed at least 10ms", elapsed >= 0.009)


if __name__ == "__main__":
    asyncio.run(main())
