# asy122_scope_created_early.py corrected: creates the scope in the `with`.
import anyio


async def connect():
    await anyio.sleep(0.3)


async def handshake():
    await anyio.sleep(0.01)
    return "hello"


async def main():
    greeting = None
    await connect()
    with anyio.move_on_after(0.2):
        greeting = await handshake()
    print(f"greeting: {greeting}")


anyio.run(main)
