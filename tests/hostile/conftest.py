"""The hostile-world suite (`make test-hostile`): fuzzing, hostile uploads, injection, load and faults.

Its tests are marked `hostile` and left out of the ordinary runs (see `addopts` in pyproject.toml).
Each test records the figures it measured with the `hostile_figures` fixture; one summary of them
all is printed at the end of the run, so that a closing note can quote it. Under xdist each worker
hands its figures to the controller when it finishes (`workeroutput`), and the controller prints them.
The tests marked `servers` (load, faults, two instances) share one database, which the fault test
restarts: `make test-hostile` runs them after the rest, in one process.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from .world import build_world

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

_FIGURES: list[tuple[str, str, object]] = []


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hostile/" in item.nodeid:
            item.add_marker(pytest.mark.hostile)


@pytest.fixture
def hostile_figures(request):
    """`hostile_figures("requests", 1200)` records one figure under the current test's name."""

    def record(name: str, value: object) -> None:
        _FIGURES.append((request.node.name, name, value))

    return record


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def media_root(settings, world_media):
    """The module's world keeps its photos in one folder for all the module's tests (overrides the root fixture)."""
    settings.MEDIA_ROOT = world_media
    return world_media


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """
    One marketplace per test module, rolled back after the module's last test.

    Building it takes seconds (photos and their renditions), so the property tests
    share it; each test's own writes are still rolled back by its `django_db`.
    The passwords are hashed as the tests' own fixture hashes them, so that signing in works.
    """
    test_settings = override_settings(MEDIA_ROOT=world_media, PASSWORD_HASHERS=FAST_HASHERS)
    with django_db_blocker.unblock(), test_settings, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def pytest_sessionfinish(session):
    """An xdist worker sends its figures to the controller."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["hostile_figures"] = _FIGURES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller gathers a finished worker's figures."""
    _FIGURES.extend(tuple(figure) for figure in getattr(node, "workeroutput", {}).get("hostile_figures", []))


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.section("hostile-world summary")
    width = max(len(f"{test} · {name}") for test, name, _ in _FIGURES)
    for test, name, value in _FIGURES:
        terminalreporter.write_line(f"{f'{test} · {name}':<{width}}  {value}")
    totals = {}
    for _test, name, value in _FIGURES:
        if isinstance(value, int):
            totals[name] = totals.get(name, 0) + value
    for name, value in totals.items():
        terminalreporter.write_line(f"{f'total · {name}':<{width}}  {value}")
