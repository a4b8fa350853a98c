# anyio-lint-test: withheld = ["AIO212:16"]
"""create_subprocess_exec whose output is collected with communicate() stays on asyncio: anyio's
Process has no communicate(). The process that is only waited for is migrated."""
import asyncio
import sys

CHILD = "import sys; sys.stdout.write(sys.stdin.read().upper()); sys.exit(2)"


async def main():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(b"hello")
    print("out", out, "err", err, "exit", proc.returncode)
    quiet = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; sys.exit(3)", stdout=asyncio.subprocess.DEVNULL
    )
    print("quiet exit", await quiet.wait())


if __name__ == "__main__":
    asyncio.run(main())
