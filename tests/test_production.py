"""
The production configuration: deployment checks, security headers, the friendly
error pages (503 while the database is away), /healthz, the request log, the
replica router and the settings that scale out (Redis sessions, S3 media).
"""

import gc
import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.test import Client
from django.urls import reverse

from artisans.tests.factories import UserFactory
from catalog.pages import views as catalog_views
from catalog.tests.factories import PieceFactory
from marketplace import db_router
from marketplace.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p9-Lq2vX7mRk4Tz8Wc1Hn6Bj3Fd5Gs0Ya-Ue2Io7Pl4Kx9Mv1Nb8Qw3Er6Ty5Zu0",
    "ALLOWED_HOSTS": "atelier.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/atelier",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}
HTML_SECURITY_HEADERS = (
    "Content-Security-Policy",
    "Referrer-Policy",
    "X-Content-Type-Options",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)


def clean_environ():
    """
    This process's environment without the site's variables, nor the one the browser tests set
    (DJANGO_ALLOW_ASYNC_UNSAFE), which the deploy checks rightly refuse.
    """
    return {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE"}}


def run_django(code, **env):
    """Run `code` after django.setup() in a fresh interpreter with exactly these variables; return the process."""
    keep = {k: v for k, v in clean_environ().items() if k not in {"MEDIA_ROOT", "S3_BUCKET", "ADMIN_URL"}}
    return subprocess.run(
        [sys.executable, "-c", f"import django, json; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**keep, "DJANGO_SETTINGS_MODULE": "marketplace.settings", **env},
    )


# --- Settings -----------------------------------------------------------------


def test_deploy_checks_report_nothing_with_the_documented_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean_environ(), **PRODUCTION},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_secure_the_cookies_and_serve_hashed_compressed_static_files():
    result = run_django(
        "print(json.dumps({k: getattr(settings, k) for k in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        " 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_ENGINE')}"
        " | {'static': settings.STORAGES['staticfiles']['BACKEND'],"
        " 'media': settings.STORAGES['default']['BACKEND']}))",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Sessions read from the shared Redis, so that every app server knows every visitor, and kept in the
    # database too, so that a Redis restart signs no one out.
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["media"] == "django.core.files.storage.FileSystemStorage"


def test_s3_bucket_puts_media_on_object_storage_and_lets_the_csp_load_its_images():
    result = run_django(
        "print(json.dumps({'media': settings.STORAGES['default'],"
        " 'img': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']},"
        " default=lambda c: {'connect': c.connect_timeout, 'read': c.read_timeout, 'retries': c.retries}))",
        **PRODUCTION,
        S3_BUCKET="atelier-media",
        S3_ENDPOINT_URL="https://s3.example.net",
        S3_ACCESS_KEY_ID="id",
        S3_SECRET_ACCESS_KEY="secret",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    # django-storages' S3Storage behind marketplace.storage's breaker, waiting at most 2 s / 5 s, once.
    assert values["media"]["BACKEND"] == "marketplace.storage.ResilientS3Storage"
    assert values["media"]["OPTIONS"]["client_config"] == {
        "connect": 2.0,
        "read": 5.0,
        "retries": {"total_max_attempts": 1, "mode": "standard"},
    }
    assert values["media"]["OPTIONS"]["bucket_name"] == "atelier-media"
    assert values["media"]["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert "https://s3.example.net" in values["img"]


def test_a_replica_url_adds_a_replica_database_that_mirrors_the_primary_in_tests():
    result = run_django(
        "print(json.dumps({a: d['NAME'] for a, d in settings.DATABASES.items()}"
        " | {'mirror': settings.DATABASES['replica']['TEST']['MIRROR']}))",
        **PRODUCTION,
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5432/atelier",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"default": "atelier", "replica": "atelier", "mirror": "default"}


def test_the_admin_lives_at_the_configured_url():
    result = run_django(
        "from django.urls import resolve, Resolver404\n"
        "def found(p):\n try: resolve(p); return True\n except Resolver404: return False\n"
        "print(json.dumps([found('/backroom-7q/'), found('/admin/')]))",
        ADMIN_URL="/backroom-7q",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, False]


# --- Headers ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_carries_the_security_headers_and_a_csp_without_unsafe_inline(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    PieceFactory(slug="hammered-ring")
    for url in ("/", "/pieces/", "/pieces/hammered-ring/", "/no-such-page/", reverse("account_login")):
        response = client.get(url, secure=True)
        for header in HTML_SECURITY_HEADERS:
            assert response.has_header(header), (url, header)
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "style-src 'self'" in response["Content-Security-Policy"]
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "camera=()" in response["Permissions-Policy"]


# --- Error pages --------------------------------------------------------------


@pytest.fixture
def tolerant_client():
    """A client that gets the 500/503 page back instead of the exception."""
    return Client(raise_request_exception=False)


def explode_home(monkeypatch, error):
    def raising(self, **kwargs):
        raise error

    monkeypatch.setattr(catalog_views.HomeView, "get_context_data", raising)


@pytest.mark.django_db
def test_a_crash_shows_the_friendly_500_page_and_leaks_nothing(tolerant_client, monkeypatch):
    explode_home(monkeypatch, RuntimeError("secret detail at /srv/atelier/settings.py"))
    response = tolerant_client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret detail" not in body and "Traceback" not in body and "settings.py" not in body
    assert response.has_header("Content-Security-Policy")


@pytest.mark.django_db
def test_a_lost_database_shows_the_503_page_with_retry_after(tolerant_client, monkeypatch):
    explode_home(monkeypatch, OperationalError("connection to server at 10.0.0.1 failed"))
    response = tolerant_client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "We will be back in a moment" in body
    assert "10.0.0.1" not in body and "Nothing you just sent" not in body


@pytest.mark.django_db
def test_a_form_sent_while_the_database_is_away_is_told_nothing_was_saved(tolerant_client, monkeypatch):
    def raising():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(catalog_views.Piece.objects, "published", raising)
    response = tolerant_client.post(reverse("catalog:compare_toggle"), {"piece": "hammered-ring"})
    assert response.status_code == 503
    assert "Nothing you just sent was saved." in response.content.decode()


@pytest.mark.django_db
def test_the_503_page_is_rendered_without_touching_the_database(
    tolerant_client, monkeypatch, django_assert_num_queries
):
    explode_home(monkeypatch, OperationalError("gone"))
    with django_assert_num_queries(0):
        response = tolerant_client.get("/")
    assert response.status_code == 503


@pytest.mark.django_db
def test_unknown_pages_get_the_friendly_404_page(client):
    response = client.get("/pieces/no-such-piece/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_stale_form_token_gets_the_friendly_403_page():
    response = Client(enforce_csrf_checks=True).post(reverse("catalog:compare_toggle"), {"piece": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "That form had gone stale" in body and "Nothing was saved" in body
    assert "CSRF" not in body


@pytest.mark.django_db
def test_a_foreign_host_gets_the_friendly_400_page(tolerant_client):
    response = tolerant_client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "We could not read that request" in body and "evil.example" not in body


# --- /healthz -----------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_checks_the_database_and_the_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_says_degraded_but_keeps_the_server_when_only_the_cache_fails(client, monkeypatch):
    # The site serves through a cache outage (marketplace.cache), so the load balancer must keep it.
    def broken(*args, **kwargs):
        raise ConnectionError("redis://10.0.0.3:6379 refused")

    monkeypatch.setattr("marketplace.health.cache.set", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "unavailable", "status": "degraded"}


@pytest.mark.django_db
def test_healthz_reports_a_database_it_cannot_reach(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("could not connect")

    monkeypatch.setattr("marketplace.health.connections", {"default": Unreachable()})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "cache": "ok", "status": "unavailable"}


# --- The request log ----------------------------------------------------------


@pytest.mark.django_db
def test_each_request_logs_one_line_with_method_path_status_duration_and_user(client, caplog):
    user = UserFactory()
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="atelier.request"):
        client.get("/pieces/?q=ring")
    [record] = [r for r in caplog.records if r.name == "atelier.request"]
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/pieces/", 200, user.pk)
    assert record.duration_ms >= 0
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["status"] == 200


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="atelier.request"):
        client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "atelier.request"]
    assert record.user_id is None


def test_a_logged_exception_stays_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


# --- The replica router -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_only_in_a_public_read_and_outside_a_transaction(monkeypatch):
    # A replica fit to read (tests/test_replica.py tests when it is not).
    monkeypatch.setattr(db_router.replica_health, "fit", lambda alias: True)
    router = db_router.PrimaryReplicaRouter(replica="replica")
    assert router.db_for_read(None) == "default"
    with db_router.replica_reads():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "default"


def test_without_a_replica_every_read_goes_to_the_primary():
    router = db_router.PrimaryReplicaRouter()
    with db_router.replica_reads():
        assert router.db_for_read(None) == "default"


def test_only_the_primary_is_migrated():
    router = db_router.PrimaryReplicaRouter(replica="replica")
    assert router.allow_migrate("default", "catalog") and not router.allow_migrate("replica", "catalog")


@pytest.fixture
def replica_reads_seen(monkeypatch):
    """Whether reads could go to the replica, as the router saw it at each read of the request."""
    seen = []
    original = db_router.PrimaryReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(db_router._replica_reads.get())
        return original(self, model, **hints)

    monkeypatch.setattr(db_router.PrimaryReplicaRouter, "db_for_read", spy)
    return seen


@pytest.mark.django_db
def test_public_pages_may_read_the_replica_and_write_paths_may_not(client, replica_reads_seen):
    PieceFactory(slug="hammered-ring")
    # What a public page keeps in the cache (cards, piece sheets) is read from the primary
    # (catalog/listing/tests/test_cards.py, catalog/pages/tests/test_pages.py); the rest may read the replica.
    client.get(reverse("catalog:artisan_list"))
    assert replica_reads_seen and all(replica_reads_seen)
    replica_reads_seen.clear()
    client.post(reverse("catalog:compare_toggle"), {"piece": "hammered-ring"})
    assert replica_reads_seen and not any(replica_reads_seen)
    replica_reads_seen.clear()
    client.force_login(UserFactory())
    client.get(reverse("requests:list"))
    assert replica_reads_seen and not any(replica_reads_seen)


@pytest.mark.django_db
def test_cached_cards_and_facet_options_are_keyed_by_the_release(settings):
    """A deploy of new code must not read HTML or facet lists that the previous release cached."""
    from django.core.cache import cache

    from catalog.listing import facets
    from catalog.listing.cards import card_bodies
    from catalog.tests.factories import PieceFactory
    from catalog.versions import catalog_version

    assert settings.RELEASE and facets.OPTIONS_CACHE_KEY.endswith(settings.RELEASE)
    piece = PieceFactory()
    cache.set(f"catalog:card:old:{catalog_version()}:{piece.pk}:1", (piece.slug, piece.title, "stale"))
    settings.RELEASE = "old"
    assert card_bodies([piece])[0][1] == "stale"  # what the old release cached, under its key
    settings.RELEASE = "new"
    html = card_bodies([piece])[0][1]
    assert html != "stale" and piece.title in html


def gunicorn_config(path="gunicorn.conf.py"):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", settings.BASE_DIR / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def unfrozen():
    """The test process's objects back under its collector after a master's `gc.freeze`."""
    yield
    gc.unfreeze()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "config", ["gunicorn.conf.py", "bench/gunicorn_bench.py"]
)  # the bench measures production's way
def test_the_master_builds_the_listings_index_before_the_workers_fork_and_shares_no_connection(
    monkeypatch, config, unfrozen
):
    from catalog.listing import index as piece_index

    piece = PieceFactory()
    monkeypatch.setattr(piece_index, "_current", None)
    server = SimpleNamespace(log=logging.getLogger("gunicorn.error"))

    assert gunicorn_config(config).preload_app
    gunicorn_config(config).when_ready(server)

    assert piece.pk in piece_index._current.universe
    assert gc.get_freeze_count() > 0  # what the master made is frozen: the workers' collector leaves its pages shared
    # (Django never closes an in-memory SQLite test database: it would lose it.)
    shared = [
        c for c in connections.all() if c.connection is not None and not (c.vendor == "sqlite" and c.is_in_memory_db())
    ]
    assert shared == []


@pytest.mark.django_db(transaction=True)
def test_the_master_builds_the_index_in_a_thread_of_its_own_with_large_blocks_kept_apart(monkeypatch, unfrozen):
    """Its allocations come from that thread's arena, not the heap the workers' own allocations reuse (warm.py)."""
    from catalog.listing import warm

    built_by, calls = [], []
    index = SimpleNamespace(search=SimpleNamespace(spelled_by_length={}))
    monkeypatch.setattr(warm, "current_index", lambda: built_by.append(threading.current_thread()) or index)
    monkeypatch.setattr(warm, "warm_suggestions", lambda built: calls.append("suggestions"))
    monkeypatch.setattr(warm, "keep_large_blocks_apart", lambda: calls.append("large blocks apart"))
    warm.build_before_fork(logging.getLogger("gunicorn.error"))

    assert len(built_by) == 1 and built_by[0] is not threading.main_thread()
    assert calls == ["large blocks apart", "suggestions"]


@pytest.mark.django_db(transaction=True)
def test_a_master_without_its_database_still_starts_its_workers(monkeypatch, caplog, unfrozen):
    from catalog.listing import index as piece_index
    from catalog.listing import warm

    def down():
        raise OperationalError("the database is not answering")

    monkeypatch.setattr(piece_index, "_current", None)
    monkeypatch.setattr(warm, "current_index", down)
    gunicorn_config().when_ready(SimpleNamespace(log=logging.getLogger("gunicorn.error")))

    assert piece_index._current is None  # the workers build it when first asked
    assert "was not built before the workers started" in caplog.text


@pytest.mark.django_db
def test_make_serve_prepares_in_one_command_static_files_migrations_and_no_seed_over_a_catalog(settings, tmp_path):
    """`prepare_to_serve` (make serve): collectstatic, migrate, then seed_demo --if-empty, in one process."""
    from io import StringIO

    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path / "static"
    PieceFactory()
    out = StringIO()
    call_command("prepare_to_serve", stdout=out)

    assert (tmp_path / "static" / "css").is_dir()  # the static files collected
    assert "The catalog already has 1 piece; not seeding the demo catalog." in out.getvalue()
