"""
Personalization requests: a shopper's request to a maker (about a piece, or a
commission with no piece), its reference photos and its thread of messages.

The state only changes through `catalog.personalization.flow`, the one module that
holds the table of transitions; nothing else writes `state`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artisans.images import RandomName, UploadedImageField
from catalog.choices import PersonalizationKind
from catalog.querysets import PersonalizationRequestQuerySet
from marketplace.choice_labels import ChoiceLabels

MONEY = {"max_digits": 10, "decimal_places": 2}


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for a quote")
    QUOTED = "quoted", _("Quoted")
    ACCEPTED = "accepted", _("Quote accepted")
    PROOF_SHARED = "proof_shared", _("Proof to check")
    PROOF_APPROVED = "proof_approved", _("Proof approved")
    IN_PROGRESS = "in_progress", _("Being made")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Quote expired")
    # Staff closing a request (spam, a dispute settled elsewhere) is its own
    # state, so a staff decision is never mistaken for the maker's "declined".
    CLOSED = "closed", _("Closed by staff")


class PersonalizationRequest(ChoiceLabels, models.Model):
    # Null once the shopper deleted their account (catalog.people.services.account_delete): the maker
    # keeps the thread, which then shows "a former shopper".
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="personalization_requests",
    )
    artisan = models.ForeignKey("artisans.Artisan", on_delete=models.CASCADE, related_name="personalization_requests")
    piece = models.ForeignKey(
        "catalog.Piece", on_delete=models.SET_NULL, null=True, blank=True, related_name="personalization_requests"
    )
    state = models.CharField(max_length=20, choices=RequestState.choices, default=RequestState.SUBMITTED)

    kinds = models.JSONField(default=list, blank=True, help_text=_("The kinds of personalization asked for."))
    engraving_text = models.CharField(max_length=80, blank=True)
    size = models.CharField(max_length=40, blank=True)
    material_choice = models.CharField(max_length=120, blank=True, help_text=_("Metal or stone asked for."))
    details = models.TextField(blank=True)
    budget = models.DecimalField(**MONEY, null=True, blank=True)
    needed_by = models.DateField(null=True, blank=True)

    quote_price = models.DecimalField(**MONEY, null=True, blank=True)
    quote_lead_days = models.PositiveSmallIntegerField(null=True, blank=True)
    quote_message = models.TextField(blank=True)
    quote_expires_on = models.DateField(null=True, blank=True)

    proof_image = UploadedImageField(upload_to=RandomName("proofs"), blank=True)
    proof_note = models.TextField(blank=True)
    # The engraving text the shared proof shows, and the text the shopper approved:
    # starting needs the approved text to be exactly the requested one.
    proof_text = models.CharField(max_length=80, blank=True)
    approved_text = models.CharField(max_length=80, blank=True)

    closing_note = models.TextField(blank=True, help_text=_("The maker's reason to decline, or staff's note."))
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PersonalizationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["artisan", "state", "-created_at"], name="request_inbox")]
        constraints = [
            models.CheckConstraint(
                name="request_budget_not_negative", condition=Q(budget__isnull=True) | Q(budget__gte=0)
            ),
            models.CheckConstraint(
                name="request_quote_price_not_negative",
                condition=Q(quote_price__isnull=True) | Q(quote_price__gte=0),
            ),
            models.CheckConstraint(name="request_state_valid", condition=Q(state__in=RequestState.values)),
        ]

    def __str__(self):
        subject = self.piece.title if self.piece_id else "a commission"
        return f"Request #{self.pk} for {subject}"

    @property
    def quote_has_expired(self) -> bool:
        return bool(self.quote_expires_on and self.quote_expires_on < timezone.localdate())

    @property
    def shown_state(self) -> str:
        """The state as shoppers and makers see it: a quote past its date reads as expired before the command runs."""
        if self.state == RequestState.QUOTED and self.quote_has_expired:
            return RequestState.EXPIRED
        return self.state

    def get_shown_state_display(self) -> str:
        return RequestState(self.shown_state).label

    def get_kinds_display(self) -> list[str]:
        return [PersonalizationKind(kind).label for kind in self.kinds if kind in PersonalizationKind.values]


class RequestPhoto(models.Model):
    request = models.ForeignKey(PersonalizationRequest, on_delete=models.CASCADE, related_name="photos")
    image = UploadedImageField(upload_to=RandomName("requests"))

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class RequestMessage(models.Model):
    """One entry of a request's thread: a message, or the record of a transition (with `action` set)."""

    request = models.ForeignKey(PersonalizationRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=20, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:60]
