"""gunicorn's settings for running under spark2 (see README.md, "Recipes").

spark2 runs N copies of gunicorn, each with one worker process, on its
socket: gunicorn takes fd 3 itself from LISTEN_FDS (no --bind). Run from
this directory (gunicorn reads ./gunicorn.conf.py):

    spark2 -n 2 --ready notify gunicorn app:app

Readiness that means "a worker can serve": gunicorn's master says READY=1 on
NOTIFY_SOCKET as soon as it has booted, before its worker has imported the
app, and spark2 would then stop the old worker while the new one cannot
answer yet. So the master's copy of NOTIFY_SOCKET is taken away here, and
the worker says READY=1 itself once it has loaded the app
(post_worker_init). spark2 hears a worker's descendants too.
"""
import os
import socket

workers = 1
# The default sync worker answers each request with "Connection: close";
# gunicorn's own graceful stop (TERM) lets it finish the one in progress.
worker_class = "sync"
# Below spark2's --stop-timeout (8 s by default), so gunicorn ends its
# worker itself.
graceful_timeout = 6

_notify_socket = os.environ.pop("NOTIFY_SOCKET", None)


def post_worker_init(worker):
    if not _notify_socket:
        return
    address = _notify_socket
    if address.startswith("@"):
        address = "\0" + address[1:]  # an abstract socket, as spark2's is
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(b"READY=1", address)
