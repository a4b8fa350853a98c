# anyio-lint-test: findings = ["ASY126:9"]
# anyio-lint-test: before = ["the rest is a plain ExceptionGroup: its request is gone"]
# anyio-lint-test: after = ["the rest is a RequestErrors of request 42"]
# `except*` keeps what it does not handle in a group made by `derive()`: without an override,
# the subclass and what it carries are lost.
import anyio


class RequestErrors(ExceptionGroup):
    def __new__(cls, message, errors, request):
        group = super().__new__(cls, message, errors)
        group.request = request
        return group


async def fetch(request):
    raise RequestErrors("fetch failed", [OSError("reset"), ValueError("bad reply")], request)


async def main():
    try:
        try:
            await fetch(42)
        except* OSError:
            pass
    except ExceptionGroup as rest:
        if isinstance(rest, RequestErrors):
            print("the rest is a RequestErrors of request", rest.request)
        else:
            print("the rest is a plain ExceptionGroup: its request is gone")


anyio.run(main)
