"""
The outbox: every email of the project, ours and allauth's, queued in the database with the change
it tells of, then delivered, retried with backoff until the mail server takes it, never sent twice.

What it owns: `backend.py` (`OutboxBackend`, the EMAIL_BACKEND: its `send_messages` writes
`OutboxEmail` rows instead of sending, and asks for them to be delivered right after the commit)
and `delivery.py` (`deliver_due`: the due rows sent through the real backend, OUTBOX_DELIVERY_BACKEND,
from EMAIL_URL; one row per transaction, locked with SKIP LOCKED on PostgreSQL; `retry_now` for staff).
The rows are `catalog.models.OutboxEmail`.

It imports the data layer only. Nobody queues through it by import: the rooms send with Django's
mail API (`EmailMultiAlternatives.send()`, allauth's adapter), which finds the backend by its name
in the settings; so the personalization and trust rooms, and `artisans`, which may not import the
catalog, all queue the same way. Who imports it: the `send_outbox` command and the admin's outbox
page (`catalog.admin.outbox`).
"""
