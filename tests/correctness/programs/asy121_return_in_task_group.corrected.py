# asy121_return_in_task_group.py corrected: cancels the task group, and returns after its block.
import anyio


async def ping(name, delay, replies):
    await anyio.sleep(delay)
    await replies.send(name)
    await anyio.sleep_forever()


async def first_reply(servers):
    send, receive = anyio.create_memory_object_stream(len(servers))
    async with anyio.create_task_group() as tg:
        for name, delay in servers:
            tg.start_soon(ping, name, delay, send)
        reply = await receive.receive()
        tg.cancel_scope.cancel()
    return reply


async def main():
    print("first reply from", await first_reply([("fast", 0.01), ("slow", 1)]))


anyio.run(main)
