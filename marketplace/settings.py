"""
Settings for the Atelier marketplace, read from the environment.

With nothing set, the project runs for development: SQLite in the project
folder, media on the local disk, email printed to the console and a
local-memory cache. Every variable is listed in the README's table.
With DEBUG off, a missing secret or host list stops the start with a message
naming the variable to set, instead of running half-configured.
"""

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
    "artisans",
    "catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "catalog.context_processors.site",
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

# --- Cache --------------------------------------------------------------------

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://atelier"),
}

# --- Email --------------------------------------------------------------------

vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Atelier <hello@atelier.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Static files and media ---------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

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
# both templates exist (templates/account/email/).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "catalog:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "catalog:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Atelier: "
# Failed sign-ins are counted in the cache: per address (IP) and per account
# (key). A shared Redis cache (CACHE_URL) makes the counts hold across workers.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
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
