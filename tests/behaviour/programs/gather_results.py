"""await gather(...) keeps argument order even when the calls finish in another order."""
import asyncio


async def slow_value(value, delay):
    await asyncio.sleep(delay)
    return value


async def main():
    first, second, third = await asyncio.gather(
        slow_value("a", 0.03), slow_value("b", 0.001), slow_value("c", 0.02)
    )
    print(first, second, third)


if __name__ == "__main__":
    asyncio.run(main())
