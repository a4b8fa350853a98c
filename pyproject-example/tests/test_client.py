"""Runs on both anyio backends once the package is migrated (`pytest -p anyio`)."""

import anyio
import pytest

from fetcher.cli import MemoryTransport, main
from fetcher.client import Client, digest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_fetch_checked():
    client = Client(MemoryTransport({"a": b"x"}))
    assert await client.fetch_checked("a") == digest(b"x")
    await client.close()
    assert client.transport.closed


@pytest.mark.anyio
async def test_main_prints(capsys):
    await main(["u1", "u2"], 1.0)
    assert "u1 " in capsys.readouterr().out


@pytest.mark.anyio
async def test_timeout_raises_builtin_timeout_error():
    class Slow(MemoryTransport):
        async def get(self, url):
            await anyio.sleep(1)

    client = Client(Slow({}), timeout=0.01)
    with pytest.raises(TimeoutError):
        await client.fetch("a")
