"""current_task() and all_tasks() as truthiness and counts; iscoroutinefunction and iscoroutine."""
import asyncio


async def job():
    return 1


def plain():
    return 2


async def main():
    print("has a current task", asyncio.current_task() is not None)
    print("at least one task", len(asyncio.all_tasks()) >= 1)
    print("job is async", asyncio.iscoroutinefunction(job))
    print("plain is async", asyncio.iscoroutinefunction(plain))
    pending = job()
    print("coroutine object", asyncio.iscoroutine(pending), asyncio.iscoroutine(plain))
    pending.close()


if __name__ == "__main__":
    asyncio.run(main())
