# anyio-lint-test: findings = ["ANY404:17"]
# anyio-lint-test: before = ["read 42: the deadline was ignored"]
# anyio-lint-test: after = ["timed out"]
# The block of `fail_after` never awaits, so its deadline cannot interrupt the blocking call.
import time

import anyio


def read_sensor():
    time.sleep(0.3)
    return 42


async def main():
    try:
        with anyio.fail_after(0.05):
            value = read_sensor()
        print(f"read {value}: the deadline was ignored")
    except TimeoutError:
        print("timed out")


anyio.run(main)
