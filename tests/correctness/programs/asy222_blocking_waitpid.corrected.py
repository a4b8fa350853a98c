# asy222_blocking_waitpid.py corrected: waits in a worker thread.
import os
import subprocess
import sys

import anyio


async def finish_after_three_beats(child, beats):
    while len(beats) < 3:
        await anyio.sleep(0.01)
        beats.append(anyio.current_time())
    child.stdin.close()


async def reap(pid):
    return await anyio.to_thread.run_sync(os.waitpid, pid, 0)


async def main(child):
    beats = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(finish_after_three_beats, child, beats)
        await reap(child.pid)
    print(f"reaped the child after {len(beats)} beats")


# The child runs until its standard input closes.
child = subprocess.Popen(
    [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
)
anyio.run(main, child)
