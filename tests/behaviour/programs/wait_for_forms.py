"""wait_for as an assignment, an expression statement and a return, positional and keyword."""
import asyncio


async def compute(x):
    await asyncio.sleep(0.001)
    return x * 2


async def slow():
    await asyncio.sleep(5)


async def doubled(x):
    return await asyncio.wait_for(compute(x), timeout=1)


async def main():
    value = await asyncio.wait_for(compute(21), 1)
    print("value", value)
    await asyncio.wait_for(compute(1), timeout=1)
    print("statement done")
    print("returned", await doubled(4))
    try:
        await asyncio.wait_for(slow(), 0.01)
    except asyncio.TimeoutError:
        print("slow timed out")


if __name__ == "__main__":
    asyncio.run(main())
