# anyio-lint-test: findings = ["ASY210:18"]
# anyio-lint-test: before = ["watchdog: still running after 2 s"]
# anyio-lint-test: after = ["got hello"]
# The blocking request waits, in the event loop's thread, for a server that is a task of the same
# loop: neither can go on.
import urllib.request

import anyio


async def handle(client):
    async with client:
        await client.receive()
        await client.send(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")


async def fetch(url):
    with urllib.request.urlopen(url) as response:
        return response.read().decode()


async def main():
    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, handle)
            print(f"got {await fetch(f'http://127.0.0.1:{port}/')}")
            tg.cancel_scope.cancel()


anyio.run(main)
