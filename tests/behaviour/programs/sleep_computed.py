"""asyncio.sleep with a computed (non-negative) delay."""
import asyncio


async def pace(delays):
    for delay in delays:
        await asyncio.sleep(delay / 1000)
        print("slept", delay)


async def main():
    await pace([1, 2, 0])


if __name__ == "__main__":
    asyncio.run(main())
