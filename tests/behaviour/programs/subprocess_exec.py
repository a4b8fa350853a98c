"""create_subprocess_exec with inherited output, and asyncio.subprocess constants."""
import asyncio
import sys


async def main():
    print("before", flush=True)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; print('child says hi'); sys.exit(3)"
    )
    code = await proc.wait()
    print("exit", code, flush=True)
    quiet = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "print('never shown')", stdout=asyncio.subprocess.DEVNULL
    )
    print("quiet exit", await quiet.wait())


if __name__ == "__main__":
    asyncio.run(main())
