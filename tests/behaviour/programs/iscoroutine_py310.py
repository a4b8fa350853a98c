# anyio-lint-test: python = "3.10"
"""iscoroutine on coroutine objects and other values, in a project that supports Python 3.10.

Before Python 3.12 asyncio also counts generator objects, which the rewrite does not: the fix is
unsafe there, and generators are left out.
"""
import asyncio


async def job():
    return 1


class Box:
    pass


async def main():
    pending = job()
    print("coroutine object", asyncio.iscoroutine(pending))
    print("coroutine function", asyncio.iscoroutine(job))
    print("plain value", asyncio.iscoroutine(Box()))
    print("awaited", await pending)


if __name__ == "__main__":
    asyncio.run(main())
