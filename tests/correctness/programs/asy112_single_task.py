# anyio-lint-test: findings = ["ASY112:20"]
# anyio-lint-test: before = ["uncaught ExceptionGroup(ValueError: the source is down)"]
# anyio-lint-test: after = [
# anyio-lint-test:     "refresh failed (the source is down), keeping the cache",
# anyio-lint-test:     "{'answer': 41}",
# anyio-lint-test: ]
# The task group wraps the task's error in an exception group, which `except ValueError` does not
# catch.
import anyio


async def refresh(cache):
    await anyio.sleep(0)
    raise ValueError("the source is down")


async def main():
    cache = {"answer": 41}
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(refresh, cache)
    except ValueError as error:
        print(f"refresh failed ({error}), keeping the cache")
    print(cache)


anyio.run(main)
