# anyio-lint-test: findings = ["ASY125:16"]
# anyio-lint-test: before = ["downloaded: None"]
# anyio-lint-test: after = ["downloaded: data"]
# A deadline is a time of the event loop's clock, which is far past 30 on either backend: the
# download is cancelled at once.
import anyio


async def download():
    await anyio.sleep(0.01)
    return "data"


async def main():
    data = None
    with anyio.move_on_at(30):
        data = await download()
    print(f"downloaded: {data}")


anyio.run(main)
