"""Run a program on the anyio backend named on the command line, under a watchdog.

Usage: python run.py BACKEND PROGRAM.py

Every `anyio.run(func, *args)` of the program runs on BACKEND, checked inside the event loop so a
program cannot pass by quietly running on asyncio. A program still running after two seconds
(hung, or spinning without a checkpoint) is stopped: the line `watchdog: still running after 2 s`
ends its output. An exception escaping the program ends it with the line `uncaught NAME: MESSAGE`
(`uncaught ExceptionGroup(NAME: MESSAGE, …)` for a group, `uncaught cancellation` for either
backend's cancellation exception). Either way the exit status is 0, so that the
output alone tells what the program did.
"""

import asyncio
import os
import runpy
import sys
import threading

import anyio
import sniffio

LIMIT = 2

backend, program = sys.argv[1], sys.argv[2]
# Imported before the watchdog starts (trio's import is slow), for its cancellation exception.
import trio

sys.stdout.reconfigure(line_buffering=True)
original_run = anyio.run


def run_on_backend(func, *args, backend_options=None, **kwargs):
    async def checked():
        running = sniffio.current_async_library()
        if running != backend:
            raise SystemExit(f"expected the {backend} backend, running on {running}")
        return await func(*args)

    return original_run(checked, backend=backend, backend_options=backend_options)


def stop():
    print(f"watchdog: still running after {LIMIT} s")
    os._exit(0)


def describe(error):
    if isinstance(error, (asyncio.CancelledError, trio.Cancelled)):
        # Each backend names and words its cancellation its own way.
        return "cancellation"
    if isinstance(error, BaseExceptionGroup):
        leaves = ", ".join(describe(leaf) for leaf in error.exceptions)
        return f"{type(error).__name__}({leaves})"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


watchdog = threading.Timer(LIMIT, stop)
watchdog.daemon = True
watchdog.start()
anyio.run = run_on_backend
sys.argv = [program]
try:
    runpy.run_path(program, run_name="__main__")
except (SystemExit, KeyboardInterrupt):
    raise
except BaseException as error:
    print(f"uncaught {describe(error)}")
