# anyio-lint-test: python = "3.11"
"""asyncio.TimeoutError imported by name and under an alias."""
import asyncio
from asyncio import TimeoutError
from asyncio import TimeoutError as WaitTimeout


async def forever():
    await asyncio.sleep(5)


async def attempt(label):
    try:
        await asyncio.wait_for(forever(), 0.01)
    except TimeoutError:
        print(label, "caught by the name")


async def attempt_alias(label):
    try:
        await asyncio.wait_for(forever(), 0.01)
    except WaitTimeout:
        print(label, "caught by the alias")


async def main():
    await attempt("first")
    await attempt_alias("second")


if __name__ == "__main__":
    asyncio.run(main())
