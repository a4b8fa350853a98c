# anyio-lint-test: withheld = ["AIO111:8"]
"""asyncio.current_task().cancelling() stays on asyncio: anyio's TaskInfo describes a task and has
no cancelling(). The current_task() that is only tested for None is migrated."""
import asyncio


async def main():
    print("cancelling", asyncio.current_task().cancelling())
    print("in a task", asyncio.current_task() is not None)
    await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main())
