"""asyncio.TaskGroup: a task awaited inside the group, and tasks whose results are not kept.

Reading a task's result(), done() or get_name() is left out: anyio's TaskHandle has none of them,
which is why the rewrite is an unsafe fix.
"""
import asyncio


async def square(n, log):
    await asyncio.sleep(0.001 * (3 - n))
    log.append(n)
    return n * n


async def main():
    log = []
    async with asyncio.TaskGroup() as tg:
        first = tg.create_task(square(2, log))
        print("awaited in the group", await first)
        tg.create_task(square(1, log))
        tg.create_task(square(0, log))
    print("all finished", sorted(log))


if __name__ == "__main__":
    asyncio.run(main())
