"""
How the catalog writes amounts of money, for templates (the `money` filter) and labels built in Python.

Part of the data layer (with catalog.choices, catalog.models and catalog.querysets): it imports
nothing of the catalog's.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def money(amount):
    """'€1,240' for whole amounts, '€1,240.50' otherwise, in the site's currency."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(settings.CURRENCY, settings.CURRENCY + " ")
    text = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    whole, _, cents = text.partition(".")
    return f"{symbol}{intcomma(int(whole))}" + (f".{cents}" if cents else "")
