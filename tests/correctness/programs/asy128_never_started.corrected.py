# asy128_never_started.py corrected: the server reports ready before it serves.
import anyio

PORT = 8000


async def serve(requests, *, task_status=anyio.TASK_STATUS_IGNORED):
    task_status.started()
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
