"""
Faults: PostgreSQL goes away in the middle of the shoppers' load, and comes back.

While it is away every page answers the friendly 503 (rendered without the
database); a personalization request sent then is not saved at all, and the
shopper is told so; once PostgreSQL is back, every request succeeds again
within 5 seconds, with the same gunicorn (CONN_HEALTH_CHECKS drops the dead
connections). The outage is a stop, a pause and a start of the hostile
cluster, so that it is long enough to be seen.
"""

import subprocess
import threading
import time

import pytest

from .servers import (
    FIRST_PORT,
    Visitor,
    pg_cluster,
    pg_ready,
    prepare_database,
    serving,
    shell,
    shopper_paths,
    write_paths,
    wrk_command,
    wrk_summary,
)

pytestmark = pytest.mark.servers

FRIENDLY_503 = "We will be back in a moment"
NOTHING_SAVED = "Nothing you just sent was saved."
SENT = "Your request is with"
LOAD_BEFORE, OUTAGE, WATCH_AFTER = 5, 6, 10


@pytest.fixture(scope="module")
def site():
    prepare_database()
    # The shopper's requests are not what this test is about: no hourly limit left over from an earlier run
    # (the counts live in Redis, across runs on one machine) may refuse the one sent after the outage.
    with serving(FIRST_PORT + 1, REQUESTS_PER_HOUR="100000") as (server,):
        yield server
    if not pg_ready():  # never leave the cluster down for the tests that follow
        pg_cluster("start")


class Probe(threading.Thread):
    """
    A visitor asking for a piece page every tenth of a second, one request at a
    time, recording when each request started and ended, its status and whether
    it was the friendly 503 page. Under the load a request may wait in gunicorn's
    queue for seconds, so what it says about the database is read by when it ended.
    """

    def __init__(self, url: str, path: str):
        super().__init__(daemon=True)
        self.visitor = Visitor(url, timeout=60)
        self.path = path
        self.seen: list[tuple[float, float, int, bool]] = []
        self.running = True

    def run(self):
        while self.running:
            started = time.monotonic()
            try:
                response = self.visitor.get(self.path)
                status, friendly = response.status, FRIENDLY_503 in response.text
            except OSError:  # no answer at all: recorded as status 0, an error
                status, friendly = 0, False
            self.seen.append((started, time.monotonic(), status, friendly))
            time.sleep(0.1)


def requests_with(details: str) -> int:
    return shell(
        "from catalog.models import PersonalizationRequest; "
        f"print(PersonalizationRequest.objects.filter(details={details!r}).count())"
    )


def test_a_postgresql_outage_under_load_answers_503_loses_nothing_and_recovers(site, tmp_path, hostile_figures):
    maker = shell(
        "import json; from artisans.models import Artisan; "
        "print(json.dumps(Artisan.objects.filter(status='approved').order_by('pk').values_list('slug', flat=True)[0]))"
    )
    form_path = f"/requests/new/maker/{maker}/"
    during, after = f"Sent during the outage {time.time()}", f"Sent after the outage {time.time()}"
    shopper = Visitor(site.url, timeout=60)
    shopper.sign_in()
    assert shopper.get(form_path).status == 200

    paths = shopper_paths()
    piece_page = next(path for path in paths if path.startswith("/pieces/") and path != "/pieces/" and "?" not in path)
    assert Visitor(site.url).get(piece_page).status == 200  # its sheet is now in the cache (catalog.pages.sheets)
    command, env = wrk_command(
        site.url, write_paths(tmp_path / "paths.txt", paths), seconds=LOAD_BEFORE + OUTAGE + WATCH_AFTER + 3
    )
    load = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # The maker directory reads the database on every request; listings and piece pages seen before are
    # served from the index and the cache, and stay up during the outage (checked below).
    probe = Probe(site.url, "/artisans/")
    probe.start()
    try:
        time.sleep(LOAD_BEFORE)
        down_at = time.monotonic()
        pg_cluster("stop")
        stopped_at = time.monotonic()
        time.sleep(0.5)
        refused = shopper.post(form_path, {"kinds": ["custom_design"], "details": during})
        refused_at = time.monotonic()
        cached_page = Visitor(site.url, timeout=60).get(piece_page)
        time.sleep(max(0, OUTAGE - (refused_at - down_at)))
        # `start` returns only once PostgreSQL accepts connections, a moment after it began to:
        # the outage is over from the moment it is called, and recovery is counted from its return.
        starting_at = time.monotonic()
        pg_cluster("start")
        back_at = time.monotonic()
        assert pg_ready()
        time.sleep(WATCH_AFTER)
    finally:
        probe.running = False
        probe.join()
        if not pg_ready():
            pg_cluster("start")
    output, errors = load.communicate(timeout=60)
    summary = wrk_summary(output)

    # While PostgreSQL was down: only the friendly 503, never a 500 or a traceback.
    outage = [(status, ok) for start, end, status, ok in probe.seen if stopped_at < start <= end < starting_at]
    assert outage and all(status == 503 and friendly for status, friendly in outage), outage
    assert set(summary["statuses"]) <= {"200", "503"}, summary
    assert cached_page.status == 200 and FRIENDLY_503 not in cached_page.text  # the cached sheet stayed up
    assert summary["socket_errors"] == 0, summary
    assert "Traceback" not in site.log()

    # The request sent during the outage (answered before PostgreSQL was back): refused whole, and the shopper
    # told so.
    assert refused_at < starting_at
    assert refused.status == 503
    assert NOTHING_SAVED in refused.text
    assert requests_with(during) == 0

    # Back within 5 seconds, with the same gunicorn: no request ending later than that failed.
    failures_after = [end for start, end, status, _ in probe.seen if end >= back_at and status != 200]
    recovery = max(failures_after, default=back_at) - back_at
    assert recovery <= 5, probe.seen
    settled = [status for start, end, status, _ in probe.seen if end > back_at + recovery]
    assert settled and set(settled) == {200}

    # Sent again once the database is back: saved, once, and the shopper told so.
    sent = shopper.post(form_path, {"kinds": ["custom_design"], "details": after})
    assert sent.status == 302, sent.text[:2000]
    assert SENT in shopper.get(sent.header("Location")).text
    assert requests_with(after) == 1

    hostile_figures("outage seconds", round(starting_at - down_at, 1))
    hostile_figures("503 answers during the outage", len(outage))
    hostile_figures("recovery seconds after PostgreSQL was back", round(recovery, 2))
    statuses = summary["statuses"]
    hostile_figures("load requests (200 / 503)", f"{statuses.get('200', 0)} / {statuses.get('503', 0)}")
    hostile_figures("errors other than the friendly 503", 0)
