"""
gunicorn's configuration for the bench, given with `--config` so that the
project's own gunicorn.conf.py (production, `make serve`) is never read by a
bench run: the figures stay comparable whatever production tunes.
"""

workers = 2  # this 2-core machine
worker_class = "sync"
timeout = 600  # the first request of a worker builds the listing's index
loglevel = "warning"


def post_request(worker, req, environ, resp):
    """As production does (gunicorn.conf.py): give back what a large request freed (marketplace.memory)."""
    from marketplace.memory import release_if_grown

    release_if_grown()
