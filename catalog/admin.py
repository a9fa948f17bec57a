"""
Staff curation of the catalog: pieces and how they were made, the taxonomies,
certification claims and collections.

Every list page and the piece and collection change pages cost a fixed number
of queries whatever the number of rows: related rows are joined or
prefetched, counts are annotations, and inline autocompletes are labelled
from rows already loaded (see `PrelabelledAutocompleteSelect`).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from artisans.admin import bulk_action, photo_preview, report_action
from artisans.choices import ArtisanStatus

from .choices import MaterialKind, PieceStatus, ReviewState
from .models import (
    Category,
    Certification,
    Collection,
    CollectionPiece,
    CopyFlag,
    DescriptionBand,
    MakerCertification,
    Material,
    PersonalizationOption,
    PersonalizationRequest,
    PhotoCropHash,
    Piece,
    PieceImage,
    PieceMaterial,
    PieceReport,
    PieceViewDay,
    ProductionStep,
    RequestMessage,
    RequestPhoto,
    Review,
    Style,
    Technique,
    Tradition,
    TrustEvent,
)
from .querysets import card_photos
from .request_flow import RequestRefused, request_close
from .services import (
    STAFF_EVIDENCE_LEVELS,
    certification_claims_verify,
    piece_publish,
    piece_raise_evidence,
    pieces_hide,
    pieces_publish,
    pieces_set_featured,
)
from .trust import ERROR_FLAGGED, copy_flags_clear, open_copy_flags, review_decide

MESSAGE_CLOSE_NEEDS_NOTE = "Write a note in the box next to the action: both parties read it."
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
MESSAGE_CLAIMS_VERIFIED = "Verified %(count)d certification claim."
MESSAGE_CLAIMS_VERIFIED_PLURAL = "Verified %(count)d certification claims."


# --- Inline autocompletes that cost no query per row ---------------------------


class PrelabelledAutocompleteSelect(AutocompleteSelect):
    """
    An autocomplete that labels its selected option from the row it belongs to.

    Django's widget fetches the selected option's label with one query per
    form, so an inline of n rows costs n queries. `PrelabelledInlineFormSet`
    hands each widget the label of the object its row already loaded; the
    widget falls back to the query only for a value it was not told about
    (a form re-shown after an error with another option chosen).
    """

    known_choices = None  # {str(primary key): label}, set per form

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        known = self.known_choices or {}
        if not selected or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for option_value in sorted(selected):
            options.append(self.create_option(name, option_value, known[option_value], selected, len(options)))
        return [(None, options, 0)]


class PrelabelledInlineFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, form_field in form.fields.items():
            widget = getattr(form_field.widget, "widget", form_field.widget)  # unwrap the add/change links
            if not isinstance(widget, PrelabelledAutocompleteSelect):
                continue
            model_field = form.instance._meta.get_field(name)
            if model_field.is_cached(form.instance) and (related := getattr(form.instance, name)) is not None:
                widget.known_choices = {str(related.pk): form_field.label_from_instance(related)}
        return form


class PrelabelledAutocompleteInline:
    """
    An inline mixin: its autocomplete fields are joined to the rows and labelled from them.

    `related` names further relations the row's __str__ reads, joined the same way.
    """

    formset = PrelabelledInlineFormSet
    related = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.autocomplete_fields, *self.related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = PrelabelledAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- List filters over the article's distinctions ------------------------------


def has_material(**conditions):
    """Whether the piece has a material matching `conditions`, as an EXISTS that never duplicates pieces."""
    return Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), **conditions))


class MetalFilter(admin.SimpleListFilter):
    title = _("metal")
    parameter_name = "metal"

    def lookups(self, request, model_admin):
        return Material.objects.filter(kind=MaterialKind.METAL).order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(has_material(material__kind=MaterialKind.METAL, material__slug=self.value()))


class RecycledMetalFilter(admin.SimpleListFilter):
    title = _("recycled metal")
    parameter_name = "recycled"

    def lookups(self, request, model_admin):
        return [("yes", _("Has recycled metal")), ("no", _("No recycled metal"))]

    def queryset(self, request, queryset):
        recycled_metal = has_material(material__kind=MaterialKind.METAL, recycled=True)
        if self.value() == "yes":
            return queryset.filter(recycled_metal)
        if self.value() == "no":
            return queryset.filter(~recycled_metal)
        return queryset


class CertificationFilter(admin.SimpleListFilter):
    """Pieces claiming a certification, on one of their materials or through their maker, verified or not."""

    title = _("certification claimed")
    parameter_name = "certification"

    def lookups(self, request, model_admin):
        return Certification.objects.order_by("name").values_list("slug", "name")

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        held_by_maker = Exists(
            MakerCertification.objects.filter(artisan=OuterRef("artisan"), certification__slug=self.value())
        )
        return queryset.filter(has_material(certification__slug=self.value()) | held_by_maker)


# --- Pieces -------------------------------------------------------------------


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
    the number of rows (see test_admin).
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
        (None, {"fields": ["title", "slug", "artisan", "category", "description"]}),
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
class ProductionStepAdmin(admin.ModelAdmin):
    list_display = ["piece", "step", "done", "partner_name", "position"]
    list_filter = ["step", "done"]
    list_select_related = ["piece"]
    search_fields = ["piece__title", "partner_name"]
    autocomplete_fields = ["piece"]


class VerifyClaimsMixin:
    """The action that marks certification claims as checked by staff."""

    actions = ["verify_claims"]

    verify_claims = bulk_action(
        lambda claims, actor: certification_claims_verify(claims=claims, actor=actor),
        description=_("Mark the selected certification claims as verified"),
        messages=(MESSAGE_CLAIMS_VERIFIED, MESSAGE_CLAIMS_VERIFIED_PLURAL),
        state=_("verified"),
        permissions=["change"],
    )


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
class PersonalizationOptionAdmin(admin.ModelAdmin):
    list_display = ["piece", "kind", "max_characters", "extra_price", "extra_lead_days"]
    list_filter = ["kind"]
    list_select_related = ["piece"]
    search_fields = ["piece__title", "note"]
    autocomplete_fields = ["piece"]


# --- Taxonomies and certifications ---------------------------------------------


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(TaxonomyAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]


@admin.register(Material)
class MaterialAdmin(TaxonomyAdmin):
    list_display = ["name", "kind", "colour"]
    list_filter = ["kind"]


@admin.register(Technique)
class TechniqueAdmin(TaxonomyAdmin):
    list_display = ["name", "is_traditional", "is_industrial", "origin"]
    list_filter = ["is_traditional", "is_industrial"]
    autocomplete_fields = ["artisans"]


@admin.register(Tradition)
class TraditionAdmin(TaxonomyAdmin):
    list_display = ["name", "region"]
    search_fields = ["name", "region"]
    autocomplete_fields = ["artisans"]


@admin.register(Style)
class StyleAdmin(TaxonomyAdmin):
    pass


@admin.register(Certification)
class CertificationAdmin(TaxonomyAdmin):
    list_display = ["name", "issuer", "certifies"]
    list_filter = ["certifies"]
    search_fields = ["name", "issuer"]
    # Certifiers' sites are served over HTTPS; a bare domain typed in gets that scheme.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(MakerCertification)
class MakerCertificationAdmin(VerifyClaimsMixin, admin.ModelAdmin):
    list_display = ["artisan", "certification", "certificate_number", "is_verified"]
    list_filter = ["is_verified", "certification"]
    list_select_related = ["artisan", "certification"]
    search_fields = ["artisan__name", "certification__name", "certificate_number"]
    autocomplete_fields = ["artisan", "certification"]


# --- Collections --------------------------------------------------------------


class CollectionPieceInline(PrelabelledAutocompleteInline, admin.TabularInline):
    """The pieces of a collection, in the order of their position: change the numbers to reorder."""

    model = CollectionPiece
    autocomplete_fields = ["piece"]
    related = ["collection"]  # read by CollectionPiece.__str__, shown on each row
    fields = ["piece", "position", "piece_status"]
    readonly_fields = ["piece_status"]
    ordering = ["position", "id"]
    extra = 0

    @admin.display(description=_("piece status"))
    def piece_status(self, entry):
        if entry.piece_id is None:
            return "—"
        return entry.piece.get_status_display()


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "featured", "pieces_count", "updated_at"]
    list_filter = ["is_published", "featured"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fields = ["title", "slug", "description", ("is_published", "featured"), ("created_at", "updated_at")]
    inlines = [CollectionPieceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pieces_total=Count("entries"))

    @admin.display(description=_("pieces"), ordering="pieces_total")
    def pieces_count(self, collection):
        return collection.pieces_total


@admin.register(CollectionPiece)
class CollectionPieceAdmin(admin.ModelAdmin):
    list_display = ["collection", "piece", "position"]
    list_filter = ["collection"]
    list_select_related = ["collection", "piece"]
    search_fields = ["collection__title", "piece__title"]
    autocomplete_fields = ["collection", "piece"]
    ordering = ["collection", "position", "id"]


# --- Personalization requests -------------------------------------------------


class RequestMessageInline(admin.TabularInline):
    """The thread, read-only: staff read it; only the two parties write to it."""

    model = RequestMessage
    fields = ["created_at", "author", "action", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CloseRequestForm(ActionForm):
    note = forms.CharField(required=False, label=_("Note (for closing)"))


@admin.register(PersonalizationRequest)
class PersonalizationRequestAdmin(admin.ModelAdmin):
    """Requests with filters by state and maker; the state changes only through the close action (with a note)."""

    list_display = ["__str__", "state", "artisan", "shopper", "budget", "needed_by", "created_at"]
    list_filter = ["state", ("artisan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["piece", "artisan", "shopper"]
    search_fields = ["pk", "shopper__email", "artisan__name", "piece__title"]
    readonly_fields = [f.name for f in PersonalizationRequest._meta.fields]
    inlines = [RequestMessageInline]
    action_form = CloseRequestForm
    actions = ["close_requests"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close the selected requests (with the note below)"), permissions=["change"])
    def close_requests(self, request, queryset):
        note = request.POST.get("note", "").strip()
        if not note:
            self.message_user(request, MESSAGE_CLOSE_NEEDS_NOTE, messages.ERROR)
            return
        closed = 0
        for item in queryset.select_related("artisan"):
            try:
                request_close(request=item, user=request.user, note=note)
            except RequestRefused:
                continue
            closed += 1
        report_action(
            self,
            request,
            changed=closed,
            selected=queryset.count(),
            singular="Closed %(count)d request.",
            plural="Closed %(count)d requests.",
            state="finished or closed",
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows staff read but never write: they are written by the request's two parties."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RequestMessage)
class RequestMessageAdmin(ReadOnlyAdmin):
    list_display = ["request", "author", "action", "created_at"]
    list_select_related = ["request__piece", "author"]
    list_filter = ["action"]


@admin.register(RequestPhoto)
class RequestPhotoAdmin(ReadOnlyAdmin):
    list_display = ["request", "image"]
    list_select_related = ["request__piece"]


# --- Trust: the review queue and the audit trail ---------------------------------

MESSAGE_APPROVED_REVIEW = "Approved: %(subject)s. The maker was emailed your note."
MESSAGE_REJECTED_REVIEW = "Rejected: %(subject)s. The maker was emailed your note and may appeal once."
MESSAGE_FLAGS_CLEARED = "Cleared %(count)d copy flags on “%(piece)s”."
# How many of the maker's other pieces the review page shows beside the one reviewed.
OTHER_PIECES_SHOWN = 12


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")), ("clear", _("Clear"))])
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to the maker as written; required to reject: say what evidence would convince you."),
    )


class ReviewStateFilter(admin.SimpleListFilter):
    """The queue opens on what is waiting; decided items, or all, on request."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*ReviewState.choices, (self.ALL, _("All"))]

    def chosen(self):
        return self.value() if self.value() in {*ReviewState.values, self.ALL} else ReviewState.WAITING

    def choices(self, changelist):
        # No "All" meaning "no filter" (that is "waiting" here): every option sets the parameter.
        for value, label in self.lookup_choices:
            yield {
                "selected": self.chosen() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        chosen = self.chosen()
        return queryset if chosen == self.ALL else queryset.filter(state=chosen)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """
    The review queue: pieces and certification claims waiting for staff, oldest first.

    The list shows waiting items unless another state is chosen; each row
    carries its count of open reports and copy flags (subqueries of the list
    query). An item's page shows the evidence side by side and takes the
    decision. Both pages cost a fixed number of queries (see test_trust_admin).
    """

    list_display = ["__str__", "artisan", "reason", "state", "open_reports", "open_flags", "opened_at"]
    list_filter = [ReviewStateFilter, "reason"]
    search_fields = ["piece__title", "artisan__name"]
    ordering = ["opened_at", "id"]
    change_form_template = "admin/catalog/review/review.html"

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("open reports"), ordering="open_reports")
    def open_reports(self, review):
        return review.open_reports

    @admin.display(description=_("copy flags"), ordering="open_flags")
    def open_flags(self, review):
        return review.open_flags

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        if review is None or not self.has_view_or_change_permission(request, review):
            raise Http404
        form = ReviewDecisionForm(request.POST or None)
        if request.method == "POST" and self.has_change_permission(request, review) and form.is_valid():
            done = self._decide(request, review, form)
            if done is not None:
                return done
        return TemplateResponse(
            request,
            self.change_form_template,
            {
                **self.admin_site.each_context(request),
                **review_context(review),
                "title": str(review),
                "opts": self.model._meta,
                "form": form,
                "can_decide": self.has_change_permission(request, review) and review.state == ReviewState.WAITING,
            },
        )

    def _decide(self, request, review, form):
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == "clear":
                if review.piece is None:
                    raise ValidationError(_("Only pieces carry copy flags."))
                count = copy_flags_clear(piece=review.piece, actor=request.user, note=note)
                self.message_user(request, MESSAGE_FLAGS_CLEARED % {"count": count, "piece": review.piece})
                return HttpResponseRedirect(request.path)
            review_decide(review=review, approve=decision == "approve", note=note, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("note" if "note" in getattr(error, "error_dict", {}) else None, message)
            return None
        message = MESSAGE_APPROVED_REVIEW if decision == "approve" else MESSAGE_REJECTED_REVIEW
        self.message_user(request, message % {"subject": review.subject}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_review_changelist"))


def review_context(review):
    """
    What an item's page shows, in a fixed number of queries: the piece with its
    photos and steps, the claim, the maker's other pieces with their evidence,
    the matching pieces with their photos, the reports and the history.
    """
    context = {"review": review, "claim": review.material_claim or review.maker_claim}
    piece = review.piece
    if piece is not None:
        piece = Piece.objects.for_detail().get(pk=piece.pk)
        flags = list(
            CopyFlag.objects.filter(piece=piece)
            .select_related("other__artisan", "cleared_by")
            .prefetch_related(Prefetch("other__images", queryset=card_photos()))
        )
        context.update(
            piece=piece,
            flags=flags,
            has_open_flags=any(flag.cleared_at is None for flag in flags),
            reports=list(PieceReport.objects.filter(piece=piece, resolved_at__isnull=True)),
        )
    context["other_pieces"] = list(
        Piece.objects.filter(artisan_id=review.artisan_id)
        .exclude(pk=review.piece_id or 0)
        .for_thumbnails()
        .order_by("-evidence_level", "-id")[:OTHER_PIECES_SHOWN]
    )
    history = TrustEvent.objects.select_related("actor")
    context["history"] = list(
        history.filter(piece=piece) if piece is not None else history.filter(artisan_id=review.artisan_id)
    )[:50]
    context["appeal_of"] = review.appeal_of
    return context


@admin.register(TrustEvent)
class TrustEventAdmin(ReadOnlyAdmin):
    """The audit trail, read per piece (?piece__id__exact=) or per maker (?artisan__id__exact=)."""

    list_display = ["created_at", "action", "piece", "artisan", "actor", "note"]
    list_filter = ["action", ("artisan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["piece", "artisan", "actor"]
    search_fields = ["piece__title", "artisan__name", "note"]
    date_hierarchy = "created_at"


@admin.register(PieceReport)
class PieceReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "piece", "reason", "reporter", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["piece", "reporter"]
    search_fields = ["piece__title", "details"]


@admin.register(CopyFlag)
class CopyFlagAdmin(ReadOnlyAdmin):
    list_display = ["piece", "other", "kind", "score", "created_at", "cleared_at"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["piece", "other"]
    search_fields = ["piece__title", "other__title"]


@admin.register(PieceViewDay)
class PieceViewDayAdmin(ReadOnlyAdmin):
    """Views of public piece pages per day, written by catalog.piece_views; the makers' studio shows their sums."""

    list_display = ["piece", "day", "views"]
    list_select_related = ["piece"]
    date_hierarchy = "day"
    search_fields = ["piece__title"]


@admin.register(PhotoCropHash)
class PhotoCropHashAdmin(ReadOnlyAdmin):
    """Copy detection's hashes of the photos' centre crops; listed only so that staff can see what they hold."""

    list_display = ["image", "crop", "phash"]
    list_select_related = ["image"]


@admin.register(DescriptionBand)
class DescriptionBandAdmin(ReadOnlyAdmin):
    """Copy detection's index of descriptions; listed only so that staff can see what it holds."""

    list_display = ["piece", "band", "value"]
    list_select_related = ["piece"]
