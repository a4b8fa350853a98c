# anyio-lint-test: findings = ["ASY128:11"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["serving on 8000", "served 3 requests"]
# `start()` returns when the task calls `task_status.started()`: a server that never calls it
# keeps its caller waiting for as long as it serves.
import anyio

PORT = 8000


async def serve(requests, *, task_status=anyio.TASK_STATUS_IGNORED):
    async for request in requests:
        await anyio.sleep(0)


async def main():
    send, receive = anyio.create_memory_object_stream(10)
    async with anyio.create_task_group() as tg:
        await tg.start(serve, receive)
        print("serving on", PORT)
        async with send:
            for request in range(3):
                await send.send(request)
    print("served 3 requests")


anyio.run(main)
