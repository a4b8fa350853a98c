"""asyncio.sleep with literal delays; asyncio.run with positional arguments."""
import asyncio


async def countdown(start, step):
    for n in range(start, 0, -step):
        print("tick", n)
        await asyncio.sleep(0.001)
    await asyncio.sleep(0)
    print("liftoff")


if __name__ == "__main__":
    asyncio.run(countdown(3, 1))
