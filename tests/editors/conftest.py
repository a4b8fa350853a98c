"""The client fixture: `anyio-lint server` started for each test, driven by pytest-lsp, shut down
as an editor shuts it down (and required to exit with 0 then)."""

from __future__ import annotations

import os

import pytest
import pytest_lsp
from lsp_session import BINARY, make_client
from pytest_lsp import ClientServerConfig, LanguageClient


def pytest_configure(config):
    if not BINARY or not os.access(BINARY, os.X_OK):
        raise pytest.UsageError(
            "ANYIO_LINT_BIN must name the anyio-lint binary to test "
            f"(it is {BINARY!r}): `cargo test --test editor_clients` sets it, or run "
            "`ANYIO_LINT_BIN=target/debug/anyio-lint pytest tests/editors` after `cargo build`"
        )


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[BINARY, "server"], client_factory=make_client)
)
async def client(lsp_client: LanguageClient):
    yield
    initialized = lsp_client.capabilities is not None
    await lsp_client.shutdown_session()
    if initialized:
        assert lsp_client._server.returncode == 0, "the server did not exit with 0 after shutdown"
