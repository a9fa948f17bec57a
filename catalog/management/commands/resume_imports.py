"""
Queue again the imports whose worker died (`catalog.imports.jobs.imports_resume_stale`): a job queued
or running whose heartbeat is older than IMPORT_STALE_AFTER seconds. It carries on after the rows
already written, never making a piece twice; a job tried IMPORT_MAX_ATTEMPTS times fails, and its
maker is told.

One pass by default, for cron (every minute); `--forever` checks every `--every` seconds, for a
service or for `make run`, and stops on SIGTERM. Safe to run several at once: each job is locked
while it is looked at.
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from catalog.imports.jobs import imports_resume_stale


class Command(BaseCommand):
    help = "Queue again the imports whose worker stopped mid-way (stale heartbeat); they resume where they were."

    def add_arguments(self, parser):
        parser.add_argument("--forever", action="store_true", help="Keep checking instead of one pass.")
        parser.add_argument("--every", type=float, default=60, help="Seconds between checks with --forever (60).")

    def handle(self, *args, forever, every, **options):
        self.stopping = False
        if forever:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        while True:
            resumed = imports_resume_stale()
            if resumed or not forever:
                self.stdout.write(
                    f"{len(resumed)} import(s) queued again{': ' if resumed else '.'}"
                    + ", ".join(str(pk) for pk in resumed)
                )
            if not forever or self.stopping:
                return
            close_old_connections()
            deadline = time.monotonic() + every
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, every))
            if self.stopping:
                return

    def _stop(self, signum, frame):
        self.stopping = True
