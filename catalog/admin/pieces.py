"""
Staff curation of pieces and how they were made: the piece list and change page (publish, hide, feature,
raise the evidence level), their steps, materials, photos and personalization options.

Every list page and the piece change page cost a fixed number of queries whatever the number of rows:
related rows are joined or prefetched, counts are annotations, and inline autocompletes are labelled from
rows already loaded (catalog.admin.shared.PrelabelledAutocompleteSelect).

Part of the admin room: its actions and the evidence level call catalog.services and catalog.trust.services.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from artisans.admin import bulk_action, photo_preview, report_action
from artisans.choices import ArtisanStatus
from catalog.admin.shared import (
    CertificationFilter,
    Machinery,
    MetalFilter,
    PrelabelledAutocompleteInline,
    ReadOnlyAdmin,
    RecycledMetalFilter,
    VerifyClaimsMixin,
)
from catalog.choices import PieceStatus
from catalog.models import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    PieceViewDay,
    ProductionStep,
)
from catalog.services import piece_publish, pieces_hide, pieces_publish, pieces_set_featured
from catalog.trust.services import (
    ERROR_FLAGGED,
    STAFF_EVIDENCE_LEVELS,
    open_copy_flags,
    piece_raise_evidence,
)

MESSAGE_PUBLISHED = "Published %(count)d piece."
MESSAGE_PUBLISHED_PLURAL = "Published %(count)d pieces."
MESSAGE_MAKER_NOT_APPROVED = (
    "%(count)d of the selected pieces is by a maker who is not approved: it stays off the public site "
    "until the maker is approved."
)
MESSAGE_MAKER_NOT_APPROVED_PLURAL = (
    "%(count)d of the selected pieces are by makers who are not approved: they stay off the public site "
    "until their makers are approved."
)
MESSAGE_HIDDEN = "Hid %(count)d piece from the public site."
MESSAGE_HIDDEN_PLURAL = "Hid %(count)d pieces from the public site."
MESSAGE_FEATURED = "Featured %(count)d piece on the home page."
MESSAGE_FEATURED_PLURAL = "Featured %(count)d pieces on the home page."
MESSAGE_UNFEATURED = "Stopped featuring %(count)d piece."
MESSAGE_UNFEATURED_PLURAL = "Stopped featuring %(count)d pieces."


class ProductionStepInline(admin.TabularInline):
    model = ProductionStep
    fields = ["step", "done", "partner_name", "note", "position"]
    extra = 0


class PieceMaterialInline(PrelabelledAutocompleteInline, admin.StackedInline):
    model = PieceMaterial
    autocomplete_fields = ["material", "certification"]
    fields = [
        ("material", "position"),
        ("purity", "construction", "plating_thickness_microns", "recycled"),
        ("gem_source", "treatment", "origin"),
        ("weight", "weight_unit"),
        ("certification", "certificate_number", "is_verified"),
        "evidence",
    ]
    extra = 0


class PieceImageInline(admin.TabularInline):
    model = PieceImage
    fields = ["preview", "image", "alt_text", "is_process_photo", "position"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, image):
        if not image.pk or not image.image:
            return "—"
        return photo_preview(image.image_thumb, image.alt_text, width=48, height=48)


class PersonalizationOptionInline(admin.TabularInline):
    model = PersonalizationOption
    fields = ["kind", "max_characters", "extra_price", "extra_lead_days", "note"]
    extra = 0


class PieceAdminForm(forms.ModelForm):
    def clean_evidence_level(self):
        # The rule is piece_raise_evidence's; checked here too so the form says it instead of failing on save.
        level = self.cleaned_data["evidence_level"]
        if (
            level in STAFF_EVIDENCE_LEVELS
            and self.instance.pk
            and "evidence_level" in self.changed_data
            and open_copy_flags(self.instance.pk).exists()
        ):
            raise ValidationError(ERROR_FLAGGED, code="flagged")
        return level


class EstimatedCountPaginator(Paginator):
    """
    Pages whose count of a whole large table is PostgreSQL's estimate, and
    whose rows are found by their ids first.

    Counting every row is a scan of the table (seconds at a million pieces),
    and the list needs the total only to number its pages. Unfiltered (the
    query has no WHERE), the count is read up to EXACT_UP_TO rows: a table
    that small is counted exactly; a larger one is given the planner's row
    estimate (pg_class.reltuples, kept by ANALYZE and autovacuum). A filtered
    or searched list, and every list on another database, is counted exactly.
    """

    EXACT_UP_TO = 1_000
    # Read by the list's pagination template, which then says "about".
    is_estimate = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql" or queryset.query.where:
            return super().count
        rows_sql, params = queryset.order_by("pk").values("pk")[: self.EXACT_UP_TO + 1].query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            # One query, as the exact count was: the bounded count (read from the primary key's
            # index, in its order) and the estimate together.
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({rows_sql}) AS bounded), "
                "(SELECT reltuples FROM pg_class WHERE oid = %s::regclass)",
                [*params, queryset.model._meta.db_table],
            )
            bounded, estimate = cursor.fetchone()
        if bounded <= self.EXACT_UP_TO:
            return bounded
        self.is_estimate = True
        return max(bounded, int(estimate))

    def _get_page(self, rows, number, paginator):
        """
        The page's rows in two reads: their ids, from the list's order alone
        (on PostgreSQL an index-only scan, however deep the page), then the
        rows with their joins by those ids. In one query the OFFSET joined the
        maker and category of every row it skipped: page 390 of 100,000 pieces
        took 108 ms, its ids take 4.
        """
        ids = list(rows.values_list("pk", flat=True))
        return super()._get_page(self.object_list.filter(pk__in=ids), number, paginator)


class PieceChangeList(ChangeList):
    """
    The piece list, with what its rows show eager-loaded: maker and category
    joined (`list_select_related`), the product photos of the thumbnail
    (`for_thumbnails()`).

    Only the list needs them; the change form and the autocompletes load their own.
    """

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).for_thumbnails()


@admin.register(Piece)
class PieceAdmin(admin.ModelAdmin):
    """
    Pieces, curated by staff.

    The list and the change form each cost a fixed number of queries whatever
    the number of rows (catalog/admin/tests/test_admin_query_counts.py).
    """

    list_display = [
        "thumbnail",
        "title",
        "maker",
        "production_method",
        "availability",
        "price_display",
        "status",
        "featured",
        "evidence",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = [
        "production_method",
        "made_by",
        "availability",
        "category",
        MetalFilter,
        RecycledMetalFilter,
        CertificationFilter,
        "status",
        "featured",
        "evidence_level",
    ]
    list_select_related = ["artisan", "category"]
    # One count of the filtered rows, not a second one of the whole table;
    # unfiltered, a large table's count is PostgreSQL's estimate.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Django removes the duplicate rows a multi-valued relation (materials) would give.
    search_fields = ["title", "artisan__name", "materials__material__name"]
    search_help_text = _("Search by title, maker name or material name.")
    autocomplete_fields = ["artisan", "category", "techniques", "traditions", "styles"]
    prepopulated_fields = {"slug": ["title"]}
    form = PieceAdminForm
    readonly_fields = [
        "created_at",
        "updated_at",
        "published_at",
        "evidence_raised_by",
        "evidence_raised_at",
        "trust_history",
    ]
    inlines = [ProductionStepInline, PieceMaterialInline, PieceImageInline, PersonalizationOptionInline]
    actions = ["publish", "hide", "feature", "unfeature"]
    # In the order of the article: how it is made, materials and price,
    # uniqueness, durability and care, story and heritage; then curation.
    fieldsets = [
        (None, {"fields": ["title", "slug", "artisan", "sku", "category", "description"]}),
        (
            _("How it is made"),
            {
                "fields": [
                    "production_method",
                    ("made_by", "production_partner"),
                    "uses_bought_components",
                    "techniques",
                    "labor_hours",
                ],
                "description": _("The steps of making, and who did each, are listed below the form."),
            },
        ),
        (
            _("Materials and price"),
            {
                "fields": ["price", ("materials_cost", "labor_cost")],
                "description": _("The materials, with their quality and provenance, are listed below the form."),
            },
        ),
        (_("Uniqueness"), {"fields": ["availability", "edition_size", "lead_time_days", "stock", "variation_note"]}),
        (
            _("Durability & care"),
            {"fields": ["care_instructions", ("lifetime_repairs", "resizing", "warranty_months")]},
        ),
        (_("Story & heritage"), {"fields": ["design_story", "traditions", "styles"]}),
        (
            _("Curation"),
            {
                "fields": [
                    ("status", "featured"),
                    "evidence_level",
                    ("evidence_raised_by", "evidence_raised_at"),
                    "trust_history",
                    ("published_at", "created_at", "updated_at"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("artisan", "category", "evidence_raised_by")

    def get_changelist(self, request, **kwargs):
        return PieceChangeList

    @admin.display(description=_("photo"))
    def thumbnail(self, piece):
        cover = piece.cover  # the first product photo, from the prefetch
        if cover is None:
            return "—"
        return photo_preview(cover.image_thumb, cover.alt_text, width=48, height=48)

    @admin.display(description=_("maker"), ordering="artisan__name")
    def maker(self, piece):
        return piece.artisan.name

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, piece):
        return f"{piece.price} {settings.CURRENCY}"

    @admin.display(description=_("trust history"))
    def trust_history(self, piece):
        """A link to the piece's audit trail: every decision, flag, report and change of level."""
        if not piece.pk:
            return "—"
        url = reverse("admin:catalog_trustevent_changelist") + f"?piece__id__exact={piece.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Decisions, flags and reports for this piece"))

    @admin.display(description=_("evidence"))
    def evidence(self, piece):
        """The evidence level, marked when staff checked it (one column keeps the list narrow)."""
        label = piece.get_evidence_level_display()
        if piece.evidence_level not in STAFF_EVIDENCE_LEVELS:
            return label
        return format_html(
            '<img src="{}" alt="{}" width="13" height="13"> {}',
            static("admin/img/icon-yes.svg"),
            _("Checked by staff:"),
            label,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Through the services, so that the admin records what the studio would:
        # who raised the evidence and when, and the first publication date.
        if "evidence_level" in form.changed_data:
            piece_raise_evidence(piece=obj, level=obj.evidence_level, actor=request.user)
        if "status" in form.changed_data and obj.status == PieceStatus.PUBLISHED:
            piece_publish(piece=obj, actor=request.user)

    @admin.action(description=_("Publish the selected pieces"), permissions=["change"])
    def publish(self, request, queryset):
        selected = queryset.count()
        off_public_site = queryset.exclude(artisan__status=ArtisanStatus.APPROVED).count()
        changed = pieces_publish(pieces=queryset, actor=request.user)
        report_action(
            self,
            request,
            changed=changed,
            selected=selected,
            singular=MESSAGE_PUBLISHED,
            plural=MESSAGE_PUBLISHED_PLURAL,
            state=_("published"),
        )
        if off_public_site:
            message = ngettext(MESSAGE_MAKER_NOT_APPROVED, MESSAGE_MAKER_NOT_APPROVED_PLURAL, off_public_site)
            self.message_user(request, message % {"count": off_public_site}, messages.WARNING)

    hide = bulk_action(
        lambda pieces, actor: pieces_hide(pieces=pieces, actor=actor),
        description=_("Hide the selected pieces from the public site"),
        messages=(MESSAGE_HIDDEN, MESSAGE_HIDDEN_PLURAL),
        state=_("hidden"),
        permissions=["change"],
    )
    feature = bulk_action(
        lambda pieces, actor: pieces_set_featured(pieces=pieces, featured=True, actor=actor),
        description=_("Feature the selected pieces on the home page"),
        messages=(MESSAGE_FEATURED, MESSAGE_FEATURED_PLURAL),
        state=_("featured"),
        permissions=["change"],
    )
    unfeature = bulk_action(
        lambda pieces, actor: pieces_set_featured(pieces=pieces, featured=False, actor=actor),
        description=_("Stop featuring the selected pieces"),
        messages=(MESSAGE_UNFEATURED, MESSAGE_UNFEATURED_PLURAL),
        state=_("not featured"),
        permissions=["change"],
    )


@admin.register(ProductionStep)
class ProductionStepAdmin(Machinery, admin.ModelAdmin):
    list_display = ["piece", "step", "done", "partner_name", "position"]
    list_filter = ["step", "done"]
    list_select_related = ["piece"]
    search_fields = ["piece__title", "partner_name"]
    autocomplete_fields = ["piece"]


@admin.register(PieceMaterial)
class PieceMaterialAdmin(VerifyClaimsMixin, admin.ModelAdmin):
    list_display = ["piece", "material", "purity", "construction", "recycled", "certification", "is_verified"]
    list_filter = ["material__kind", "construction", "recycled", "is_verified", "certification"]
    list_select_related = ["piece", "material", "certification"]
    search_fields = ["piece__title", "material__name", "certificate_number"]
    autocomplete_fields = ["piece", "material", "certification"]


@admin.register(PieceImage)
class PieceImageAdmin(admin.ModelAdmin):
    list_display = ["preview", "alt_text", "piece", "is_process_photo", "position"]
    list_display_links = ["preview", "alt_text"]
    list_filter = ["is_process_photo"]
    list_select_related = ["piece"]
    search_fields = ["alt_text", "piece__title"]
    autocomplete_fields = ["piece"]

    @admin.display(description=_("preview"))
    def preview(self, image):
        return photo_preview(image.image_thumb, image.alt_text, width=48, height=48)


@admin.register(PersonalizationOption)
class PersonalizationOptionAdmin(Machinery, admin.ModelAdmin):
    list_display = ["piece", "kind", "max_characters", "extra_price", "extra_lead_days"]
    list_filter = ["kind"]
    list_select_related = ["piece"]
    search_fields = ["piece__title", "note"]
    autocomplete_fields = ["piece"]


@admin.register(PieceViewDay)
class PieceViewDayAdmin(Machinery, ReadOnlyAdmin):
    """Views of public piece pages per day (catalog.pages.view_counts); the makers' studio shows their sums."""

    list_display = ["piece", "day", "views"]
    list_select_related = ["piece"]
    date_hierarchy = "day"
    search_fields = ["piece__title"]
