# anyio-lint-test: findings = ["ASY221:21"]
# anyio-lint-test: before = ["heartbeats during the work: none"]
# anyio-lint-test: after = ["heartbeats during the work: some"]
# `subprocess.run` blocks the event loop while the child runs: the heartbeat task misses every
# beat.
import subprocess
import sys

import anyio

CHILD = [sys.executable, "-c", "import time; time.sleep(0.3)"]


async def heartbeat(beats):
    while True:
        await anyio.sleep(0.01)
        beats.append(anyio.current_time())


async def work():
    subprocess.run(CHILD, check=True)


async def main():
    beats = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(heartbeat, beats)
        await work()
        print("heartbeats during the work:", "some" if beats else "none")
        tg.cancel_scope.cancel()


anyio.run(main)
