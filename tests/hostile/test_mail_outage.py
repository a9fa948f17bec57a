"""
Faults: the mail server goes away while shoppers and makers move requests along under load, and comes back.

A real SMTP server of the test's own (aiosmtpd) takes the site's email; the site (`make serve`, EMAIL_URL
pointing at it) and the outbox's worker (`send_outbox --forever`, as a service would run it) deliver to it.
Shoppers send requests to a maker, the maker quotes, the shopper accepts: each step tells the other party.
The SMTP server is stopped in the middle and started again later. Every step answers as usual whatever the
mail server does (nothing 5xx, no step refused), every email queued is delivered once the server is back
(counted by Message-ID at the server: none missing, none twice), and the site's log holds no traceback.
"""

import datetime
import email
import os
import re
import signal
import subprocess
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from .servers import (
    FIRST_PORT,
    ROOT,
    Visitor,
    free_port,
    prepare_database,
    serving,
    shell,
    shopper_paths,
    site_env,
    write_paths,
    wrk_command,
    wrk_summary,
)

pytestmark = pytest.mark.servers

MAKER_PASSWORD = "hostile-maker-password-2026"
UP_BEFORE, OUTAGE, UP_AFTER = 8, 12, 10  # seconds: 30 s of load with 32 clients
# The outbox's first wait after a failure, shortened for the test (production: a minute, OUTBOX_FIRST_WAIT).
FIRST_WAIT = "5"
DRIVERS = 4
# A row that failed during the outage waits a minute, give or take a fifth, before the worker tries it again.
DELIVERED_WITHIN = 150
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "make-serve-local-only-key-never-use-it-in-production-7f3a9c",
    "ALLOWED_HOSTS": "127.0.0.1",
}


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps every email it accepted; stopped and started on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.received: list[tuple[str, tuple[str, ...]]] = []  # (Message-ID, recipients)
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message_id for message_id, _ in self.received]


class Driver(threading.Thread):
    """
    A shopper and a maker moving requests along, one step at a time, until told to stop: the shopper
    sends a request, the maker quotes, the shopper accepts. Records every step's status and when it ran.
    """

    def __init__(self, url: str, maker_slug: str, maker_email: str, marker: str):
        super().__init__(daemon=True)
        self.shopper = Visitor(url, timeout=60)
        self.maker = Visitor(url, timeout=60)
        self.shopper.sign_in()
        self.maker.sign_in(maker_email, MAKER_PASSWORD)
        self.maker_slug, self.marker = maker_slug, marker
        self.steps: list[tuple[float, str, int]] = []
        self.accepted: list[int] = []
        self.running = True

    def step(self, name: str, visitor: Visitor, path: str, form: dict, page: str | None = None):
        response = visitor.post(path, form, page)
        self.steps.append((time.monotonic(), name, response.status))
        return response

    def run(self):
        expires = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
        while self.running:
            sent = self.step(
                "submit",
                self.shopper,
                f"/requests/new/maker/{self.maker_slug}/",
                {"kinds": ["custom_design"], "details": f"{self.marker} {len(self.steps)}"},
            )
            match = re.fullmatch(r".*/requests/(\d+)/", sent.header("Location") or "")
            if sent.status != 302 or match is None:
                continue
            pk = int(match.group(1))
            quote = {"price": "240", "lead_days": "21", "expires_on": expires, "message": "Gladly"}
            self.step("quote", self.maker, f"/studio/requests/{pk}/quote/", quote, f"/studio/requests/{pk}/")
            confirm = self.shopper.get(f"/requests/{pk}/confirm/")
            token = re.search(r'name="confirmation" value="([^"]+)"', confirm.text)
            if token is None:  # the quote did not go through: counted as a failed step
                self.steps.append((time.monotonic(), "confirm", -confirm.status))
                continue
            accepted = self.step("accept", self.shopper, f"/requests/{pk}/accept/", {"confirmation": token.group(1)})
            if accepted.status == 302:
                self.accepted.append(pk)


def worker_process(email_url: str) -> subprocess.Popen:
    """`send_outbox --forever`, as systemd would run it beside the site."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "send_outbox", "--forever", "--every", "2"],
        cwd=ROOT,
        env=site_env(**PRODUCTION, EMAIL_URL=email_url, OUTBOX_FIRST_WAIT=FIRST_WAIT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_mail_server_outage_under_load_fails_no_request_and_every_email_goes_once(tmp_path, hostile_figures):
    prepare_database()
    maker = shell(
        "import json; from artisans.models import Artisan; from allauth.account.models import EmailAddress; "
        "a = Artisan.objects.filter(status='approved').select_related('user').order_by('pk')[0]; "
        f"a.user.set_password('{MAKER_PASSWORD}'); a.user.save(); "
        "EmailAddress.objects.update_or_create(user=a.user, email=a.user.email,"
        " defaults={'verified': True, 'primary': True}); "
        "print(json.dumps({'slug': a.slug, 'email': a.user.email}))"
    )
    first_row = shell(
        "from django.db.models import Max; from catalog.models import OutboxEmail; "
        "print((OutboxEmail.objects.aggregate(m=Max('pk'))['m'] or 0) + 1)"
    )
    marker = f"Mail outage {time.time()}"
    mail_server = MailServer()
    mail_server.start()
    worker = worker_process(mail_server.url)
    try:
        with serving(
            FIRST_PORT + 4, EMAIL_URL=mail_server.url, REQUESTS_PER_HOUR="100000", OUTBOX_FIRST_WAIT=FIRST_WAIT
        ) as (site,):
            drivers = [Driver(site.url, maker["slug"], maker["email"], marker) for _ in range(DRIVERS)]
            command, env = wrk_command(
                site.url, write_paths(tmp_path / "paths.txt", shopper_paths()), seconds=UP_BEFORE + OUTAGE + UP_AFTER
            )
            load = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for driver in drivers:
                driver.start()
            time.sleep(UP_BEFORE)
            mail_server.stop()
            down_at = time.monotonic()
            time.sleep(OUTAGE)
            mail_server.start()
            back_at = time.monotonic()
            time.sleep(UP_AFTER)
            for driver in drivers:
                driver.running = False
            for driver in drivers:
                driver.join(120)
            output, _ = load.communicate(timeout=90)
            summary = wrk_summary(output)
            log = site.log()

        # Every email the steps queued leaves once the server is back (by the worker, after its backoff).
        deadline = time.monotonic() + DELIVERED_WITHIN
        while True:
            rows = shell(
                "import json; from catalog.models import OutboxEmail; "
                f"print(json.dumps(list(OutboxEmail.objects.filter(pk__gte={first_row})"
                ".values_list('message_id', 'state', 'attempts'))))"
            )
            if all(state == "sent" for _, state, _ in rows) or time.monotonic() > deadline:
                break
            time.sleep(2)
        delivered_at = time.monotonic()
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)
        worker_output = worker.communicate(timeout=30)[0]
        mail_server.stop()

    steps = [status for driver in drivers for _, _, status in driver.steps]
    during = [status for driver in drivers for at, _, status in driver.steps if down_at <= at < back_at]
    # No request failed: every step answered the redirect of a step done, during the outage as before it.
    assert steps and set(steps) == {302}, [s for d in drivers for s in d.steps if s[2] != 302]
    assert during, "the drivers moved requests along during the outage"
    assert set(summary["statuses"]) == {"200"} and summary["socket_errors"] == 0, summary
    assert "Traceback" not in log, log[-3000:]

    # None lost: one email per step (each tells the other party), all sent.
    told = shell(
        "from catalog.models import RequestMessage; "
        f"print(RequestMessage.objects.filter(request__details__startswith={marker!r},"
        " action__in=['submit', 'quote', 'accept']).count())"
    )
    assert len(rows) == told == len(steps), (len(rows), told, len(steps))
    assert all(state == "sent" for _, state, _ in rows), [row for row in rows if row[1] != "sent"]
    # Exactly once, counted at the mail server by Message-ID.
    received = mail_server.message_ids()
    ours = {message_id for message_id, _, _ in rows}
    assert sorted(message_id for message_id in received if message_id in ours) == sorted(ours)
    assert len(received) == len(set(received)), "an email was delivered twice"
    retried = [attempts for _, _, attempts in rows if attempts > 1]
    assert retried, "some emails waited out the outage"
    assert "Traceback" not in worker_output, worker_output[-3000:]

    accepted = sum(len(driver.accepted) for driver in drivers)
    hostile_figures("mail outage seconds", round(back_at - down_at, 1))
    hostile_figures("request steps (all answered 302) / during the outage", f"{len(steps)} / {len(during)}")
    hostile_figures("requests taken to accepted", accepted)
    hostile_figures("emails queued / delivered once / twice", f"{len(rows)} / {len(ours)} / 0")
    hostile_figures("emails that waited out the outage", len(retried))
    hostile_figures("seconds from the server's return to the last email", round(delivered_at - back_at, 1))
    hostile_figures("load requests (200)", summary["statuses"].get("200", 0))
