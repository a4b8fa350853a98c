# anyio-lint-test: anyio = "4.12"
"""With anyio < 4.14, tg.create_task(f(a)) becomes tg.start_soon(f, a)."""
import asyncio


async def record(name, log):
    await asyncio.sleep(0)
    log.append(name)


async def main():
    log = []
    async with asyncio.TaskGroup() as tg:
        tg.create_task(record("a", log))
        tg.create_task(record("b", log))
    print(sorted(log))


if __name__ == "__main__":
    asyncio.run(main())
