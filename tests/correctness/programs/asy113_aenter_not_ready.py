# anyio-lint-test: findings = ["ASY113:22"]
# anyio-lint-test: before = ["server not ready yet"]
# anyio-lint-test: after = ["server ready"]
# `__aenter__` starts the server with `start_soon`, which does not wait for it: the block runs
# before the server is ready.
import anyio


class Server:
    def __init__(self):
        self.ready = False

    async def serve(self, *, task_status=anyio.TASK_STATUS_IGNORED):
        await anyio.sleep(0.01)
        self.ready = True
        task_status.started()
        await anyio.sleep_forever()

    async def __aenter__(self):
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self.serve)
        return self

    async def __aexit__(self, *exc_info):
        self._task_group.cancel_scope.cancel()
        return await self._task_group.__aexit__(*exc_info)


async def main():
    async with Server() as server:
        print("server ready" if server.ready else "server not ready yet")


anyio.run(main)
