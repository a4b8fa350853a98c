# anyio-lint-test: findings = ["ASY900:9"]
# anyio-lint-test: before = ["done with the ticks", "ticker stopped"]
# anyio-lint-test: after = ["ticker stopped", "done with the ticks"]
# The consumer stops early: the generator's `finally` runs only when the generator is finalised,
# after the consumer is done.
import anyio


async def ticks(interval):
    try:
        for tick in range(100):
            await anyio.sleep(interval)
            yield tick
    finally:
        print("ticker stopped")


async def main():
    async for tick in ticks(0.001):
        if tick == 2:
            break
    print("done with the ticks")


anyio.run(main)
