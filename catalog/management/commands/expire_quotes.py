"""
Close quotes past their expiry date.

Safe to run from cron: idempotent, and a quote accepted meanwhile is left alone.
"""

from django.core.management.base import BaseCommand

from catalog.personalization.flow import requests_expire_due


class Command(BaseCommand):
    help = "Mark quotes past their expiry date as expired and tell both parties."

    def handle(self, *args, **options):
        expired = requests_expire_due()
        self.stdout.write(f"{expired} quote(s) expired.")
