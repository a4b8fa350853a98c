"""The download client."""

import asyncio
import hashlib


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Client:
    def __init__(self, transport, timeout: float = 10.0) -> None:
        self.transport = transport
        self.timeout = timeout
        self.lock = asyncio.Lock()
        self.done = asyncio.Event()

    async def fetch(self, url: str) -> bytes:
        data = await asyncio.wait_for(self.transport.get(url), timeout=self.timeout)
        return data

    async def fetch_checked(self, url: str) -> str:
        data = await self.fetch(url)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, digest, data)

    async def pause(self) -> None:
        await asyncio.sleep(0.01)

    async def close(self) -> None:
        async with self.lock:
            await asyncio.wait_for(self.transport.close(), 5)
        self.done.set()
