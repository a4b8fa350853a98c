"""asyncio.Lock protecting a read-modify-write across a checkpoint."""
import asyncio

lock = asyncio.Lock()
counter = 0


async def bump(times):
    global counter
    for _ in range(times):
        async with lock:
            value = counter
            await asyncio.sleep(0)
            counter = value + 1


async def main():
    async with asyncio.TaskGroup() as tg:
        for _ in range(4):
            tg.create_task(bump(25))
    print("counter", counter)
    print("locked after", lock.locked())


if __name__ == "__main__":
    asyncio.run(main())
