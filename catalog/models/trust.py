"""
Trust: the staff review queue, its audit trail, copy detection's findings and
shoppers' reports.

A `Review` is one item of the queue: a piece's handcrafted claim or one
certification claim (of a piece's material or of a maker), waiting for staff
or decided by them. Every decision and every event that bears on trust is a
`TrustEvent`, kept per piece and per maker, never edited.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artisans.images import RandomName
from artisans.models import Artisan
from catalog.choices import CopyKind, ReportReason, ReviewReason, ReviewState, TrustAction
from catalog.models.pieces import Piece, PieceImage, PieceMaterial
from catalog.models.taxonomy import MakerCertification
from catalog.querysets import ReviewQuerySet
from marketplace.choice_labels import ChoiceLabels


class Review(ChoiceLabels, models.Model):
    """One item of the review queue: exactly one of a piece, a material's claim or a maker's claim."""

    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="reviews")
    piece = models.ForeignKey(Piece, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews")
    material_claim = models.ForeignKey(
        PieceMaterial, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    maker_claim = models.ForeignKey(
        MakerCertification, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    reason = models.CharField(max_length=20, choices=ReviewReason.choices, help_text=ReviewReason.field_help())
    state = models.CharField(
        max_length=20, choices=ReviewState.choices, default=ReviewState.WAITING, help_text=ReviewState.field_help()
    )
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text=_("Staff's note on the decision; the maker reads it."))
    # An appeal is a new review that answers a rejected one, once.
    appeal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.CASCADE, related_name="appeal")
    appeal_text = models.TextField(blank=True)
    appeal_evidence = models.FileField(upload_to=RandomName("evidence"), blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("review queue item")
        verbose_name_plural = _("review queue")
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["state", "opened_at"], name="review_queue")]
        constraints = [
            models.CheckConstraint(
                name="review_one_subject",
                condition=Q(piece__isnull=False, material_claim__isnull=True, maker_claim__isnull=True)
                | Q(piece__isnull=True, material_claim__isnull=False, maker_claim__isnull=True)
                | Q(piece__isnull=True, material_claim__isnull=True, maker_claim__isnull=False),
            ),
            # One waiting item per subject: a second reason joins the item already queued.
            models.UniqueConstraint(
                fields=["piece"], condition=Q(state=ReviewState.WAITING), name="review_waiting_once_per_piece"
            ),
            models.UniqueConstraint(
                fields=["material_claim"],
                condition=Q(state=ReviewState.WAITING),
                name="review_waiting_once_per_material_claim",
            ),
            models.UniqueConstraint(
                fields=["maker_claim"],
                condition=Q(state=ReviewState.WAITING),
                name="review_waiting_once_per_maker_claim",
            ),
            models.CheckConstraint(
                name="review_decision_has_decider",
                condition=Q(state=ReviewState.WAITING) | Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.subject}"

    @property
    def subject(self):
        return self.piece or self.material_claim or self.maker_claim

    @property
    def is_piece(self):
        return self.piece_id is not None

    @property
    def can_appeal(self):
        """A rejection may be answered once; an appeal's own rejection is final."""
        return self.state == ReviewState.REJECTED and self.appeal_of_id is None and not hasattr(self, "appeal")


class TrustEvent(ChoiceLabels, models.Model):
    """One line of the audit trail: who did what, when, with what note. Written once, never changed."""

    artisan = models.ForeignKey(Artisan, on_delete=models.CASCADE, related_name="trust_events")
    piece = models.ForeignKey(Piece, null=True, blank=True, on_delete=models.CASCADE, related_name="trust_events")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=TrustAction.choices, help_text=TrustAction.field_help())
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["piece", "-created_at"], name="trust_event_piece"),
            models.Index(fields=["artisan", "-created_at"], name="trust_event_artisan"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"


class CopyFlag(ChoiceLabels, models.Model):
    """Copy detection matched `piece` with `other` (another maker's); stored both ways round."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="copy_flags")
    other = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=CopyKind.choices, help_text=CopyKind.field_help())
    # The Hamming distance of the photos' hashes, or the description's similarity in percent.
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["piece", "other", "kind"], name="copy_flag_once"),
            models.CheckConstraint(name="copy_flag_not_self", condition=~Q(piece=models.F("other"))),
        ]

    def __str__(self):
        return f"{self.piece} ~ {self.other} ({self.get_kind_display()})"


class PhotoCropHash(models.Model):
    """
    The pHash of a centre crop of a stored photo (`crop`: per mille cut from each side).

    A copy cropped a few per cent hashes near one of these though far from the
    photo's own hash; stored in quarters like `PieceImage.phash`, for the same indexed lookup.
    """

    image = models.ForeignKey(PieceImage, on_delete=models.CASCADE, related_name="crop_hashes")
    crop = models.PositiveSmallIntegerField()
    phash = models.BigIntegerField()
    phash_0 = models.IntegerField(db_index=True)
    phash_1 = models.IntegerField(db_index=True)
    phash_2 = models.IntegerField(db_index=True)
    phash_3 = models.IntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "crop"], name="photo_crop_hash_once")]

    def __str__(self):
        return f"{self.crop / 10:g} % crop of photo #{self.image_id}"


class DescriptionBand(models.Model):
    """One LSH band of a description's MinHash signature: equal bands make two descriptions candidates."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["band", "value"], name="description_band_lookup")]
        constraints = [models.UniqueConstraint(fields=["piece", "band"], name="description_band_once")]

    def __str__(self):
        return f"band {self.band} of piece #{self.piece_id}"


class PieceReport(ChoiceLabels, models.Model):
    """A shopper's report of a listing; they are emailed the outcome of the review it joins."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="reports")
    # Null once the reporter deleted their account: staff keep the report, which a review may rest on.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="piece_reports"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices, help_text=ReportReason.field_help())
    details = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    review = models.ForeignKey(Review, null=True, on_delete=models.SET_NULL, related_name="reports")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One open report per shopper and piece: a second click adds nothing to the count.
            models.UniqueConstraint(
                fields=["piece", "reporter"], condition=Q(resolved_at__isnull=True), name="piece_report_open_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.piece}"
