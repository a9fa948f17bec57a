"""
The outbox: every email the site sends, kept whole until the mail server has accepted it.

An `OutboxEmail` row is written by the email backend (`catalog.outbox.backend.OutboxBackend`) in
the same transaction as the change it tells of, so the email exists if and only if the change
committed. `catalog.outbox.delivery` sends the rows that are due and records what happened: sent
(once, with the time the server accepted it), or waiting again after a failure (attempts, the last
error in one line, the next attempt), or failed for good after the last attempt.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choice_labels import ChoiceLabels


class OutboxState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed for good")


class OutboxEmail(ChoiceLabels, models.Model):
    """One email, as it will be sent: addresses, subject, text and HTML bodies, headers and its Message-ID."""

    message_id = models.CharField(
        max_length=255, unique=True, help_text=_("The Message-ID header, the same on every attempt.")
    )
    from_email = models.CharField(max_length=320)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.TextField()
    body = models.TextField(blank=True, help_text=_("The text part."))
    html_body = models.TextField(blank=True, help_text=_("The HTML part, if any."))
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.WAITING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(
        max_length=300, blank=True, help_text=_("What went wrong on the last attempt, in one line.")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state=OutboxState.WAITING), name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"
