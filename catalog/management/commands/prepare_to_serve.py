"""
What `make serve` does before gunicorn starts, in one process: the static files collected, the
database migrated, and the demo catalog seeded if the catalog is empty. Three commands in a row,
without paying Django's start-up three times (each server of the hostile suite starts this way).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Collect the static files, migrate, and seed the demo catalog if it is empty (make serve)."

    def handle(self, *args, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", "--if-empty", stdout=self.stdout, stderr=self.stderr)
