# asy123_raise_child.py corrected: raises a new exception from the group.
import anyio


class ConnectionFailed(Exception):
    pass


async def connect(host):
    await anyio.sleep(0)
    try:
        {}[host]
    except KeyError:
        raise ConnectionFailed(host)


async def connect_all(hosts):
    try:
        async with anyio.create_task_group() as tg:
            for host in hosts:
                tg.start_soon(connect, host)
    except* ConnectionFailed as group:
        raise ConnectionError("could not connect") from group


def report(error):
    """The exceptions a traceback shows for `error`, outermost first."""
    seen = []
    while error is not None and error not in seen:
        seen.append(error)
        if isinstance(error, BaseExceptionGroup):
            error = error.exceptions[0]
        else:
            error = error.__cause__ or error.__context__
    return " <- ".join(type(error).__name__ for error in seen)


async def main():
    try:
        await connect_all(["db"])
    except Exception as error:
        print(report(error))


anyio.run(main)
