# anyio-lint-test: findings = ["ASY111:18"]
# anyio-lint-test: before = ["uncaught ExceptionGroup(ClosedResourceError)"]
# anyio-lint-test: after = ["received hello"]
# The send stream is closed as its `async with` ends, before the task group waits for its task: the
# task finds it closed.
import anyio


async def produce(send):
    await anyio.sleep(0.01)
    await send.send("hello")


async def main():
    send_stream, receive_stream = anyio.create_memory_object_stream(1)
    async with anyio.create_task_group() as tg:
        async with send_stream as send:
            tg.start_soon(produce, send)
    print(f"received {receive_stream.receive_nowait()}")


anyio.run(main)
