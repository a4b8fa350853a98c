"""asyncio.timeout_at with a deadline from the loop clock."""
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 0.01
    try:
        async with asyncio.timeout_at(deadline):
            await asyncio.sleep(5)
    except TimeoutError:
        print("deadline passed")
    print("clock moves", loop.time() >= deadline)


if __name__ == "__main__":
    asyncio.run(main())
