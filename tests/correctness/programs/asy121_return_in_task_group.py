# anyio-lint-test: findings = ["ASY121:20"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["first reply from fast"]
# The `return` waits for the task group's tasks, which run for ever: the first reply never comes
# back.
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
        return await receive.receive()


async def main():
    print("first reply from", await first_reply([("fast", 0.01), ("slow", 1)]))


anyio.run(main)
