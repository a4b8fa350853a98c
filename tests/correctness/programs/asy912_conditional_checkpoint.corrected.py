# asy912_conditional_checkpoint.py corrected: every path through the block reaches a checkpoint.
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
            else:
                await anyio.lowlevel.checkpoint()
            if source.value is not None:
                return source.value
    return None


async def main():
    for remote in (True, False):
        value = await wait_for_value(Source(remote))
        print(f"remote={remote}: gave up waiting, value={value}")


anyio.run(main)
