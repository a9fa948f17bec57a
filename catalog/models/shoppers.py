"""
What brings a shopper back: the pieces they saved, the makers they follow, and the listings they
asked to be told about (saved searches with their email alerts).

Each row is one shopper's and nobody else's: the room `catalog.shoppers` scopes every read and write
to `request.user`, and a constraint makes each save, follow and search exist once, so two tabs
pressing "Save" at once make one row. A maker sees how many shoppers saved a piece, never who.

A saved search keeps the listing's canonical query (`query`, without the "?"), read again by the
listing's own filters at each alert, so a search saved before a facet changed keeps working on the
parameters the listing still understands. `alerted_until` is the moment up to which its pieces were
already considered: a digest covers the pieces published after it, and moves it on in the same
transaction that queues the email (catalog.outbox), so a run that is killed and started again sends
no piece twice and loses none.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.choice_labels import ChoiceLabels

SEARCH_NAME_MAX_LENGTH = 80
SEARCH_QUERY_MAX_LENGTH = 2000


class SavedPiece(models.Model):
    shopper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_pieces")
    piece = models.ForeignKey("catalog.Piece", on_delete=models.CASCADE, related_name="saves")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shopper", "piece"], name="saved_piece_once")]
        indexes = [models.Index(fields=["shopper", "-saved_at", "-id"], name="saved_piece_newest")]

    def __str__(self):
        return f"{self.shopper_id} saved {self.piece_id}"


class Follow(models.Model):
    shopper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    artisan = models.ForeignKey("artisans.Artisan", on_delete=models.CASCADE, related_name="followers")
    followed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-followed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shopper", "artisan"], name="follow_once")]

    def __str__(self):
        return f"{self.shopper_id} follows {self.artisan_id}"


class AlertFrequency(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    NEVER = "never", _("Never: keep the search only")


class SavedSearch(ChoiceLabels, models.Model):
    shopper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=SEARCH_NAME_MAX_LENGTH)
    query = models.CharField(
        max_length=SEARCH_QUERY_MAX_LENGTH, blank=True, help_text=_("The listing's canonical query, without the '?'.")
    )
    frequency = models.CharField(max_length=10, choices=AlertFrequency.choices, default=AlertFrequency.WEEKLY)
    created_at = models.DateTimeField(default=timezone.now)
    alerted_until = models.DateTimeField(
        default=timezone.now, help_text=_("Pieces published up to this moment were already considered for an alert.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "saved searches"
        constraints = [models.UniqueConstraint(fields=["shopper", "query"], name="saved_search_once")]
        indexes = [models.Index(fields=["frequency", "alerted_until"], name="saved_search_due")]

    def __str__(self):
        return self.name
