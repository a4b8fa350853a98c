# anyio-lint-test: python = "3.12"
"""iscoroutine on coroutine objects and other values, in a project on Python 3.12 or later.

There the two tests agree on every object, and the fix is safe. The objects here get the same
answers on older interpreters too (generators, which tell them apart before 3.12, are left out),
so the program runs wherever the suite's interpreter is.
"""
import asyncio


async def job():
    return 1


async def main():
    pending = job()
    print("coroutine object", asyncio.iscoroutine(pending))
    print("coroutine function", asyncio.iscoroutine(job))
    print("plain value", asyncio.iscoroutine(3))
    print("awaited", await pending)


if __name__ == "__main__":
    asyncio.run(main())
