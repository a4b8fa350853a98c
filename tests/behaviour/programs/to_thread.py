"""asyncio.to_thread with positional and keyword arguments."""
import asyncio


def describe(name, *, times=1):
    return " ".join([name] * times)


async def main():
    one = await asyncio.to_thread(describe, "echo")
    three = await asyncio.to_thread(describe, "echo", times=3)
    print(one)
    print(three)


if __name__ == "__main__":
    asyncio.run(main())
