# asy251_time_sleep.py corrected: `anyio.sleep`.
import anyio


async def heartbeat(beats):
    while True:
        await anyio.sleep(0.01)
        beats.append(anyio.current_time())


async def work():
    await anyio.sleep(0.3)


async def main():
    beats = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(heartbeat, beats)
        await work()
        print("heartbeats during the work:", "some" if beats else "none")
        tg.cancel_scope.cancel()


anyio.run(main)
