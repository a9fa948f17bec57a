"""Signals the artisans app sends to the apps built on it (which it does not import)."""

from django.dispatch import Signal

# Sent, once committed, after makers' statuses change in bulk: a queryset
# update sends no post_save, and the catalog's cached figures depend on which
# makers are public.
makers_status_changed = Signal()
