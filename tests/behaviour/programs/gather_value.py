"""A gather result kept as a value is a list: appended to, compared with a list, printed."""
import asyncio


async def double(value, delay):
    await asyncio.sleep(delay)
    return value * 2


async def collect():
    results = await asyncio.gather(double(1, 0.02), double(2, 0.001))
    results.append(0)
    return results


async def main():
    results = await collect()
    print(results, results == [2, 4, 0], type(results).__name__)
    print(await asyncio.gather(double(3, 0)) == [6])


if __name__ == "__main__":
    asyncio.run(main())
