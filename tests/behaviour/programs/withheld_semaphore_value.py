# anyio-lint-test: withheld = ["AIO208:17"]
"""An asyncio.Semaphore whose private _value is read stays on asyncio: anyio's Semaphore has no
such attribute on trio (its public one is `value`). The semaphore that is only held is migrated."""
import asyncio


async def hold(sem, log, name):
    async with sem:
        log.append(f"{name} in")
        await asyncio.sleep(0.001 * name)
    log.append(f"{name} out")


async def main():
    sem = asyncio.Semaphore(2)
    async with sem:
        print("free while held", sem._value)
    log = []
    one = asyncio.Semaphore(1)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(hold(one, log, 2))
        tg.create_task(hold(one, log, 1))
    print(log)


if __name__ == "__main__":
    asyncio.run(main())
