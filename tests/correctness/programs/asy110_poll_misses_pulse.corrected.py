# asy110_poll_misses_pulse.py corrected: waits on an event, which stays set.
import anyio


class Door:
    def __init__(self):
        self.open = False
        self.opened = anyio.Event()


async def wait_for_open(door):
    await door.opened.wait()
    print("saw the door open")


async def open_briefly(door):
    await anyio.sleep(0.05)
    door.open = True
    door.opened.set()
    await anyio.lowlevel.checkpoint()
    door.open = False


async def main():
    door = Door()
    async with anyio.create_task_group() as tg:
        tg.start_soon(wait_for_open, door)
        tg.start_soon(open_briefly, door)


anyio.run(main)
