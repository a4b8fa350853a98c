"""fetcher: download many URLs with bounded concurrency and timeouts."""

from fetcher.client import Client

__all__ = ["Client"]
