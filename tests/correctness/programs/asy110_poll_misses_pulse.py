# anyio-lint-test: findings = ["ASY110:15"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["saw the door open"]
# The loop looks at the door every 250 ms; the door opens and closes between two looks, so the
# waiter never sees it open and waits for ever.
import anyio


class Door:
    def __init__(self):
        self.open = False


async def wait_for_open(door):
    while not door.open:
        await anyio.sleep(0.25)
    print("saw the door open")


async def open_briefly(door):
    await anyio.sleep(0.05)
    door.open = True
    await anyio.lowlevel.checkpoint()
    door.open = False


async def main():
    door = Door()
    async with anyio.create_task_group() as tg:
        tg.start_soon(wait_for_open, door)
        tg.start_soon(open_briefly, door)


anyio.run(main)
