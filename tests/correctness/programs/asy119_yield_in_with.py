# anyio-lint-test: findings = ["ASY119:22"]
# anyio-lint-test: before = ["connection opened", "query done", "connection closed"]
# anyio-lint-test: after = ["connection opened", "connection closed", "query done"]
# The generator yields inside its connection's block: the consumer stops early, and the connection
# is closed only when the generator is finalised, after the query is done.
import anyio


class Connection:
    async def __aenter__(self):
        print("connection opened")
        return self

    async def __aexit__(self, *exc_info):
        print("connection closed")


async def rows():
    async with Connection():
        for row in range(10):
            await anyio.sleep(0)
            yield row


async def main():
    async for row in rows():
        if row == 1:
            break
    print("query done")


anyio.run(main)
