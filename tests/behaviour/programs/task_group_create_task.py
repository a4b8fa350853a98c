"""asyncio.TaskGroup with create_task; results collected by the children."""
import asyncio


async def square(n, results):
    await asyncio.sleep(0.001 * (3 - n))
    results[n] = n * n


async def main():
    results = {}
    async with asyncio.TaskGroup() as tg:
        for n in range(3):
            tg.create_task(square(n, results))
    print(sorted(results.items()))


if __name__ == "__main__":
    asyncio.run(main())
