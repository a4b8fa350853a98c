# anyio-lint-test: findings = ["ASY104:15"]
# anyio-lint-test: before = ["uncaught RuntimeError: download stopped"]
# anyio-lint-test: after = ["download stopped", "gave up waiting, as asked"]
# The handler turns the cancellation into another exception: the timeout's scope does not
# recognise it, and what should have been a quiet give-up becomes an error.
import anyio


async def download(progress):
    try:
        for chunk in range(100):
            await anyio.sleep(0.01)
            progress.append(chunk)
    except anyio.get_cancelled_exc_class() as error:
        raise RuntimeError("download stopped") from error


async def main():
    progress = []
    with anyio.move_on_after(0.05):
        await download(progress)
    print("gave up waiting, as asked")


anyio.run(main)
