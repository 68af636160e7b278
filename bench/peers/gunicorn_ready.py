"""gunicorn config (-c) for spark2 --ready notify: say READY=1 when a worker
has loaded the app, not when the arbiter has booted.

gunicorn 20.1's own systemd support sends READY=1 from its arbiter as soon as
its listeners are set up, before it forks its first worker; spark2 then stops
the old worker while the new one is still importing the app. This hook moves
the message to the moment a worker is ready to accept. Only the reload figure's
"spark2 + worker READY" row uses it."""
import os
import socket

_notify = None


def on_starting(server):
    # Keep the arbiter's own sd_notify quiet: it runs after this hook.
    global _notify
    _notify = os.environ.pop("NOTIFY_SOCKET", None)


def post_worker_init(worker):
    if not _notify:
        return
    addr = "\0" + _notify[1:] if _notify.startswith("@") else _notify
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(addr)
        s.send(b"READY=1")
