# anyio-lint-test: findings = ["ANY403:18", "ASY104:20"]
# anyio-lint-test: before = [
# anyio-lint-test:     "poller stopping",
# anyio-lint-test:     "poller returns",
# anyio-lint-test:     "no timeout: the cancellation was swallowed",
# anyio-lint-test: ]
# anyio-lint-test: after = ["poller stopping", "timed out"]
# The handler leaves the loop with `break`: the timeout's cancellation never reaches its scope,
# so `fail_after` raises nothing and the caller believes the poll finished in time.
import anyio


async def poll(results):
    while True:
        try:
            await anyio.sleep(0.01)
            results.append("tick")
        except anyio.get_cancelled_exc_class():
            print("poller stopping")
            break
    print("poller returns")


async def main():
    results = []
    try:
        with anyio.fail_after(0.1):
            await poll(results)
    except TimeoutError:
        print("timed out")
    else:
        print("no timeout: the cancellation was swallowed")


anyio.run(main)
