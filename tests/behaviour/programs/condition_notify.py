"""asyncio.Condition: a consumer waits for items a producer adds."""
import asyncio


async def consumer(cond, items, seen):
    async with cond:
        while len(items) < 3:
            await cond.wait()
        seen.extend(items)


async def producer(cond, items):
    for n in range(3):
        await asyncio.sleep(0.001)
        async with cond:
            items.append(n)
            cond.notify_all()


async def main():
    cond = asyncio.Condition()
    items, seen = [], []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(consumer(cond, items, seen))
        tg.create_task(producer(cond, items))
    print("seen", seen)


if __name__ == "__main__":
    asyncio.run(main())
