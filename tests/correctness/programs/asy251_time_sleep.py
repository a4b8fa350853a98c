# anyio-lint-test: findings = ["ASY251:17"]
# anyio-lint-test: before = ["heartbeats during the work: none"]
# anyio-lint-test: after = ["heartbeats during the work: some"]
# `time.sleep` blocks the event loop: the heartbeat task misses every beat.
import time

import anyio


async def heartbeat(beats):
    while True:
        await anyio.sleep(0.01)
        beats.append(anyio.current_time())


async def work():
    time.sleep(0.3)


async def main():
    beats = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(heartbeat, beats)
        await work()
        print("heartbeats during the work:", "some" if beats else "none")
        tg.cancel_scope.cancel()


anyio.run(main)
