# asy126_no_derive.py corrected: `derive()` makes the same class, with the same request.
import anyio


class RequestErrors(ExceptionGroup):
    def __new__(cls, message, errors, request):
        group = super().__new__(cls, message, errors)
        group.request = request
        return group

    def derive(self, errors):
        return RequestErrors(self.message, errors, self.request)


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
