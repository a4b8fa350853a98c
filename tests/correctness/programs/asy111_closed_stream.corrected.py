# asy111_closed_stream.py corrected: the task group is the inner context manager.
import anyio


async def produce(send):
    await anyio.sleep(0.01)
    await send.send("hello")


async def main():
    send_stream, receive_stream = anyio.create_memory_object_stream(1)
    async with send_stream as send:
        async with anyio.create_task_group() as tg:
            tg.start_soon(produce, send)
    print(f"received {receive_stream.receive_nowait()}")


anyio.run(main)
