"""except asyncio.CancelledError runs its cleanup when a timeout cancels the work."""
import asyncio


async def worker(log):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        log.append("cleanup ran")
        raise


async def main():
    log = []
    try:
        await asyncio.wait_for(worker(log), 0.01)
    except asyncio.TimeoutError:
        log.append("timed out")
    print(log)


if __name__ == "__main__":
    asyncio.run(main())
