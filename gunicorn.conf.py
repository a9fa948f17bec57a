"""
gunicorn's configuration for Atelier: `gunicorn -c gunicorn.conf.py marketplace.wsgi`.

Each value may be overridden from the environment (GUNICORN_WORKERS…) or on the
command line. Sync workers: Django's views block on the database, and one
worker per request keeps a slow request from holding up others in its worker.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual rule, (2 × cores) + 1: while one worker waits on PostgreSQL another computes.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is killed and its worker replaced: the
# slowest page (a large listing) answers in well under a second.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Behind a load balancer that keeps connections open to the app servers.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Recycle each worker now and then, so a slow leak never grows without bound;
# the jitter keeps the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Load the app once in the master, so a broken configuration stops the start
# instead of looping workers (the settings exit with a message naming the fix).
preload_app = True

# The access log, one line per request on stdout in the common format plus the
# milliseconds taken; the site's own structured request log (JSON on stderr,
# with the user id) is the one to parse.
# GUNICORN_ACCESS_LOG="" turns it off (the load tests do, to keep their logs small).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the load balancer talks to gunicorn; its X-Forwarded-For is believed from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (`gunicornc`) is one fixed path per user: two instances on one
# host would fight over it, and nothing here uses it.
control_socket_disable = True


def when_ready(server):
    """The listing's index built in the master before the workers fork (catalog.listing.warm.build_before_fork)."""
    from catalog.listing import build_before_fork

    build_before_fork(server.log)


def post_request(worker, req, environ, resp):
    """Give back what a large request freed (the index built, the guide computed): marketplace.memory."""
    from marketplace.memory import release_if_grown

    release_if_grown()


def worker_exit(server, worker):
    """Write the piece views the worker counted in memory (catalog.pages.view_counts) before it goes."""
    from catalog.pages import view_counts as piece_views

    piece_views.flush()
