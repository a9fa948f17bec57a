"""
`manage.py seed_demo`: fill the catalog with believable demo makers and pieces.

    seed_demo                   about 40 makers and 600 pieces, seed 2026
    seed_demo --pieces 100000   a large catalog for measuring pages (shared photos)
    seed_demo --reset           delete the demo catalog and build it again
    seed_demo --if-empty        do nothing when the catalog has any piece (used by `make run`)

Running it twice changes nothing the second time; everything is written in
one transaction, so a failure leaves no half-built catalog behind.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.template.defaultfilters import pluralize

from catalog.demo.build import DEFAULT_PIECES, DEFAULT_SEED, build_demo, delete_demo, demo_counts
from catalog.models import Piece


class Command(BaseCommand):
    help = "Create a demo catalog of makers and pieces, with drawn photos. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--pieces", type=int, default=DEFAULT_PIECES, help=f"How many pieces to create (default {DEFAULT_PIECES})."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"The random seed; the same seed gives the same catalog (default {DEFAULT_SEED}).",
        )
        parser.add_argument("--reset", action="store_true", help="Delete an existing demo catalog and build it again.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the catalog already has any piece, demo or not."
        )

    def handle(self, *args, pieces, seed, reset, if_empty, **options):
        if pieces < 1:
            raise CommandError("--pieces must be at least 1.")
        if if_empty:
            existing = Piece.objects.count()
            if existing:
                self.stdout.write(
                    f"The catalog already has {existing:,} piece{pluralize(existing)}; not seeding the demo catalog."
                )
                return
        with transaction.atomic():
            present = demo_counts()
            if present and not reset:
                makers, pieces_present = present
                self.stdout.write(
                    f"The demo catalog is already present ({makers:,} makers, {pieces_present:,} pieces); "
                    "nothing changed. Use --reset to rebuild it."
                )
                return
            if present:
                delete_demo()
                self.stdout.write("Deleted the demo catalog ({:,} makers, {:,} pieces).".format(*present))
            # tqdm rewrites its line with carriage returns, which OutputWrapper would
            # turn into new lines; it gets the raw stream.
            summary = build_demo(pieces_count=pieces, seed=seed, progress_file=self.stderr._out)
        # Fresh statistics for the planner: after a bulk load, PostgreSQL would
        # otherwise plan the listing's queries for empty tables until autovacuum
        # runs (seconds instead of milliseconds at 100,000 pieces).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(summary.line()))
