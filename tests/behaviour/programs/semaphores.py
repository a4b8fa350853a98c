"""Semaphore() / Semaphore(n) / Semaphore(value=n) / BoundedSemaphore(n) limiting concurrency."""
import asyncio


async def limited(sem, name, active, peaks):
    async with sem:
        active.append(name)
        peaks.append(len(active))
        await asyncio.sleep(0.001)
        active.remove(name)


async def peak(sem, count):
    active, peaks = [], []
    async with asyncio.TaskGroup() as tg:
        for n in range(count):
            tg.create_task(limited(sem, n, active, peaks))
    return max(peaks)


async def main():
    print("default", await peak(asyncio.Semaphore(), 4))
    print("two", await peak(asyncio.Semaphore(2), 6))
    print("three", await peak(asyncio.Semaphore(value=3), 6))
    bounded = asyncio.BoundedSemaphore(2)
    print("bounded", await peak(bounded, 6))
    try:
        bounded.release()
    except ValueError:
        print("over-release refused")
    print("bounded default", await peak(asyncio.BoundedSemaphore(), 3))


if __name__ == "__main__":
    asyncio.run(main())
