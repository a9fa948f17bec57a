"""
Email each shopper one digest of the new pieces matching their due saved searches
(catalog.shoppers.alerts.alerts_send).

Safe to run from cron (docs/deploy.md): idempotent, and safe to interrupt: a shopper's digest and
the move of their searches' `alerted_until` commit together, so no piece is sent twice for a search
and none is lost.
"""

from django.core.management.base import BaseCommand, CommandError

from catalog.shoppers.alerts import alerts_send


class Command(BaseCommand):
    help = "Queue one email per shopper with the new pieces matching their due saved searches."

    def handle(self, *args, **options):
        run = alerts_send()
        self.stdout.write(
            f"{run.emails} digest(s) queued; {run.searches} search(es) of {run.shoppers} shopper(s) moved on "
            f"to {run.cutoff:%Y-%m-%d %H:%M:%S} ({run.matched} with new pieces; {run.new_pieces} new piece(s), "
            f"{run.queries} distinct search(es))."
        )
        if run.failed:
            raise CommandError(
                f"The digests of {len(run.failed)} shopper(s) failed (logged); the next run retries them."
            )
