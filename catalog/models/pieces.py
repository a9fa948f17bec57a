"""
A piece of jewelry and everything that says how it was made: its production
steps, its materials and their provenance, its photos and the ways it can be
personalized.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField

from artisans.choices import WorkshopSize
from artisans.images import (
    CardRendition,
    CardRendition2x,
    DisplayRendition,
    RandomName,
    ThumbRendition,
    UploadedImageField,
)
from artisans.models import Artisan
from catalog.choices import (
    Availability,
    Construction,
    EvidenceLevel,
    GemSource,
    MadeBy,
    MaterialKind,
    PersonalizationKind,
    PieceStatus,
    ProductionMethod,
    ProductionStepKind,
    StepDoneBy,
    StoneTreatment,
    WeightUnit,
    evidence_label,
)
from catalog.models.taxonomy import Category, Certification, CertificationClaim, Material, Style, Technique, Tradition
from catalog.querysets import PieceManager
from marketplace.choice_labels import ChoiceLabels

# Rules across a piece's fields that no page may contradict (domain.md, "Words a page must never
# contradict"), with the message shown beside the field. Piece.clean and PieceMaterial.clean check
# them, so the studio's forms, the admin and every full_clean() say them; the constraints below hold
# those the database can as a last line.
ERROR_STUDIO_TEAM_SOLO = (
    "The maker works alone (a solo maker's workshop), so no studio team made this piece: choose the "
    "artisan or a named production partner, or change the workshop size in the maker's profile first."
)
ERROR_ONE_OF_A_KIND_VARIATION = (
    "A one-of-a-kind piece is the very one in the photos, so it has no note on how copies differ: "
    "leave the variation note empty and describe the piece itself in the description."
)
ERROR_PLATING_NOT_PLATED = (
    "Only a plated, gold-filled or vermeil metal has a plating thickness: choose that construction, "
    "or leave the thickness empty for solid metal."
)

# The constructions with a precious layer over another metal: the only ones with a plating thickness.
LAYERED_CONSTRUCTIONS = [Construction.PLATED, Construction.GOLD_FILLED, Construction.VERMEIL]

MONEY = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Piece(ChoiceLabels, models.Model):
    artisan = models.ForeignKey(Artisan, on_delete=models.PROTECT, related_name="pieces")
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=170, unique=True)
    # The maker's own reference for the piece (their stock code elsewhere): an import matches rows to
    # pieces by it, within the maker's own pieces only; unique per maker when given.
    sku = models.CharField(max_length=64, blank=True, help_text=_("Your own reference for this piece, if you use one."))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="pieces")
    description = models.TextField(blank=True)

    # 1. How it is made
    # Empty only on a draft or an archived piece: an import never claims a method its file does not
    # state, and the draft's checklist asks for it (catalog.services.CHECKLIST); publishing needs it.
    production_method = models.CharField(
        max_length=20, choices=ProductionMethod.choices, blank=True, help_text=ProductionMethod.field_help()
    )
    made_by = models.CharField(
        max_length=20, choices=MadeBy.choices, default=MadeBy.ARTISAN, help_text=MadeBy.field_help()
    )
    production_partner = models.CharField(
        max_length=150,
        blank=True,
        help_text=_("The outside workshop or factory that made the piece, disclosed to shoppers."),
    )
    uses_bought_components = models.BooleanField(
        default=False, help_text=_("Uses commercial findings bought ready-made, such as clasps and chains.")
    )
    techniques = models.ManyToManyField(Technique, blank=True, related_name="pieces")
    labor_hours = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Hours of work that went into one piece."),
    )

    # 5. Uniqueness
    availability = models.CharField(max_length=20, choices=Availability.choices, help_text=Availability.field_help())
    edition_size = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("How many will ever be made; only for a limited edition.")
    )
    lead_time_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Days from the order to shipping; needed for made to order.")
    )
    stock = models.PositiveIntegerField(default=0, help_text=_("How many are ready to ship now."))

    # 7. Price
    price = models.DecimalField(**MONEY)
    materials_cost = models.DecimalField(
        **MONEY, null=True, blank=True, help_text=_("Optional: what the materials of one piece cost the maker.")
    )
    labor_cost = models.DecimalField(
        **MONEY, null=True, blank=True, help_text=_("Optional: what the labor of one piece costs.")
    )

    # 4, 8, 11: durability, variation, artistic value
    variation_note = models.TextField(
        blank=True, help_text=_("How each piece differs from the photos: stone tone, hammer marks, texture.")
    )
    care_instructions = models.TextField(blank=True)
    lifetime_repairs = models.BooleanField(
        default=False, help_text=_("The maker repairs the piece for as long as it is worn.")
    )
    resizing = models.BooleanField(default=False, help_text=_("The maker resizes the piece after purchase."))
    warranty_months = models.PositiveSmallIntegerField(default=0)
    design_story = models.TextField(blank=True, help_text=_("What inspired the piece and how it was designed."))

    # 12, 13: heritage and trends
    traditions = models.ManyToManyField(Tradition, blank=True, related_name="pieces")
    styles = models.ManyToManyField(Style, blank=True, related_name="pieces")

    # Curation
    status = models.CharField(
        max_length=20, choices=PieceStatus.choices, default=PieceStatus.DRAFT, help_text=PieceStatus.field_help()
    )
    featured = models.BooleanField(default=False)
    evidence_level = models.CharField(
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.SELF_DECLARED,
        help_text=EvidenceLevel.field_help(),
    )
    evidence_raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_raised_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = PieceManager()

    class Meta:
        # A CHECK passes when its condition is NULL, so each rule on a nullable
        # column says `__isnull=False` as well as the bound.
        # Unpublished pieces (no published_at) last, on every database. On PostgreSQL
        # an index in this order (migration 0007) serves the admin's list.
        ordering = [F("published_at").desc(nulls_last=True), "-id"]
        indexes = [
            models.Index(fields=["status", "production_method", "price"], name="piece_status_method_price"),
            models.Index(fields=["status", "category", "price"], name="piece_status_category_price"),
            models.Index(fields=["status", "availability"], name="piece_status_availability"),
            models.Index(fields=["status", "-published_at", "-id"], name="piece_status_newest"),
            models.Index(fields=["status", "price"], name="piece_status_price"),
            models.Index(fields=["artisan", "status"], name="piece_artisan_status"),
            # The piece page's "made the other way": the nearest prices on either side, by range scans.
            models.Index(
                fields=["category", "production_method", "price"],
                condition=Q(status=PieceStatus.PUBLISHED),
                name="piece_published_other_way",
            ),
            # The home page's featured pieces: a few rows, where a plain scan reads every piece (0.4 s at 100,000).
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(featured=True, status=PieceStatus.PUBLISHED),
                name="piece_featured_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["artisan", "sku"], condition=~Q(sku=""), name="piece_sku_once_per_maker"),
            models.CheckConstraint(
                name="piece_method_unless_unpublished",
                condition=~Q(production_method="") | Q(status__in=[PieceStatus.DRAFT, PieceStatus.ARCHIVED]),
                violation_error_message=_("Say how the piece is made before it is published."),
                violation_error_code="method_required",
            ),
            models.CheckConstraint(name="piece_price_not_negative", condition=Q(price__gte=0)),
            models.CheckConstraint(
                name="piece_costs_not_negative",
                condition=(Q(materials_cost__isnull=True) | Q(materials_cost__gte=0))
                & (Q(labor_cost__isnull=True) | Q(labor_cost__gte=0)),
            ),
            models.CheckConstraint(
                name="piece_costs_within_price",
                condition=Q(
                    **{
                        "price__gte": Coalesce(F("materials_cost"), Decimal("0"))
                        + Coalesce(F("labor_cost"), Decimal("0"))
                    }
                ),
                violation_error_message=_("Materials and labor together cannot cost more than the price."),
            ),
            models.CheckConstraint(
                name="piece_edition_size_iff_limited",
                condition=Q(availability=Availability.LIMITED_EDITION, edition_size__isnull=False, edition_size__gte=2)
                | (~Q(availability=Availability.LIMITED_EDITION) & Q(edition_size__isnull=True)),
                violation_error_message=_(
                    "A limited edition needs an edition size of at least 2, and only it has one."
                ),
            ),
            models.CheckConstraint(
                name="piece_lead_time_when_made_to_order",
                condition=~Q(availability=Availability.MADE_TO_ORDER)
                | Q(lead_time_days__isnull=False, lead_time_days__gte=1),
                violation_error_message=_("A piece made to order needs a lead time of at least one day."),
            ),
            models.CheckConstraint(
                name="piece_partner_named",
                condition=~Q(made_by=MadeBy.PRODUCTION_PARTNER) | ~Q(production_partner=""),
                violation_error_message=_("Name the production partner who made the piece."),
            ),
            models.CheckConstraint(
                name="piece_labor_hours_not_negative",
                condition=Q(labor_hours__isnull=True) | Q(labor_hours__gte=0),
            ),
            models.CheckConstraint(
                name="piece_one_of_a_kind_no_variation_note",
                condition=~Q(availability=Availability.ONE_OF_A_KIND) | Q(variation_note=""),
                violation_error_message=ERROR_ONE_OF_A_KIND_VARIATION,
                violation_error_code="one_of_a_kind_variation_note",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalog:piece_detail", kwargs={"slug": self.slug})

    def clean(self):
        """
        The rules across the piece's fields and its maker's, each beside its field. The studio team
        rule reads the maker's workshop, another table, so no constraint can hold it: the studio's
        profile form refuses a solo workshop while pieces say "made by the studio team".
        """
        errors = {}
        if (
            self.made_by == MadeBy.STUDIO_TEAM
            and self.artisan_id is not None
            and self.artisan.workshop_size == WorkshopSize.SOLO
        ):
            errors["made_by"] = ValidationError(ERROR_STUDIO_TEAM_SOLO, code="studio_team_solo_maker")
        if self.availability == Availability.ONE_OF_A_KIND and self.variation_note:
            errors["variation_note"] = ValidationError(
                ERROR_ONE_OF_A_KIND_VARIATION, code="one_of_a_kind_variation_note"
            )
        if errors:
            raise ValidationError(errors)

    # Derived facts read prefetched relations (see PieceQuerySet.for_cards and
    # for_detail), so that a page of pieces costs a fixed number of queries.

    @property
    def cover(self):
        """The first product photo, or None."""
        photos = self.product_photos
        return photos[0] if photos else None

    @property
    def product_photos(self):
        return [image for image in self.images.all() if not image.is_process_photo]

    @property
    def process_photos(self):
        return [image for image in self.images.all() if image.is_process_photo]

    @property
    def metals(self):
        return [m for m in self.materials.all() if m.material.kind == MaterialKind.METAL]

    @property
    def stones(self):
        return [m for m in self.materials.all() if m.material.kind in (MaterialKind.GEMSTONE, MaterialKind.PEARL)]

    @property
    def recycled_metals(self):
        return [m for m in self.metals if m.recycled]

    @property
    def recycled_metal_claim(self):
        """The recycled metal a badge names: a staff-verified certified one first, else the maker's statement."""
        recycled = self.recycled_metals
        return next((m for m in recycled if m.is_verified), recycled[0] if recycled else None)

    @property
    def uses_recycled_metal(self):
        return bool(self.recycled_metals)

    @property
    def maker_share(self):
        """The percentage of recorded steps done by the maker's own hands, or None without steps."""
        steps = self.production_steps.all()
        if not steps:
            return None
        by_hand = sum(1 for step in steps if StepDoneBy(step.done).is_makers_hand)
        return round(100 * by_hand / len(steps))

    @property
    def overhead_and_margin(self):
        """The part of the price that is neither materials nor labor, when the maker gave both."""
        if self.materials_cost is None or self.labor_cost is None:
            return None
        return self.price - self.materials_cost - self.labor_cost

    @property
    def has_price_breakdown(self):
        return self.materials_cost is not None or self.labor_cost is not None

    @property
    def availability_badge(self):
        """'One of a kind', 'Edition of 20', 'Made to order · 3 wk' or 'In stock'."""
        if self.availability == Availability.LIMITED_EDITION:
            return _("Edition of %(size)s") % {"size": self.edition_size}
        if self.availability == Availability.MADE_TO_ORDER:
            days = self.lead_time_days or 0
            if days >= 14:
                return _("Made to order · %(weeks)s wk") % {"weeks": round(days / 7)}
            return _("Made to order · %(days)s days") % {"days": days}
        if self.availability == Availability.OPEN_STOCK:
            return _("In stock") if self.stock else _("Restocking")
        return Availability(self.availability).label

    # The one-sentence explanations of the piece's choices, for its page.

    @property
    def production_method_explanation(self):
        # A draft may not say yet (an import that did not state it).
        return ProductionMethod(self.production_method).explanation if self.production_method else ""

    @property
    def availability_explanation(self):
        return Availability(self.availability).explanation

    @property
    def evidence_level_explanation(self):
        return EvidenceLevel(self.evidence_level).explanation

    @property
    def evidence_label(self):
        """The evidence level as shoppers read it, naming the claim for the piece's own method."""
        return evidence_label(self.evidence_level, self.production_method)

    @property
    def evidence_short_label(self):
        """The evidence level in the few words a card has room for, worded for the piece's method."""
        return evidence_label(self.evidence_level, self.production_method, short=True)

    @property
    def is_evidence_verified(self):
        """Whether staff checked the piece's claim about how it is made (or saw the workshop)."""
        return self.evidence_level in (EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED)

    @property
    def has_repair_policy(self):
        return self.lifetime_repairs or self.resizing or self.warranty_months > 0


class ProductionStep(ChoiceLabels, models.Model):
    """One step of making the piece, and who did it."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="production_steps")
    step = models.CharField(max_length=20, choices=ProductionStepKind.choices)
    done = models.CharField(_("done"), max_length=20, choices=StepDoneBy.choices, help_text=StepDoneBy.field_help())
    partner_name = models.CharField(max_length=150, blank=True, help_text=_("Who did the step, when a partner did."))
    note = models.CharField(max_length=250, blank=True, help_text=_("How the step was done, in a line."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["piece", "step"], name="production_step_once_per_piece"),
            models.CheckConstraint(
                name="production_step_partner_named",
                condition=~Q(done=StepDoneBy.BY_PARTNER) | ~Q(partner_name=""),
                violation_error_message=_("Name the partner who did this step."),
            ),
        ]

    def __str__(self):
        return f"{self.get_step_display()}: {self.get_done_display()}"

    @property
    def is_makers_hand(self):
        return StepDoneBy(self.done).is_makers_hand


class PieceMaterial(CertificationClaim):
    """A material of the piece with its quality and provenance."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="piece_materials")
    purity = models.CharField(max_length=20, blank=True, help_text=_("For metals: 18k, 14k, 925, 950…"))
    construction = models.CharField(
        max_length=20, choices=Construction.choices, blank=True, help_text=Construction.field_help()
    )
    plating_thickness_microns = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For plated metal: how thick the precious layer is, in microns."),
    )
    recycled = models.BooleanField(default=False)
    origin = models.CharField(max_length=200, blank=True, help_text=_("The country or mine the material comes from."))
    gem_source = models.CharField(
        max_length=20, choices=GemSource.choices, blank=True, help_text=GemSource.field_help()
    )
    treatment = models.CharField(
        max_length=20, choices=StoneTreatment.choices, blank=True, help_text=StoneTreatment.field_help()
    )
    certification = models.ForeignKey(
        Certification, null=True, blank=True, on_delete=models.PROTECT, related_name="piece_materials"
    )
    weight = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    weight_unit = models.CharField(max_length=2, choices=WeightUnit.choices, default=WeightUnit.GRAMS)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["material", "piece"], name="piece_material_lookup")]
        constraints = [
            models.CheckConstraint(
                name="piece_material_weight_not_negative", condition=Q(weight__isnull=True) | Q(weight__gte=0)
            ),
            models.CheckConstraint(
                name="piece_material_plating_not_negative",
                condition=Q(plating_thickness_microns__isnull=True) | Q(plating_thickness_microns__gte=0),
            ),
            models.CheckConstraint(
                name="piece_material_verified_needs_certification",
                condition=Q(is_verified=False) | Q(certification__isnull=False),
            ),
            # A metal with a plating layer is not solid (nor of no stated construction).
            models.CheckConstraint(
                name="piece_material_plating_only_when_plated",
                condition=Q(plating_thickness_microns__isnull=True) | Q(construction__in=LAYERED_CONSTRUCTIONS),
                violation_error_message=ERROR_PLATING_NOT_PLATED,
                violation_error_code="plating_not_plated",
            ),
        ]

    def clean(self):
        super().clean()
        if self.plating_thickness_microns is not None and self.construction not in LAYERED_CONSTRUCTIONS:
            raise ValidationError(
                {"plating_thickness_microns": ValidationError(ERROR_PLATING_NOT_PLATED, code="plating_not_plated")}
            )

    def __str__(self):
        return " ".join(part for part in (self.purity, self.get_construction_display(), self.material.name) if part)

    @property
    def construction_explanation(self):
        return Construction(self.construction).explanation if self.construction else ""

    @property
    def is_precious_solid(self):
        return self.construction == Construction.SOLID

    @property
    def is_traceable(self):
        return bool(self.origin) or (self.certification_id is not None and self.is_verified)


class PieceImage(models.Model):
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="images")
    image = UploadedImageField(upload_to=RandomName("pieces"), width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    image_card = ImageSpecField(source="image", spec=CardRendition)
    image_card_2x = ImageSpecField(source="image", spec=CardRendition2x)
    image_display = ImageSpecField(source="image", spec=DisplayRendition)
    image_thumb = ImageSpecField(source="image", spec=ThumbRendition)
    alt_text = models.CharField(
        max_length=250, help_text=_("What the photo shows, for people who cannot see it. Required.")
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_process_photo = models.BooleanField(
        default=False, help_text=_("A photo of this piece being made, rather than of the finished piece.")
    )
    # Copy detection (catalog.trust.copies): the 64-bit perceptual hash, and its four
    # 16-bit quarters in indexed columns so that near matches are found by
    # equality lookups rather than by comparing every pair.
    phash = models.BigIntegerField(null=True, blank=True, editable=False)
    phash_0 = models.IntegerField(null=True, blank=True, editable=False, db_index=True)
    phash_1 = models.IntegerField(null=True, blank=True, editable=False, db_index=True)
    phash_2 = models.IntegerField(null=True, blank=True, editable=False, db_index=True)
    phash_3 = models.IntegerField(null=True, blank=True, editable=False, db_index=True)
    is_stock = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("A picture the site itself supplied to many pieces (the demo's drawings): never taken as a copy."),
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(name="piece_image_alt_text_required", condition=~Q(alt_text="")),
        ]

    def __str__(self):
        return self.alt_text


class PersonalizationOption(ChoiceLabels, models.Model):
    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="personalization_options")
    kind = models.CharField(
        max_length=20, choices=PersonalizationKind.choices, help_text=PersonalizationKind.field_help()
    )
    max_characters = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("For engraving: the most letters that fit.")
    )
    extra_price = models.DecimalField(**MONEY, default=Decimal("0"))
    extra_lead_days = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=250, blank=True, help_text=_("What can be chosen, e.g. 'sizes 4 to 12'."))

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["piece", "kind"], name="personalization_option_once_per_kind"),
            models.CheckConstraint(
                name="personalization_engraving_has_limit",
                condition=~Q(kind=PersonalizationKind.ENGRAVING)
                | Q(max_characters__isnull=False, max_characters__gte=1),
                violation_error_message=_("An engraving option needs a character limit above zero."),
            ),
            models.CheckConstraint(name="personalization_extra_price_not_negative", condition=Q(extra_price__gte=0)),
        ]

    def __str__(self):
        return self.get_kind_display()


class PieceViewDay(models.Model):
    """How many times a piece's public page was viewed on one day; written in batches by `catalog.pages.view_counts`."""

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="view_days")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["piece", "day"], name="piece_view_day_once")]

    def __str__(self):
        return f"{self.piece_id} on {self.day}: {self.views}"
