"""A pytest-asyncio test module, migrated to anyio's plugin by tests/behaviour.rs."""
import asyncio

import pytest
import pytest_asyncio

pytestmark = [pytest.mark.asyncio]


class Counter:
    def __init__(self):
        self.value = 0
        self.lock = asyncio.Lock()

    async def bump(self):
        async with self.lock:
            current = self.value
            await asyncio.sleep(0)
            self.value = current + 1


async def slow(value, delay):
    await asyncio.sleep(delay)
    return value


@pytest_asyncio.fixture
async def counter():
    created = Counter()
    yield created
    await asyncio.sleep(0)


@pytest_asyncio.fixture(scope="module")
async def greeting():
    await asyncio.sleep(0)
    return "hello"


async def test_bumps_are_serialised(counter):
    async with asyncio.TaskGroup() as tg:
        for _ in range(10):
            tg.create_task(counter.bump())
    assert counter.value == 10


@pytest.mark.asyncio
async def test_wait_for_times_out():
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(slow(1, 5), 0.01)


@pytest.mark.asyncio()
async def test_gather_keeps_argument_order():
    first, second = await asyncio.gather(slow(1, 0.02), slow(2, 0.001))
    assert (first, second) == (1, 2)


async def test_module_fixture(greeting):
    assert greeting == "hello"


async def test_event_is_one_shot():
    ready = asyncio.Event()
    ready.set()
    await ready.wait()
    assert ready.is_set()


def test_sync_tests_are_untouched():
    assert sum([1, 2]) == 3
