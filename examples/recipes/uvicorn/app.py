"""An ASGI app for the uvicorn recipe (see README.md, "Recipes"):

    spark2 -n 2 --ready notify python3 -m uvicorn --fd 3 app:app

It says READY=1 on spark2's NOTIFY_SOCKET when uvicorn has started it (the
ASGI lifespan's startup): the app is loaded, and uvicorn accepts on fd 3
right after.
"""
import os
import socket


def notify_ready():
    address = os.environ.pop("NOTIFY_SOCKET", None)
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket, as spark2's is
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"READY=1", address)


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                notify_ready()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = ("hello from uvicorn, worker %s (pid %d)\n" % (os.environ.get("SPARK2_WORKER_ID"), os.getpid())).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
