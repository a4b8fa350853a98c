# any403_break.py corrected: the handler re-raises with a bare `raise`.
import anyio


async def poll(results):
    while True:
        try:
            await anyio.sleep(0.01)
            results.append("tick")
        except anyio.get_cancelled_exc_class():
            print("poller stopping")
            raise
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
