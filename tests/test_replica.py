"""
A replica down or lagging (marketplace.db_router): reads fall back to the primary within a
bounded time, and nobody reads a replica that may lack their own write.

The replica here is a real second database, added to `connections` for the test: on
PostgreSQL a port where nothing listens, or a separate database copied from the test
database (which then lacks every later write, as a lagging replica would); on SQLite a
file in a folder that does not exist, or a snapshot of the test database (sqlite3's
backup). Only the lag query itself is PostgreSQL's own and cannot run on SQLite.
"""

import json
import socket
import sqlite3
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import connections
from django.db import router as django_router
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.models import PieceViewDay
from catalog.tests.factories import PieceFactory
from marketplace import db_router
from marketplace.db_router import REPLICA, REPLICA_AFTER_WRITE_COOKIE, PrimaryReplicaRouter, replica_health
from tests.test_production import PRODUCTION, run_django

ON_POSTGRESQL = connections["default"].vendor == "postgresql"


@contextmanager
def replica_database(settings_dict):
    """A "replica" database in `connections` and a router that reads it, for the length of the block."""
    configured = connections.configure_settings(
        {"default": dict(connections.settings["default"]), REPLICA: settings_dict}
    )
    connections.settings[REPLICA] = configured[REPLICA]
    connections[REPLICA]  # made now, then unlisted: Django's tests let a connection made on the fly connect
    del connections.settings[REPLICA]
    routers = django_router.__dict__.get("routers")
    django_router.routers = [PrimaryReplicaRouter(replica=REPLICA)]
    replica_health.forget()
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        if routers is None:
            del django_router.routers
        else:
            django_router.routers = routers
        replica_health.forget()


def unreachable_replica():
    """A replica that cannot be connected to: nothing listens on its port (PostgreSQL), or its folder is missing."""
    if ON_POSTGRESQL:
        primary = connections.settings["default"]
        return {
            **{key: primary[key] for key in ("ENGINE", "NAME", "USER", "PASSWORD")},
            "HOST": "127.0.0.1",
            "PORT": "1",
            "OPTIONS": {"connect_timeout": 1},
        }
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent-folder/replica.sqlite3"}


@contextmanager
def snapshot_replica(tmp_path):
    """A replica holding the test database as it is now (committed rows), and nothing written after."""
    primary = connections["default"]
    if ON_POSTGRESQL:
        name = f"{primary.settings_dict['NAME']}_replica"
        params = {k: v for k, v in primary.get_connection_params().items() if k != "dbname"}
        primary.close()  # a template database may have no other session
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            # Nor may another thread of this test process keep one open (the session-wide live server of
            # the browser tests, a background rebuild of the listing's index): they connect again when next used.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [primary.settings_dict["NAME"]],
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary.settings_dict["NAME"]}"')
        try:
            with replica_database({**primary.settings_dict, "NAME": name, "TEST": {}}):
                yield
        finally:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        primary.ensure_connection()
        path = tmp_path / "replica.sqlite3"
        with sqlite3.connect(path) as copy:
            primary.connection.backup(copy)
        with replica_database({"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}):
            yield


def reads_go_to():
    with db_router.replica_reads():
        return django_router.db_for_read(None)


# --- Down: fallback within the bound, and the circuit breaker ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_replica_that_cannot_be_reached_costs_one_bounded_wait_then_none_until_the_cool_down(
    client, settings, monkeypatch
):
    maker = ArtisanFactory(status=ArtisanStatus.APPROVED)
    with replica_database(unreachable_replica()):
        started = time.monotonic()
        response = client.get(reverse("artisans:artisan_detail", args=[maker.slug]))
        first = time.monotonic() - started
        assert response.status_code == 200 and maker.name in response.text
        assert first < 2.5  # the connect timeout (1 s) and the page
        assert replica_health.breaker_open

        # While the breaker is open no request tries the replica: none waits on it.
        attempts = []
        original = type(connections[REPLICA]).ensure_connection
        monkeypatch.setattr(
            type(connections[REPLICA]),
            "ensure_connection",
            lambda self: attempts.append(self.alias) or original(self),
        )
        for _ in range(3):
            assert client.get(reverse("catalog:artisan_list")).status_code == 200
        assert REPLICA not in attempts

        # After the cool-down the replica is tried again (and, still down, the breaker opens again).
        monkeypatch.setattr(replica_health.breaker, "open_until", time.monotonic() - 0.01)
        assert client.get(reverse("catalog:artisan_list")).status_code == 200
        assert REPLICA in attempts
        assert replica_health.breaker_open


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite opens a file: there is no connection that could hang")
@pytest.mark.django_db(transaction=True)
def test_a_replica_that_hangs_is_given_up_on_after_its_connect_timeout(client):
    maker = ArtisanFactory(status=ArtisanStatus.APPROVED)
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        with replica_database({**unreachable_replica(), "PORT": str(silent.getsockname()[1])}):
            started = time.monotonic()
            response = client.get(reverse("artisans:artisan_detail", args=[maker.slug]))
            assert response.status_code == 200 and maker.name in response.text
            assert 1 <= time.monotonic() - started < 3  # the connect timeout (1 s), then the primary
            assert replica_health.breaker_open
            started = time.monotonic()
            assert client.get(reverse("artisans:artisan_detail", args=[maker.slug])).status_code == 200
            assert time.monotonic() - started < 1  # the breaker is open: no second wait


@pytest.mark.django_db(transaction=True)
def test_the_breaker_closes_once_the_replica_connects_again(tmp_path, monkeypatch):
    with snapshot_replica(tmp_path):
        replica_health.breaker.open_until = time.monotonic() + 60
        assert reads_go_to() == "default"
        replica_health.breaker.open_until = time.monotonic() - 0.01
        assert reads_go_to() == REPLICA
        assert replica_health.breaker.open_until is None


# --- Lagging: the lag probe -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_replica_lagging_past_the_bound_is_not_read_and_the_lag_is_measured_at_most_every_few_seconds(
    tmp_path, settings, monkeypatch, caplog
):
    settings.REPLICA_MAX_LAG = 5
    settings.REPLICA_LAG_CHECK_SECONDS = 60
    measured = []
    lag = {"seconds": 12.0}
    monkeypatch.setattr(db_router, "replica_lag", lambda alias: measured.append(alias) or lag["seconds"])
    with snapshot_replica(tmp_path):
        assert reads_go_to() == "default"
        assert "The replica is 12.0 s behind" in caplog.text
        lag["seconds"] = 0.2
        assert reads_go_to() == "default"  # not measured again yet: the last figure stands
        assert measured == [REPLICA]
        replica_health.lag_measured_at = time.monotonic() - 61
        assert reads_go_to() == REPLICA
        assert reads_go_to() == REPLICA
        assert measured == [REPLICA, REPLICA]
        assert "The replica has caught up" in caplog.text


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the lag query is PostgreSQL's own (pg_last_xact_replay_timestamp)")
@pytest.mark.django_db(transaction=True)
def test_the_lag_query_reads_zero_on_a_database_that_is_no_standby(tmp_path):
    with snapshot_replica(tmp_path):
        assert db_router.replica_lag(REPLICA) == 0.0


# --- Read-your-writes --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_visitor_who_just_wrote_reads_the_primary_and_one_who_did_not_may_read_the_lagging_replica(
    client, tmp_path, settings
):
    settings.REPLICA_AFTER_WRITE_SECONDS = 15
    ArtisanFactory(status=ArtisanStatus.APPROVED)  # something on both
    with snapshot_replica(tmp_path):
        # Written to the primary after the replica's copy: a lagging replica lacks it.
        newcomer = ArtisanFactory(status=ArtisanStatus.APPROVED)
        page = reverse("artisans:artisan_detail", args=[newcomer.slug])

        # A visitor who wrote nothing reads the replica, which does not have the new maker yet.
        assert client.get(page).status_code == 404
        assert REPLICA_AFTER_WRITE_COOKIE not in client.cookies

        # Another visitor writes (any POST), and from then on reads the primary: the page is there.
        writer = type(client)()
        writer.force_login(UserFactory())
        writer.post(reverse("catalog:compare_toggle"), {"piece": "no-such-piece"})
        assert REPLICA_AFTER_WRITE_COOKIE in writer.cookies
        assert writer.cookies[REPLICA_AFTER_WRITE_COOKIE]["max-age"] == 15
        response = writer.get(page)
        assert response.status_code == 200 and newcomer.name in response.text

        # The first visitor still reads the replica; a forged cookie changes nothing.
        client.cookies[REPLICA_AFTER_WRITE_COOKIE] = "1"
        assert client.get(page).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_after_write_cookie_expires_with_its_window(client, tmp_path, settings, monkeypatch):
    settings.REPLICA_AFTER_WRITE_SECONDS = 15
    with snapshot_replica(tmp_path):
        newcomer = ArtisanFactory(status=ArtisanStatus.APPROVED)
        page = reverse("artisans:artisan_detail", args=[newcomer.slug])
        client.post(reverse("catalog:compare_toggle"), {"piece": "no-such-piece"})
        assert client.get(page).status_code == 200
        # The signature's own timestamp says when it was written: 16 s later it no longer counts.
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + 16)
        assert client.get(page).status_code == 404


@pytest.mark.django_db
def test_without_a_replica_a_post_sets_no_cookie(client):
    client.post(reverse("catalog:compare_toggle"), {"piece": "no-such-piece"})
    assert REPLICA_AFTER_WRITE_COOKIE not in client.cookies


@pytest.mark.django_db(transaction=True)
def test_a_public_pages_own_bookkeeping_is_not_the_visitors_write(client, tmp_path, settings):
    """A piece page writes its view count (at once, here), which is no write of the visitor's: no cookie."""
    settings.PIECE_VIEWS_FLUSH_SECONDS = 0
    piece = PieceFactory()
    with snapshot_replica(tmp_path):
        response = client.get(piece.get_absolute_url())
        assert response.status_code == 200
        assert PieceViewDay.objects.filter(piece=piece).exists()  # written in the request
        assert REPLICA_AFTER_WRITE_COOKIE not in client.cookies


def test_a_postgresql_replica_is_given_up_on_after_a_one_second_connect_timeout():
    result = run_django(
        "print(json.dumps([settings.DATABASES['replica']['OPTIONS'], settings.REPLICA_MAX_LAG,"
        " settings.REPLICA_AFTER_WRITE_SECONDS]))",
        **PRODUCTION,
        DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5432/atelier",
    )
    assert result.returncode == 0, result.stderr
    options, max_lag, after_write = json.loads(result.stdout)
    assert options["connect_timeout"] == 1
    assert after_write > max_lag  # a visitor reads the primary for longer than the replica may lag


@pytest.mark.django_db(transaction=True)
def test_healthz_says_degraded_but_keeps_the_server_while_the_replica_is_down(client):
    # Every page is served from the primary meanwhile: the load balancer must not drop every server at once.
    with replica_database(unreachable_replica()):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "replica": "unavailable", "status": "degraded"}
