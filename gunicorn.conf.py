"""Gunicorn settings for Order Desk Academy: gunicorn reads ./gunicorn.conf.py from the directory it starts
in (`make run` and the README's deployment serve from the repository root)."""


def post_fork(server, worker):
    """With --preload the master built the app, its database engine included, before forking this worker:
    the worker must start with connections of its own (app/serving.py says which and why)."""
    flask_app = worker.app.callable  # the app the master loaded with --preload; None without it
    if flask_app is not None and "sqlalchemy" in getattr(flask_app, "extensions", {}):  # not bench's hello-world app
        from app.serving import after_fork  # imported only where this app runs: hello-world stays bare

        after_fork(flask_app)
