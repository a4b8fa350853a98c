# anyio-lint-test: findings = ["ASY102:18"]
# anyio-lint-test: before = ["cleanup cut short"]
# anyio-lint-test: after = ["['goodbye sent']"]
# The `finally` awaits while the task is being cancelled: the cancellation is raised again at
# that checkpoint, and the cleanup after it never runs.
import anyio


async def send_goodbye(log):
    await anyio.sleep(0)
    log.append("goodbye sent")


async def serve(log):
    try:
        await anyio.sleep(1)
    finally:
        await send_goodbye(log)


async def main():
    log = []
    with anyio.move_on_after(0.05):
        await serve(log)
    print(log or "cleanup cut short")


anyio.run(main)
