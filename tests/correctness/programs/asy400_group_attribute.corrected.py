# asy400_group_attribute.py corrected: reads the attribute on each exception of the group.
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
        for error in group.exceptions:
            print(f"status {error.status}")


anyio.run(main)
