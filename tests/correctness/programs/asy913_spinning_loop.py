# anyio-lint-test: findings = ["ASY913:10"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["[0, 1, 2]"]
# While the queue is empty the consumer's loop goes round without a checkpoint: the producer
# never runs again, and the queue stays empty for ever.
import anyio


async def consume(queue, results):
    while True:
        if queue:
            item = queue.pop(0)
            if item is None:
                return
            await anyio.sleep(0)
            results.append(item)


async def produce(queue):
    for item in range(3):
        await anyio.sleep(0.01)
        queue.append(item)
    queue.append(None)


async def main():
    queue, results = [], []
    async with anyio.create_task_group() as tg:
        tg.start_soon(consume, queue, results)
        tg.start_soon(produce, queue)
    print(results)


anyio.run(main)
