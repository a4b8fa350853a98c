"""asyncio.Event shared between tasks of a TaskGroup."""
import asyncio


async def waiter(ready, log):
    await ready.wait()
    log.append("waiter saw the event")


async def setter(ready, log):
    log.append("setting")
    ready.set()


async def main():
    ready = asyncio.Event()
    log = []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(waiter(ready, log))
        tg.create_task(setter(ready, log))
    print(log)
    print("is_set", ready.is_set())


if __name__ == "__main__":
    asyncio.run(main())
