"""The WSGI app of the peer benchmark (bench/peers/run.sh): the same few lines
under gunicorn alone and under spark2. GET / answers with the worker's pid;
GET /health answers "ok" (what an HTTP health check would ask)."""
import os

PID = str(os.getpid()).encode()


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/health":
        body = b"ok\n"
    else:
        body = b"hello from " + PID + b"\n"
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
