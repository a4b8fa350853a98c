# any404_blocking_call.py corrected: the blocking call runs in a worker thread, awaited.
import time

import anyio


def read_sensor():
    time.sleep(0.3)
    return 42


async def main():
    try:
        with anyio.fail_after(0.05):
            value = await anyio.to_thread.run_sync(read_sensor, abandon_on_cancel=True)
        print(f"read {value}: the deadline was ignored")
    except TimeoutError:
        print("timed out")


anyio.run(main)
