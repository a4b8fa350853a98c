# asy118_saved_cancelled_class.py corrected: asks for the class where it is caught.
import anyio


async def main():
    with anyio.move_on_after(0.01):
        try:
            await anyio.sleep(1)
        except anyio.get_cancelled_exc_class():
            print("cancelled")
            raise


anyio.run(main)
