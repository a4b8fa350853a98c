"""asyncio.sleep with a negative literal delay yields once and returns at once."""
import asyncio
import time


async def ticker(log):
    for n in range(3):
        log.append(f"tick {n}")
        await asyncio.sleep(-1)


async def main():
    log = []
    start = time.monotonic()
    await ticker(log)
    await asyncio.sleep(delay=-0.5)
    print(log, "returned at once", time.monotonic() - start < 0.5)


if __name__ == "__main__":
    asyncio.run(main())
