"""asyncio.shield around work that must finish, as an assignment and a statement."""
import asyncio


async def commit(log, value):
    await asyncio.sleep(0.001)
    log.append(value)
    return value


async def main():
    log = []
    kept = await asyncio.shield(commit(log, "first"))
    await asyncio.shield(commit(log, "second"))
    print(kept, log)


if __name__ == "__main__":
    asyncio.run(main())
