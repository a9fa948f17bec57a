"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables set; return the process."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "CACHE_URL",
            "EMAIL_URL",
            "MEDIA_ROOT",
        }
    }
    code = (
        "import django, json; from django.conf import settings; django.setup(); "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({'db': db['ENGINE'], 'db_name': str(db['NAME']),"
        " 'cache': settings.CACHES['default']['BACKEND'], 'email': settings.OUTBOX_DELIVERY_BACKEND,"
        " 'outbox': settings.EMAIL_BACKEND,"
        " 'media': str(settings.MEDIA_ROOT), 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "marketplace.settings", **env},
    )


def test_with_nothing_set_it_runs_on_sqlite_local_media_console_email_and_local_memory_cache():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert '"db": "django.db.backends.sqlite3"' in result.stdout
    assert str(ROOT / "db.sqlite3") in result.stdout
    assert "locmem.LocMemCache" in result.stdout
    assert "console.EmailBackend" in result.stdout
    assert '"outbox": "catalog.outbox.backend.OutboxBackend"' in result.stdout  # every email queued first
    assert str(ROOT / "media") in result.stdout
    assert '"debug": true' in result.stdout


def test_variables_override_the_defaults(tmp_path):
    result = load_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/elsewhere",
        CACHE_URL="redis://127.0.0.1:6379/3",
        EMAIL_URL="smtp://mail.example.com:25",
        MEDIA_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout and "elsewhere" in result.stdout
    assert "redis" in result.stdout.lower()
    assert "smtp.EmailBackend" in result.stdout
    assert str(tmp_path) in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "atelier.example"}, "set SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "set ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_and_names_the_variable_to_set(env, named):
    result = load_settings(**env)
    assert result.returncode != 0
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_starts_when_both_are_set():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="atelier.example,www.atelier.example")
    assert result.returncode == 0, result.stderr
    assert '"hosts": ["atelier.example", "www.atelier.example"]' in result.stdout
