# anyio-lint-test: withheld = ["AIO214:20"]
"""asyncio.TaskGroup whose tasks are read with asyncio's Task API (done(), result()) stays on
asyncio: anyio's TaskHandle has neither. The task group whose tasks are not read is migrated.
"""
import asyncio


async def square(n, log):
    await asyncio.sleep(0.001 * n)
    log.append(n)
    return n * n


async def main():
    log = []
    async with asyncio.TaskGroup() as tg:
        big = tg.create_task(square(3, log))
        small = tg.create_task(square(1, log))
    print("finished in order", log)
    print("done", big.done(), small.done())
    print("results", big.result(), small.result())
    async with asyncio.TaskGroup() as later:
        later.create_task(square(2, log))
    print("and then", log[-1])


if __name__ == "__main__":
    asyncio.run(main())
