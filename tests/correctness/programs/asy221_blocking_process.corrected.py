# asy221_blocking_process.py corrected: `anyio.run_process`.
import subprocess
import sys

import anyio

CHILD = [sys.executable, "-c", "import time; time.sleep(0.3)"]


async def heartbeat(beats):
    while True:
        await anyio.sleep(0.01)
        beats.append(anyio.current_time())


async def work():
    await anyio.run_process(CHILD)


async def main():
    beats = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(heartbeat, beats)
        await work()
        print("heartbeats during the work:", "some" if beats else "none")
        tg.cancel_scope.cancel()


anyio.run(main)
