# asy210_blocking_http.py corrected: the request runs in a worker thread.
import urllib.request

import anyio


async def handle(client):
    async with client:
        await client.receive()
        await client.send(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")


def fetch_blocking(url):
    with urllib.request.urlopen(url) as response:
        return response.read().decode()


async def fetch(url):
    return await anyio.to_thread.run_sync(fetch_blocking, url)


async def main():
    async with await anyio.create_tcp_listener(local_host="127.0.0.1") as listener:
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, handle)
            print(f"got {await fetch(f'http://127.0.0.1:{port}/')}")
            tg.cancel_scope.cancel()


anyio.run(main)
