"""loop.run_in_executor(None, ...) through a loop variable and directly."""
import asyncio


def blocking_sum(a, b):
    return a + b


def blocking_upper(text):
    return text.upper()


async def main():
    loop = asyncio.get_running_loop()
    total = await loop.run_in_executor(None, blocking_sum, 2, 3)
    shout = await asyncio.get_running_loop().run_in_executor(None, blocking_upper, "quiet")
    print(total, shout)


if __name__ == "__main__":
    asyncio.run(main())
