# anyio-lint-test: findings = ["ASY910:11"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["stopped by the timeout"]
# Once the value is cached, `fetch` returns without a checkpoint: the loop calling it never
# reaches one, so the timeout cannot fire and the program spins for ever.
import anyio


async def fetch(cache, key):
    if key in cache:
        return cache[key]
    await anyio.sleep(0.01)
    cache[key] = key * 2
    return cache[key]


async def main():
    cache = {}
    with anyio.move_on_after(0.05):
        while True:
            await fetch(cache, 21)
    print("stopped by the timeout")


anyio.run(main)
