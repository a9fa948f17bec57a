"""
gunicorn's configuration for the bench, given with `--config` so that the
project's own gunicorn.conf.py (production, `make serve`) is never read by a
bench run: the figures stay comparable whatever production tunes.
"""

workers = 2  # this 2-core machine
worker_class = "sync"
timeout = 600  # generous: the bench measures speed; production keeps its own 30 s (gunicorn.conf.py)
loglevel = "warning"
# As production (gunicorn.conf.py): the app loaded in the master, which builds the listing's
# index before the workers fork, so the workers' memory is measured as production's is.
preload_app = True


def when_ready(server):
    """As production does: catalog.listing.warm.build_before_fork."""
    from catalog.listing import build_before_fork

    build_before_fork(server.log)


def post_request(worker, req, environ, resp):
    """As production does (gunicorn.conf.py): give back what a large request freed (marketplace.memory)."""
    from marketplace.memory import release_if_grown

    release_if_grown()
