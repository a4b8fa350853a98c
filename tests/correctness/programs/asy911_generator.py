# anyio-lint-test: findings = ["ASY911:12"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["stopped by the timeout"]
# The generator yields without a checkpoint: `async for` over it never checkpoints either, so
# the timeout around the loop cannot fire.
import anyio


async def numbers():
    n = 0
    while True:
        yield n
        n += 1


async def main():
    with anyio.move_on_after(0.05):
        async for n in numbers():
            pass
    print("stopped by the timeout")


anyio.run(main)
