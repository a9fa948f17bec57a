"""
Send the outbox's due emails (`catalog.outbox.delivery.deliver_due`).

One pass by default, for cron (every minute); `--forever` polls every few seconds, for a systemd
service, and finishes the email in hand before it stops on SIGTERM. Safe to run several at once:
each row is sent by one of them only.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from catalog.outbox.delivery import deliver_due


class Command(BaseCommand):
    help = "Send the emails waiting in the outbox whose time has come (retrying failed ones with backoff)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many emails per pass (100).")
        parser.add_argument("--forever", action="store_true", help="Keep polling instead of one pass.")
        parser.add_argument("--every", type=float, default=5, help="Seconds between passes with --forever (5).")

    def handle(self, *args, limit, forever, every, **options):
        self.stopping = False
        if forever:
            signal.signal(signal.SIGTERM, self._stop)
        while True:
            outcome = deliver_due(limit=limit)
            if outcome or not forever:
                self.stdout.write(
                    f"{outcome['sent']} sent, {outcome['waiting']} waiting again, {outcome['failed']} failed for good."
                )
            if not forever or self.stopping:
                return
            close_old_connections()
            if sum(outcome.values()) < limit:  # a full pass means more may be due at once
                self._sleep(every)
            if self.stopping:
                return

    def _stop(self, signum, frame):
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))
