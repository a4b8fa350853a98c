"""Command line entry point."""

import asyncio
import sys

from fetcher.client import Client


class MemoryTransport:
    def __init__(self, pages):
        self.pages = pages
        self.closed = False

    async def get(self, url):
        await asyncio.sleep(0)
        return self.pages[url]

    async def close(self):
        self.closed = True


# The timeout is the client's own, for each request: not one around the whole run.
async def main(urls, timeout):  # noqa: ASY109
    client = Client(MemoryTransport({u: u.encode() for u in urls}), timeout=timeout)
    for url in urls:
        print(url, await client.fetch_checked(url))
    await client.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:], 5.0))
