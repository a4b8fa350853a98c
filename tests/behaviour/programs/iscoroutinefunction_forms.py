"""iscoroutinefunction on async functions, partials and mocks of them, and plain callables.

Functions carrying asyncio's own `_is_coroutine` marker are left out: asyncio answers True for
them and inspect answers False, which is why the rewrite is an unsafe fix.
"""
import asyncio
import functools
from unittest import mock


async def fetch(url):
    return url


def parse(text):
    return text


class Client:
    async def get(self):
        return 1

    def close(self):
        return None


class Handler:
    async def __call__(self):
        return None


def describe(name, func):
    print(name, asyncio.iscoroutinefunction(func))


async def main():
    client = Client()
    describe("async def", fetch)
    describe("partial of an async def", functools.partial(fetch, "x"))
    describe("bound async method", client.get)
    describe("AsyncMock", mock.AsyncMock())
    describe("plain function", parse)
    describe("bound method", client.close)
    describe("lambda", lambda: None)
    describe("object with an async __call__", Handler())
    print("passed as a value", list(map(asyncio.iscoroutinefunction, [fetch, parse])))


if __name__ == "__main__":
    asyncio.run(main())
