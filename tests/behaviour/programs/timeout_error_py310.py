# anyio-lint-test: python = "3.10"
"""On Python 3.10 asyncio.TimeoutError is its own class: the rewrite to TimeoutError is unsafe there."""
import asyncio


async def stuck():
    await asyncio.sleep(5)


async def main():
    try:
        await asyncio.wait_for(stuck(), timeout=0.01)
    except asyncio.TimeoutError:
        print("gave up waiting")


if __name__ == "__main__":
    asyncio.run(main())
