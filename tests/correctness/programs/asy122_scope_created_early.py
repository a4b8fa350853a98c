# anyio-lint-test: findings = ["ASY122:20"]
# anyio-lint-test: before = ["greeting: None"]
# anyio-lint-test: after = ["greeting: hello"]
# `move_on_after` counts from its call, not from the `with`: when the block is entered its deadline
# has passed, and the handshake is cut short.
import anyio


async def connect():
    await anyio.sleep(0.3)


async def handshake():
    await anyio.sleep(0.01)
    return "hello"


async def main():
    greeting = None
    scope = anyio.move_on_after(0.2)
    await connect()
    with scope:
        greeting = await handshake()
    print(f"greeting: {greeting}")


anyio.run(main)
