"""create_subprocess_shell runs a string through the shell."""
import asyncio


async def main():
    print("start", flush=True)
    proc = await asyncio.create_subprocess_shell("echo from-the-shell && exit 2")
    print("exit", await proc.wait())


if __name__ == "__main__":
    asyncio.run(main())
