"""Run a migrated program with every `anyio.run` call on the backend named on the command line.

Usage: python run_on_backend.py BACKEND PROGRAM.py

The program calls `anyio.run(func, *args)`, which defaults to asyncio; this wrapper passes
`backend=BACKEND` instead, and checks inside the event loop that the backend really is the one
asked for, so a program cannot pass by quietly running on asyncio.
"""

import runpy
import sys

import anyio
import sniffio

backend, program = sys.argv[1], sys.argv[2]
original_run = anyio.run


def run_on_backend(func, *args, backend_options=None, **kwargs):
    async def checked():
        running = sniffio.current_async_library()
        if running != backend:
            raise SystemExit(f"expected the {backend} backend, running on {running}")
        return await func(*args)

    return original_run(checked, backend=backend, backend_options=backend_options)


anyio.run = run_on_backend
sys.argv = [program]
runpy.run_path(program, run_name="__main__")
