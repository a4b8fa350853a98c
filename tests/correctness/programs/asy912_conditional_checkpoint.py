# anyio-lint-test: findings = ["ASY912:25"]
# anyio-lint-test: before = [
# anyio-lint-test:     "remote=True: gave up waiting, value=None",
# anyio-lint-test:     "watchdog: still running after 2 s",
# anyio-lint-test: ]
# anyio-lint-test: after = [
# anyio-lint-test:     "remote=True: gave up waiting, value=None",
# anyio-lint-test:     "remote=False: gave up waiting, value=None",
# anyio-lint-test: ]
# The timeout's block awaits only for a remote source: for a local one it never reaches a
# checkpoint, the deadline cannot fire, and the wait spins for ever.
import anyio


class Source:
    def __init__(self, remote):
        self.remote = remote
        self.value = None

    async def refresh(self):
        await anyio.sleep(0.01)


async def wait_for_value(source):
    with anyio.move_on_after(0.05):
        while True:
            if source.remote:
                await source.refresh()
            if source.value is not None:
                return source.value
    return None


async def main():
    for remote in (True, False):
        value = await wait_for_value(Source(remote))
        print(f"remote={remote}: gave up waiting, value={value}")


anyio.run(main)
