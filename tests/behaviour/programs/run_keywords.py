"""asyncio.run of a call with keyword arguments."""
import asyncio


async def greet(name, *, punctuation="."):
    await asyncio.sleep(0)
    print("hello " + name + punctuation)
    return len(name)


if __name__ == "__main__":
    print("length", asyncio.run(greet("world", punctuation="!")))
