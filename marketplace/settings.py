"""
Settings for the Atelier marketplace, read from the environment.

With nothing set, the project runs for development: SQLite in the project
folder, media on the local disk, email printed to the console and a
local-memory cache. Every variable is listed in the README's table.
With DEBUG off, a missing secret or host list stops the start with a message
naming the variable to set, instead of running half-configured.
"""

import hashlib
import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

# The key that development runs on; refused whenever DEBUG is off.
DEVELOPMENT_SECRET_KEY = "django-insecure-atelier-development-only"

env = environ.Env()
# A local .env file is read when present, so a developer can keep overrides
# out of the shell; the environment itself always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core ---------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

# A one-line message and a non-zero exit, not a traceback: the fix is a variable to set.
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    sys.exit("Atelier will not start: DEBUG is off, so set SECRET_KEY to a long random value.")
if not DEBUG and not ALLOWED_HOSTS:
    sys.exit("Atelier will not start: DEBUG is off, so set ALLOWED_HOSTS to this site's host names, comma-separated.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "django_htmx",
    "imagekit",
    "allauth",
    "allauth.account",
    "csp",
    "storages",
    "django_tasks",
    "django_tasks_db",
    "artisans",
    "catalog",
]

# marketplace.middleware: the request log is outermost so that it times and
# records every answer, the friendly 503 included; WhiteNoise answers static
# files before sessions or the database are touched.
MIDDLEWARE = [
    "marketplace.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "marketplace.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "marketplace.middleware.ReplicaReadsMiddleware",
    "marketplace.middleware.DatabaseUnavailableMiddleware",
    "marketplace.middleware.StorageUnavailableMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalog.pages.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A read-only replica: public pages read from it on GET (see marketplace.db_router);
# everything in a write path, and every transaction, reads the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests run against one database: the replica alias mirrors the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that does not answer costs a request at most this long (seconds), then the primary is read.
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT", default=1)
        )
DATABASE_ROUTERS = ["marketplace.db_router.PrimaryReplicaRouter"]
# marketplace.db_router: a replica that failed is not tried again for REPLICA_COOLDOWN seconds; one whose
# replay lag (measured at most every REPLICA_LAG_CHECK_SECONDS) is past REPLICA_MAX_LAG seconds is not read;
# a visitor who wrote reads the primary for REPLICA_AFTER_WRITE_SECONDS (longer than the lag bound).
REPLICA_COOLDOWN = env.float("REPLICA_COOLDOWN", default=5.0)
REPLICA_MAX_LAG = env.float("REPLICA_MAX_LAG", default=5.0)
REPLICA_LAG_CHECK_SECONDS = env.float("REPLICA_LAG_CHECK_SECONDS", default=2.0)
REPLICA_AFTER_WRITE_SECONDS = env.int("REPLICA_AFTER_WRITE_SECONDS", default=max(1, round(REPLICA_MAX_LAG * 3)))

# --- Cache --------------------------------------------------------------------


def _source_digest():
    """A digest of the code and templates, so that each release reads and writes its own cache keys."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in ("artisans", "catalog", "marketplace", "templates"):
        for path in sorted((BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "tests" not in path.parts:
                digest.update(path.read_bytes())
    return digest.hexdigest()


# What cached fragments and figures (piece cards, facet options) were made by: a deploy of new code
# starts new keys, so it never serves HTML or facet lists cached by the previous release. Sessions
# and rate-limit counters are not keyed by it: they outlive a deploy.
RELEASE = env.str("RELEASE", default="") or _source_digest()


CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://atelier"),
}
# Redis behind a circuit breaker (marketplace/cache.py): when it is unreachable, each worker serves
# from its own memory instead of failing, and waits at most these timeouts (seconds) to find out.
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"]["BACKEND"] = "marketplace.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.5),
        }
    )
# With a shared cache (Redis), sessions are read from there, and written to the database too: every
# app server sees the same sessions, a request whose session is cached reads none from the database
# (so the friendly 503 keeps working while the database is away), and a Redis restart signs no one out.
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Email --------------------------------------------------------------------

# Every email goes through the outbox (catalog.outbox, docs/deploy.md): EMAIL_BACKEND queues it in the
# database with the change it tells of; the backend EMAIL_URL names delivers it, right after the commit
# (OUTBOX_DELIVER) and from the `send_outbox` worker, retried with backoff up to OUTBOX_MAX_ATTEMPTS.
vars().update(env.email("EMAIL_URL", default="consolemail://"))
OUTBOX_DELIVERY_BACKEND = EMAIL_BACKEND  # noqa: F821 (set by env.email above)
EMAIL_BACKEND = "catalog.outbox.backend.OutboxBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=5)
OUTBOX_DELIVER = env.str("OUTBOX_DELIVER", default="on_commit")  # or "worker": only send_outbox sends
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=16)
# The wait after an email's first failed attempt (seconds); it doubles after each one, up to 6 hours.
OUTBOX_FIRST_WAIT = env.int("OUTBOX_FIRST_WAIT", default=60)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Atelier <hello@atelier.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static files and media ---------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# In development and tests WhiteNoise finds static files where they are, as runserver does,
# instead of in a STATIC_ROOT that only `collectstatic` (production) fills.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = env.str("MEDIA_URL", default="media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Django itself serves media from MEDIA_ROOT: fine for development and one machine, not for scale-out.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)

# Media on the local disk by default; on S3-compatible object storage (AWS,
# MinIO, Ceph, R2…) when S3_BUCKET is set, so that every app server sees the
# same photos. Static files: WhiteNoise serves them from each app server, with
# hashed names (cached forever by browsers) and precompressed, once DEBUG is off
# (`collectstatic` first; `make serve` does it).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if env.str("S3_BUCKET", default=""):
    from botocore.config import Config as BotocoreConfig

    # marketplace.storage: a storage call that fails (or outlasts these timeouts, in seconds: one attempt,
    # no retries) refuses the upload with a message, and the worker stops trying for a cool-down.
    STORAGES["default"] = {
        "BACKEND": "marketplace.storage.ResilientS3Storage",
        "OPTIONS": {
            "client_config": BotocoreConfig(
                connect_timeout=env.float("S3_CONNECT_TIMEOUT", default=2.0),
                read_timeout=env.float("S3_READ_TIMEOUT", default=5.0),
                retries={"total_max_attempts": 1, "mode": "standard"},
                s3={"addressing_style": env.str("S3_ADDRESSING_STYLE", default="auto")},
            ),
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default=None),
            "region_name": env.str("S3_REGION", default=None),
            "access_key": env.str("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default=None),
            # Photos are public; renditions are linked straight from the bucket
            # (or its CDN) without signed URLs, which would defeat caching.
            "custom_domain": env.str("S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# Renditions are made once, when their source image is saved (or by the demo
# seed), so that a page never resizes an image while a shopper waits.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# The image pipeline (artisans/images.py): the largest photo file accepted, and
# the most pixels one may decode to, which stops decompression bombs.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)

# --- Authentication -----------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts (django-allauth) ------------------------------------------------

# Shoppers and makers alike sign in with their email address, verified before
# the first sign-in. allauth sends each email as HTML with a text part when
# both templates exist (templates/account/email/); the adapter gives them the
# site's name and address (SITE_NAME, SITE_URL) rather than the request's host.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "catalog:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "catalog:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Sign-up also asks the names makers will see (a display name, else "Ada L."; never the address):
# allauth's form inherits from this one (the people room's, named here by a string).
ACCOUNT_SIGNUP_FORM_CLASS = "catalog.people.forms.SignupNamesForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Atelier: "
ACCOUNT_ADAPTER = "marketplace.accounts.AccountAdapter"
# Failed sign-ins are counted in the cache: per address (IP) and per account
# (key). A shared Redis cache (CACHE_URL) makes the counts hold across workers.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
}

# --- Production: HTTPS, security headers, the Content-Security-Policy ---------

# Every default below is the production one once DEBUG is off; `manage.py check
# --deploy` then reports nothing (tests/test_production.py holds it to that).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer answers its health checks over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's):
# the app servers then know a request came in over HTTPS.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by marketplace.middleware.PermissionsPolicyMiddleware: the site uses none of these.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# No inline script or style anywhere (templates load site.css and the js files
# from static/); images may also come from the media storage's own origin.
_media_origin = [MEDIA_URL] if MEDIA_URL.startswith("https://") else []
if env.str("S3_CUSTOM_DOMAIN", default=""):
    _media_origin = ["https://" + env.str("S3_CUSTOM_DOMAIN")]
elif env.str("S3_ENDPOINT_URL", default=""):
    _media_origin = [env.str("S3_ENDPOINT_URL")]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_media_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The admin's address: set ADMIN_URL to something not guessable in production.
# With or without slashes, it becomes "path/".
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"
# A refused form token gets the site's friendly 403 page, not Django's.
CSRF_FAILURE_VIEW = "marketplace.errors.csrf_failure"

# --- Logs ---------------------------------------------------------------------

# One JSON object per line on stderr, for the log collector: the request log
# (method, path, status, duration, user id), and Django's own errors with their
# traceback folded into the same line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "marketplace.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request log says it once; Django's own line per 4xx would say it twice.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- The marketplace ----------------------------------------------------------

SITE_NAME = "Atelier"
# The site's address, for links in email (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# One currency for the whole site; prices are stored as decimals in it.
CURRENCY = env.str("CURRENCY", default="EUR")
PIECES_PER_PAGE = 24
# Piece page views are counted in each worker's memory and written at most this often (seconds),
# so that a page view costs no database write; 0 writes on every view.
PIECE_VIEWS_FLUSH_SECONDS = env.int("PIECE_VIEWS_FLUSH_SECONDS", default=10)

# Personalization requests: how many a shopper may open an hour and how many
# messages anyone may send a minute (counted in the cache), and the longest message.
REQUESTS_PER_HOUR = env.int("REQUESTS_PER_HOUR", default=5)
MESSAGES_PER_MINUTE = env.int("MESSAGES_PER_MINUTE", default=6)
REQUEST_MESSAGE_MAX = 4000

# Saved searches (catalog.shoppers.searches): how many a shopper may keep, how many saves or edits
# a shopper may make an hour (counted in the cache), and their alerts (catalog.shoppers.alerts):
# the most pieces one search lists in a digest (a link shows the rest) and how long an
# unsubscribe link in an email keeps working.
SAVED_SEARCHES_MAX = env.int("SAVED_SEARCHES_MAX", default=50)
SEARCH_EDITS_PER_HOUR = env.int("SEARCH_EDITS_PER_HOUR", default=60)
ALERT_PIECES_PER_SEARCH = 12
# A run of send_alerts queues the digests of this many shoppers per transaction (all or nothing for them;
# one transaction per shopper made 100,000 searches take over 3 minutes: bench/README.md).
ALERT_SHOPPERS_PER_TRANSACTION = env.int("ALERT_SHOPPERS_PER_TRANSACTION", default=100)
ALERT_UNSUBSCRIBE_MAX_AGE_DAYS = 90

# Saved pieces and followed makers: how many toggles a visitor (their account, or their session
# when not signed in) may press a minute, counted in the cache (catalog.shoppers.views).
SAVES_PER_MINUTE = env.int("SAVES_PER_MINUTE", default=60)
FOLLOWS_PER_MINUTE = env.int("FOLLOWS_PER_MINUTE", default=30)
# The studio's changes to many pieces at once and its duplicates: how many a maker may ask for a
# minute (catalog.studio.bulk, catalog.studio.duplicate_views); each one writes many rows.
STUDIO_CHANGES_PER_MINUTE = env.int("STUDIO_CHANGES_PER_MINUTE", default=30)
# The most pieces a visitor who is not signed in keeps saved in their session, newest first.
SESSION_SAVES_MAX = 200

# --- Background tasks ---------------------------------------------------------

# Slow work (an import of a maker's catalog: catalog.imports.jobs) runs outside the request, through
# Django's tasks framework (the django-tasks backport) and its database backend: a task is a row in the
# site's own database, run by `manage.py db_worker` (`make run` starts one beside the development server;
# production runs them as services: docs/deploy.md). No other service to run, and a task enqueued in a
# transaction that rolls back is never seen.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# An import's worker writes a heartbeat after every row; a job whose heartbeat is older than this
# (seconds) lost its worker, and `resume_imports` queues it again: it carries on after the rows already
# written. A job is tried at most IMPORT_MAX_ATTEMPTS times, then stopped with a message to the maker.
IMPORT_STALE_AFTER = env.int("IMPORT_STALE_AFTER", default=120)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=3)

# --- Imports ------------------------------------------------------------------

# A maker's catalog brought in from a spreadsheet (catalog.imports): the most data rows one CSV may
# hold, and its largest size in bytes; a bigger file is refused with a message before it is read
# whole (docs/imports.md and the template's guide say both).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=5000)
IMPORT_MAX_CSV_BYTES = env.int("IMPORT_MAX_CSV_BYTES", default=10 * 1024 * 1024)
# How many times a minute a maker may download their pieces (/studio/export.csv reads every piece).
IMPORT_EXPORTS_PER_MINUTE = env.int("IMPORT_EXPORTS_PER_MINUTE", default=10)
# How many files a maker may upload for a preview per hour (catalog.studio.import_views): each is read whole.
IMPORTS_PER_HOUR = env.int("IMPORTS_PER_HOUR", default=30)

# The zip of photos (catalog.imports.photos). Sized for the 2,000-photo catalog an import aims at:
# phones' JPEGs and marketplaces' full-size downloads weigh 1 to 3 MB, so 2,000 photos are about
# 4 GB at most; photos barely compress, so a member inflating more than IMPORT_MAX_ZIP_RATIO times
# its stored size is a zip bomb, not a photo. Each member is read alone, in memory, within
# MAX_UPLOAD_BYTES: nothing of the zip is ever written to disk.
IMPORT_MAX_ZIP_ENTRIES = env.int("IMPORT_MAX_ZIP_ENTRIES", default=5000)
IMPORT_MAX_ZIP_BYTES = env.int("IMPORT_MAX_ZIP_BYTES", default=4 * 1024 * 1024 * 1024)
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)
# Photos fetched from the URLs a spreadsheet gives (catalog.imports.fetch): off unless turned on,
# and then only over https from public addresses (the guard against server-side request forgery),
# within MAX_UPLOAD_BYTES, a connect timeout and a total time per photo (seconds).
IMPORT_FETCH_PHOTOS = env.bool("IMPORT_FETCH_PHOTOS", default=False)
IMPORT_FETCH_CONNECT_TIMEOUT = env.float("IMPORT_FETCH_CONNECT_TIMEOUT", default=5.0)
IMPORT_FETCH_TOTAL_TIMEOUT = env.float("IMPORT_FETCH_TOTAL_TIMEOUT", default=20.0)
# Addresses the guard lets through although they are not public, over http too: empty in every
# deployment; the tests set it to reach their own local server, and nothing else.
IMPORT_FETCH_TEST_ADDRESSES = frozenset()
