"""
`manage.py scan_copies`: look for copied photos and descriptions across the whole catalog.

Hashes the photos not hashed yet (each stored file once), then finds the
pairs of pieces of two makers that share a photo or a near-identical
description through the indexes of catalog.trust.copies (never all pairs), and flags
the new ones: they join the review queue. Pairs staff cleared stay cleared.
Safe to run again; uploads are checked as they are stored, so this is for
catalogs loaded in bulk and for a change of threshold.
"""

from django.core.management.base import BaseCommand

from catalog.trust.copies import scan_catalog


class Command(BaseCommand):
    help = "Find photos and descriptions shared by two makers' pieces and flag them for review."

    def handle(self, *args, **options):
        self.stdout.write(self.style.SUCCESS(scan_catalog().line()))
