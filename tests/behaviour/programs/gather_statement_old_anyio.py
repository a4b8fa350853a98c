# anyio-lint-test: anyio = "4.12"
"""With anyio < 4.15, a bare await gather(...) becomes a task group of start_soon calls."""
import asyncio

log = []


async def note(name, delay):
    await asyncio.sleep(delay)
    log.append(name)


async def main():
    await asyncio.gather(note("x", 0.002), note("y", 0.001))
    print(sorted(log))


if __name__ == "__main__":
    asyncio.run(main())
