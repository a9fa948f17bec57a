"""
Faults: the photo storage (S3) hangs, then goes away, in the middle of the shoppers' load
and a maker's uploads, and comes back.

The site runs with S3_BUCKET set, on an S3 endpoint of the test's own: moto's server
mode (`moto[server]`, requirements-dev.txt). The outage has two halves: first the
endpoint hangs (the process is stopped with SIGSTOP: connections open and nothing
answers, so each call waits for botocore's read timeout), then it is gone (killed:
connections refused). Meanwhile a maker keeps sending their profile with a process
photo: each upload is refused with the message, within a bounded time, and saves
nothing (neither the profile's new name nor a photo row); the shoppers' pages, piece
pages with photos included, keep answering 200 (a photo's URL is computed, never asked
of the storage). Then a fresh endpoint is started on the same port with the bucket (moto
keeps nothing on disk; a real bucket would still hold its objects), and uploads work
again once each worker's breaker has cooled down.
"""

import http.client
import os
import signal
import subprocess
import threading
import time
import uuid

import pytest

from .servers import (
    FIRST_PORT,
    ROOT,
    Visitor,
    free_port,
    prepare_database,
    serving,
    shell,
    shopper_paths,
    write_paths,
    wrk_command,
    wrk_summary,
)

pytestmark = pytest.mark.servers

BUCKET = "atelier-hostile-media"
MAKER_EMAIL = "hostile-storage-maker@atelier.example"
MAKER_PASSWORD = "hostile-storage-maker-password-2026"
MESSAGE = "Your photos could not be stored just now, so nothing was saved."
LOAD_BEFORE, HANG, DOWN, WATCH_AFTER = 5, 7, 5, 15  # seconds: 32 s of load; 15 s outlast the breaker (10 s)
# botocore's timeouts for the site (seconds): an upload waits at most one of them, once per worker's cool-down.
CONNECT_TIMEOUT, READ_TIMEOUT = 2, 5


class S3Server:
    """moto's S3 server on a free port, which the test may hang (SIGSTOP), kill and start again (empty)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("PUT", f"/{BUCKET}")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def hang(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def objects(self) -> list[str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        connection.request("GET", f"/{BUCKET}?list-type=2")
        body = connection.getresponse().read().decode()
        return [part.split("</Key>")[0] for part in body.split("<Key>")[1:]]


@pytest.fixture(scope="module")
def s3():
    server = S3Server()
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def site(s3):
    prepare_database()
    maker_id = shell(
        "from django.contrib.auth import get_user_model; from allauth.account.models import EmailAddress; "
        "from artisans.models import Artisan; "
        f"u, _ = get_user_model().objects.get_or_create(username='hostile-storage-maker', email='{MAKER_EMAIL}'); "
        f"u.set_password('{MAKER_PASSWORD}'); u.save(); "
        f"EmailAddress.objects.update_or_create(user=u, email='{MAKER_EMAIL}',"
        " defaults={'verified': True, 'primary': True}); "
        "a, _ = Artisan.objects.update_or_create(user=u, defaults=dict(name='Storage Workshop',"
        " slug='storage-workshop', status='approved', maker_type='independent', country='PT', region='Porto',"
        " bio='A bench.', statement='Silver.', workshop_size='solo', labor_practices='Alone.')); print(a.pk)"
    )
    s3_env = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3.url,
        "S3_ACCESS_KEY_ID": "hostile",
        "S3_SECRET_ACCESS_KEY": "hostile",
        "S3_REGION": "us-east-1",
        "S3_ADDRESSING_STYLE": "path",
        "S3_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "S3_READ_TIMEOUT": str(READ_TIMEOUT),
    }
    with serving(FIRST_PORT + 5, **s3_env) as (server,):
        server.maker_id = maker_id
        yield server


def maker_state(maker_id: int) -> dict:
    return shell(
        "import json; from artisans.models import Artisan; "
        f"a = Artisan.objects.get(pk={maker_id}); "
        "print(json.dumps({'name': a.name, 'photos': list(a.process_photos.values_list('image', flat=True))}))"
    )


def jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (160, 120, 80)).save(buffer, "JPEG")
    return buffer.getvalue()


class Uploader(threading.Thread):
    """The maker sends their profile with one new process photo, again and again, and records each answer."""

    def __init__(self, visitor: Visitor):
        super().__init__(daemon=True)
        self.visitor = visitor
        self.seen: list[tuple[float, float, int, str, str]] = []  # started, ended, status, name sent, outcome
        self.running = True
        self.photo = jpeg()

    def upload(self) -> tuple[float, float, int, str, str]:
        name = f"Storage Workshop {uuid.uuid4().hex[:8]}"
        fields = {
            "csrfmiddlewaretoken": self.visitor.cookies["csrftoken"],
            "name": name,
            "maker_type": "independent",
            "country": "PT",
            "region": "Porto",
            "bio": "A bench.",
            "statement": "Silver.",
            "workshop_size": "solo",
            "labor_practices": "Alone.",
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-alt_text": "My bench",
            "photos-0-position": "0",
        }
        started = time.monotonic()
        status, body = post_multipart(self.visitor, "/studio/profile/", fields, {"photos-0-image": self.photo})
        ended = time.monotonic()
        outcome = "stored" if status == 302 else "refused" if MESSAGE in body else "other"
        return started, ended, status, name, outcome

    def run(self):
        while self.running:
            try:
                self.seen.append(self.upload())
            except OSError:
                self.seen.append((time.monotonic(), time.monotonic(), 0, "", "no answer"))
            time.sleep(0.5)


def post_multipart(visitor: Visitor, path: str, fields: dict, files: dict) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for key, content in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="bench.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    host, port = visitor.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": "; ".join(f"{k}={v}" for k, v in visitor.cookies.items()),
        "Referer": visitor.url + path,
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


class PieceProbe(threading.Thread):
    """A shopper reading piece pages (with their photos) one at a time, recording when and how each answered."""

    def __init__(self, url: str, paths: list[str]):
        super().__init__(daemon=True)
        self.visitor = Visitor(url, timeout=60)
        self.paths = paths
        self.seen: list[tuple[float, float, int, bool]] = []  # started, ended, status, a photo's URL on the page
        self.running = True

    def run(self):
        turn = 0
        while self.running:
            started = time.monotonic()
            try:
                response = self.visitor.get(self.paths[turn % len(self.paths)])
                status, photo = response.status, f"/{BUCKET}/renditions/" in response.text
            except OSError:
                status, photo = 0, False
            self.seen.append((started, time.monotonic(), status, photo))
            turn += 1
            time.sleep(0.1)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def test_a_storage_outage_under_load_refuses_uploads_with_a_message_saves_nothing_and_pages_keep_rendering(
    site, s3, tmp_path, hostile_figures
):
    paths = shopper_paths()
    piece_pages = [path for path in paths if path.startswith("/pieces/") and path != "/pieces/" and "?" not in path]
    maker = Visitor(site.url, timeout=60)
    maker.sign_in(MAKER_EMAIL, MAKER_PASSWORD)
    maker.get("/studio/profile/")
    outage_uploads, recovery_uploads = Uploader(maker), Uploader(maker)
    # Before the outage: an upload is stored, in the bucket.
    earlier = set(maker_state(site.maker_id)["photos"])
    assert outage_uploads.upload()[4] == "stored"
    stored = set(maker_state(site.maker_id)["photos"]) - earlier
    assert len(stored) == 1 and stored <= set(s3.objects())

    command, env = wrk_command(
        site.url, write_paths(tmp_path / "paths.txt", paths), seconds=LOAD_BEFORE + HANG + DOWN + WATCH_AFTER
    )
    load = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe = PieceProbe(site.url, piece_pages[:20])
    probe.start()
    back_at = None
    try:
        time.sleep(LOAD_BEFORE)
        before = maker_state(site.maker_id)
        s3.hang()
        down_at = time.monotonic()
        outage_uploads.start()
        time.sleep(HANG)
        s3.kill()
        killed_at = time.monotonic()
        time.sleep(DOWN)
        outage_uploads.running = False
        outage_uploads.join()  # every upload of the outage has its answer before the endpoint is back
        after_outage = maker_state(site.maker_id)
        s3.start()
        back_at = time.monotonic()
        recovery_uploads.start()
        deadline = back_at + WATCH_AFTER
        while time.monotonic() < deadline and not any(outcome == "stored" for *_, outcome in recovery_uploads.seen):
            time.sleep(0.2)
        recovery_uploads.running = False
        recovery_uploads.join()
        time.sleep(max(0.0, deadline - time.monotonic()))
    finally:
        probe.running = outage_uploads.running = recovery_uploads.running = False
        probe.join()
        if back_at is None:
            s3.kill()
            s3.start()  # never leave the module's site without its storage
    output, _ = load.communicate(timeout=90)
    summary = wrk_summary(output)

    # The shoppers' pages kept answering 200 throughout, piece pages with their photos' URLs included.
    assert set(summary["statuses"]) == {"200"}, summary
    assert summary["socket_errors"] == 0, summary
    pages_during = [
        (end - start, status, photo) for start, end, status, photo in probe.seen if down_at < start < back_at
    ]
    assert pages_during and {status for _, status, _ in pages_during} == {200}, pages_during
    assert any(photo for *_, photo in pages_during)
    assert "Traceback" not in site.log()

    # Every upload of the outage was refused with the message, within a bounded time, and saved nothing:
    # the profile kept its name and its photos.
    refused = [(end - start, name) for start, end, status, name, outcome in outage_uploads.seen]
    assert refused and {outcome for *_, outcome in outage_uploads.seen} == {"refused"}, outage_uploads.seen
    assert after_outage == before
    waits = [seconds for seconds, _ in refused]
    # One storage timeout at most, plus the queue behind 32 clients on a small machine.
    assert max(waits) < READ_TIMEOUT + 10, waits

    # Back: uploads work again, and what they store is in the bucket.
    stored_again = [end for start, end, status, name, outcome in recovery_uploads.seen if outcome == "stored"]
    assert stored_again, recovery_uploads.seen
    recovered_after = stored_again[0] - back_at
    assert recovered_after <= 15  # the breaker's cool-down (10 s) and an upload
    new_photos = set(maker_state(site.maker_id)["photos"]) - set(after_outage["photos"])
    assert new_photos and new_photos <= set(s3.objects())

    latencies = [seconds for seconds, _, _ in pages_during]
    hostile_figures("storage outage seconds (hung, then refusing)", round(back_at - down_at, 1))
    hostile_figures("load requests, all 200", summary["statuses"].get("200", 0))
    hostile_figures(
        "piece page p50 / p99 during the outage (ms)",
        f"{percentile(latencies, 0.5) * 1000:.0f} / {percentile(latencies, 0.99) * 1000:.0f}",
    )
    for phase, start_after, start_before in (("hung", down_at, killed_at), ("gone", killed_at, back_at)):
        phase_waits = [end - start for start, end, *_ in outage_uploads.seen if start_after <= start < start_before]
        hostile_figures(
            f"uploads refused while the storage was {phase}: count, p50 / max wait (s)",
            f"{len(phase_waits)}, {percentile(phase_waits, 0.5):.2f} / {max(phase_waits, default=0):.2f}",
        )
    hostile_figures("seconds until an upload was stored again after the storage was back", round(recovered_after, 1))
