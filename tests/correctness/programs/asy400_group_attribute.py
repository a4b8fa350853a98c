# anyio-lint-test: findings = ["ASY400:25"]
# anyio-lint-test: before = [
# anyio-lint-test:     "uncaught AttributeError: 'ExceptionGroup' object has no attribute 'status'",
# anyio-lint-test: ]
# anyio-lint-test: after = ["status 404"]
# In an `except*` handler the name is bound to the exception group, which has no `status`.
import anyio


class HTTPError(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


async def fetch(url):
    await anyio.sleep(0)
    raise HTTPError(404)


async def main():
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(fetch, "/missing")
    except* HTTPError as group:
        print(f"status {group.status}")


anyio.run(main)
