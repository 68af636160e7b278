"""A WSGI app for the gunicorn recipe (see README.md, "Recipes")."""
import os


def app(environ, start_response):
    body = "hello from gunicorn, worker %s (pid %d)\n" % (os.environ.get("SPARK2_WORKER_ID"), os.getpid())
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body.encode()]
