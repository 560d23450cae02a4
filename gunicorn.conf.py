"""Gunicorn settings for Order Desk Academy: gunicorn reads ./gunicorn.conf.py from the directory it starts
in (`make run` and the README's deployment serve from the repository root)."""

import gc


def pre_fork(server, worker):
    """Before each worker is forked from the master (which built the app with --preload): gc.freeze() moves
    every object the master holds to a permanent generation that the worker's collector never walks, so
    collections in the worker do not write to, and so copy, the pages it shares with the master and the
    other workers (the use Python's documentation gives for gc.freeze before fork)."""
    gc.freeze()


def post_fork(server, worker):
    """With --preload the master built the app, its database engine included, before forking this worker:
    the worker must start with connections of its own (app/serving.py says which and why). Nothing to do
    without --preload, nor for the benchmarks' bare hello-world app, which has no database."""
    flask_app = worker.app.callable  # the app the master loaded with --preload; None without it
    if flask_app is None or "sqlalchemy" not in getattr(flask_app, "extensions", {}):
        return
    from app.serving import after_fork  # imported here so that serving hello-world never loads the app

    after_fork(flask_app)
