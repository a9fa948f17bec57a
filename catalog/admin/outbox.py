"""
The outbox for staff: every email the site queued, with its state, attempts, last error and next
attempt, read-only; the action "Retry now" tries the selected emails not sent yet at once (an email
already sent is never sent again).

Part of the admin room: the retry is `catalog.outbox.delivery.retry_now`.
"""

from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from catalog.admin.shared import ReadOnlyAdmin
from catalog.models import OutboxEmail, OutboxState
from catalog.outbox.delivery import retry_now

MESSAGE_RETRIED = "Tried again: %(sent)d sent, %(waiting)d waiting for another attempt, %(failed)d failed for good."


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    list_display = ["subject", "state", "attempts", "next_attempt_or_sent", "last_error", "recipients"]
    list_filter = ["state"]
    search_fields = ["subject", "to", "message_id"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    fields = [
        "message_id",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "from_email",
        "to",
        "cc",
        "bcc",
        "reply_to",
        "subject",
        "headers",
        "body",
        "html_body",
    ]

    @admin.display(description=_("to"))
    def recipients(self, email):
        return ", ".join(email.to)

    @admin.display(description=_("next attempt, or sent"), ordering="next_attempt_at")
    def next_attempt_or_sent(self, email):
        """When a waiting email is tried next; when a sent one left; nothing for one that failed for good."""
        if email.state == OutboxState.SENT:
            return _("sent %(when)s") % {"when": date_format(localtime(email.sent_at), "DATETIME_FORMAT")}
        if email.state == OutboxState.WAITING:
            return date_format(localtime(email.next_attempt_at), "DATETIME_FORMAT")
        return "—"

    def has_retry_permission(self, request):
        return request.user.has_perm("catalog.change_outboxemail")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry(self, request, queryset):
        outcome = retry_now(queryset)
        counts = {state: outcome[state] for state in ("sent", "waiting", "failed")}
        level = messages.SUCCESS if not counts["waiting"] and not counts["failed"] else messages.WARNING
        self.message_user(request, MESSAGE_RETRIED % counts, level)
