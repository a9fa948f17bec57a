"""
The bench's settings: the production configuration (DEBUG off, persistent
connections, a shared Redis cache) plus the in-memory baseline page and a
middleware that reports each request's SQL queries to the bench.
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("CACHE_URL", "rediscache://127.0.0.1:6379/4")
os.environ.setdefault("CONN_MAX_AGE", "600")
# Plain HTTP on 127.0.0.1, as `make serve` (TLS ends at the load balancer in production).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from marketplace.settings import *  # noqa: E402, F403
from marketplace.settings import BASE_DIR, INSTALLED_APPS, MIDDLEWARE, TEMPLATES  # noqa: E402

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
MIDDLEWARE = ["bench.middleware.report_queries", *MIDDLEWARE]
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
