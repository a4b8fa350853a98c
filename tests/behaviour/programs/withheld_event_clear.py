# anyio-lint-test: withheld = ["AIO103:20"]
"""An asyncio.Event reset with clear() in another method stays on asyncio: anyio's is one-shot.

The Event that is only set and awaited is migrated.
"""
import asyncio


class Gate:
    def __init__(self):
        self.ready = asyncio.Event()

    def open(self):
        self.ready.set()

    def is_open(self):
        return self.ready.is_set()

    def close(self):
        self.ready.clear()


async def opener(gate, done):
    await asyncio.sleep(0.001)
    gate.open()
    done.set()


async def main():
    gate = Gate()
    done = asyncio.Event()
    async with asyncio.TaskGroup() as tg:
        tg.create_task(opener(gate, done))
        await gate.ready.wait()
        print("open", gate.is_open())
    await done.wait()
    gate.close()
    print("closed", gate.is_open())
    gate.open()
    print("open again", gate.is_open())


if __name__ == "__main__":
    asyncio.run(main())
