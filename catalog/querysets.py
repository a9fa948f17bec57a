"""
The catalog's query vocabulary: which pieces the public may see, whose pieces
a user owns, and how pieces are loaded for cards and for the piece page.

Templates read only what these methods prefetch, so that a page costs a fixed
number of queries whatever the number of pieces it shows.

Part of the data layer with catalog.models, which import this module for their
managers: so the methods read the other models from Django's registry
(`apps.get_model`) when they run, rather than importing them, and the two
modules form no import cycle.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db import connections, models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Abs, Coalesce

from artisans.choices import ArtisanStatus
from catalog.choices import PieceStatus


class PieceQuerySet(models.QuerySet):
    def published(self):
        """Pieces the public may see: published, by an approved maker."""
        return self.filter(status=PieceStatus.PUBLISHED, artisan__status=ArtisanStatus.APPROVED)

    def owned_by(self, user):
        """The pieces of this user's maker profile (none for anonymous visitors)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(artisan__user=user)

    def with_requests_count(self):
        """Annotates `requests_count`: how many personalization requests each piece received, counted, never stored."""
        PersonalizationRequest = apps.get_model("catalog", "PersonalizationRequest")

        count = (
            PersonalizationRequest.objects.filter(piece=OuterRef("pk"))
            .order_by()
            .values("piece")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(requests_count=Coalesce(Subquery(count), 0))

    def with_views_count(self):
        """Annotates `views_count`: how many times each piece's public page was viewed, all days together."""
        PieceViewDay = apps.get_model("catalog", "PieceViewDay")

        total = PieceViewDay.objects.filter(piece=OuterRef("pk")).order_by().values("piece").annotate(n=Sum("views"))
        return self.annotate(views_count=Coalesce(Subquery(total.values("n")), 0))

    def with_saves_count(self):
        """Annotates `saves_count`: how many shoppers saved each piece (never who: no shopper is read)."""
        SavedPiece = apps.get_model("catalog", "SavedPiece")

        count = SavedPiece.objects.filter(piece=OuterRef("pk")).order_by().values("piece").annotate(n=Count("pk"))
        return self.annotate(saves_count=Coalesce(Subquery(count.values("n")), 0))

    def with_checklist(self):
        """
        Annotates `needs_<item>` for each item of a draft's checklist (`checklist_conditions`) and
        `needs_details`, true when any is outstanding: subqueries in the one query, never a query per piece.
        """
        conditions = checklist_conditions()
        flags = {
            f"needs_{code}": ExpressionWrapper(condition, output_field=BooleanField())
            for code, condition in conditions.items()
        }
        return self.annotate(**flags).annotate(
            needs_details=ExpressionWrapper(_any(conditions.values()), output_field=BooleanField())
        )

    def needing_details(self):
        """The pieces whose checklist is not empty (the studio's "Needs details"): one query, EXISTS subqueries."""
        return self.filter(needing_details_condition())

    def for_lists(self):
        """Eager-loads what a list of pieces shows: maker, category, photos, materials, steps. 4 queries a page."""
        PieceMaterial = apps.get_model("catalog", "PieceMaterial")

        return self.select_related("artisan", "category").prefetch_related(
            Prefetch("images", queryset=card_photos()),
            Prefetch("materials", queryset=PieceMaterial.objects.select_related("material", "certification")),
            "production_steps",
        )

    def for_cards(self):
        """
        `for_lists()`, and whether each piece can be personalized, which its
        card says. Only for a page's worth of pieces chosen by their ids or
        their maker: under a LIMIT over the whole catalog PostgreSQL hashes
        every personalization option to answer it (90 ms at 100,000 pieces).
        """
        PersonalizationOption = apps.get_model("catalog", "PersonalizationOption")

        return self.for_lists().annotate(
            is_personalizable=Exists(PersonalizationOption.objects.filter(piece=OuterRef("pk")))
        )

    def for_detail(self):
        """Eager-loads every section of the piece page (`detail_sets`). 8 queries."""
        return self.select_related(*DETAIL_RELATED).prefetch_related(
            *(Prefetch(relation, queryset=rows) for relation, rows in detail_sets().items()),
            Prefetch("artisan__certifications", queryset=verified_certifications(), to_attr="verified_certifications"),
        )

    def for_thumbnails(self):
        """Eager-loads what a small card shows: maker and product photos. 2 queries."""
        return self.select_related(*THUMBNAIL_RELATED).prefetch_related(Prefetch("images", queryset=card_photos()))

    def made_the_other_way(self, piece, nearest=12):
        """
        Pieces of the piece's category made the other way, nearest in price first
        (the newest first among equals): handcrafted ones for a mass-produced or
        hand-finished piece, mass-produced ones for a handcrafted piece.

        Only the `nearest` closest below or at its price and the `nearest` above
        it are candidates, each side read from the index (category, method,
        price) of published pieces by a range scan, so any slice of up to
        `nearest` pieces is exact without sorting the whole category.
        """
        from catalog.choices import ProductionMethod

        other = ProductionMethod.the_other_way(piece.production_method)
        same_kind = self.filter(category_id=piece.category_id, production_method=other).exclude(pk=piece.pk)
        below = same_kind.filter(price__lte=piece.price).order_by("-price", "-id").values("pk")[:nearest]
        above = same_kind.filter(price__gt=piece.price).order_by("price", "-id").values("pk")[:nearest]
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # One IN over the UNION: PostgreSQL joins the 2 × `nearest` ids to the pieces by primary key.
            candidates = Q(pk__in=below.union(above, all=True))
        else:
            candidates = Q(pk__in=below) | Q(pk__in=above)  # SQLite allows no LIMIT inside a UNION
        return self.filter(candidates).order_by(Abs(F("price") - piece.price), "-id")


def checklist_conditions():
    """
    What a piece still needs before it can be published, {item's code: a condition true of a piece
    that needs it}; the words and which items block publishing are catalog.services' (`CHECKLIST`),
    the one reading of this rule (`piece_checklist`, `pieces_publish`, the studio's "Needs details").

    Provenance is given by an origin, recycled stock or a named certification; a photo "says what it
    shows" when its alt text is more than the piece's title, which is what an import writes for a
    photo the file did not describe.
    """
    PieceImage, PieceMaterial, ProductionStep = (
        apps.get_model("catalog", name) for name in ("PieceImage", "PieceMaterial", "ProductionStep")
    )
    materials = PieceMaterial.objects.filter(piece=OuterRef("pk"))
    photos = PieceImage.objects.filter(piece=OuterRef("pk"))
    # Provenance and described photos are not "done" for a piece with no material or no photo at all:
    # the checklist would otherwise tick what is not there.
    return {
        "method": Q(production_method=""),
        "steps": ~Exists(ProductionStep.objects.filter(piece=OuterRef("pk"))),
        "materials": ~Exists(materials),
        "provenance": ~Exists(materials)
        | Exists(materials.filter(origin="", recycled=False, certification__isnull=True)),
        "photo": ~Exists(photos.filter(is_process_photo=False)),
        "alt_text": ~Exists(photos) | Exists(photos.filter(alt_text=OuterRef("title"))),
    }


def needing_details_condition():
    """`needing_details()` as a condition, for a count's filter (`Count("id", filter=…)`)."""
    return _any(checklist_conditions().values())


def _any(conditions):
    combined = Q()
    for condition in conditions:
        combined |= condition if isinstance(condition, Q) else Q(condition)
    return combined


# The piece page's one-to-one parts: the maker, the category and the staff member who checked the evidence.
DETAIL_RELATED = ("artisan", "category", "evidence_raised_by")


def detail_sets():
    """
    The piece page's sets of rows, {relation of Piece: the queryset of its rows}
    (`for_detail`, catalog.pages.loading).
    """
    names = ("PersonalizationOption", "PieceImage", "PieceMaterial", "ProductionStep", "Technique", "Tradition")
    PersonalizationOption, PieceImage, PieceMaterial, ProductionStep, Technique, Tradition = (
        apps.get_model("catalog", name) for name in names
    )

    return {
        "images": PieceImage.objects.all(),
        "materials": PieceMaterial.objects.select_related("material", "certification"),
        "production_steps": ProductionStep.objects.all(),
        "techniques": Technique.objects.all(),
        "traditions": Tradition.objects.all(),
        "personalization_options": PersonalizationOption.objects.all(),
    }


def verified_certifications():
    """The piece page's certifications of the maker: those staff verified, as the maker's `verified_certifications`."""
    MakerCertification = apps.get_model("catalog", "MakerCertification")

    return MakerCertification.objects.filter(is_verified=True).select_related("certification")


# A small card's one-to-one part: the maker (`for_thumbnails`, catalog.pages.loading).
THUMBNAIL_RELATED = ("artisan",)


def card_photos():
    """The photos a card shows, large or small: the product photos, not the process ones."""
    PieceImage = apps.get_model("catalog", "PieceImage")

    return PieceImage.objects.filter(is_process_photo=False)


class PieceManager(models.Manager.from_queryset(PieceQuerySet)):
    """The pieces' manager, with the querysets' rules."""


class PersonalizationRequestQuerySet(models.QuerySet):
    """Who may see a request, in one place: its shopper, its maker, and staff."""

    def for_shopper(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(shopper=user)

    def for_artisan(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(artisan__user=user)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.is_staff:
            return self.all()
        return self.filter(models.Q(shopper=user) | models.Q(artisan__user=user))

    def with_thread(self):
        """Eager-loads what a request's card and thread show. 4 queries whatever the number of requests."""
        return self.select_related("piece", "artisan__user", "shopper__profile").prefetch_related(
            Prefetch("messages", queryset=_message_model().objects.select_related("author")), "photos"
        )


def _message_model():
    RequestMessage = apps.get_model("catalog", "RequestMessage")

    return RequestMessage


class ReviewQuerySet(models.QuerySet):
    """The review queue's vocabulary: what waits, whose decisions a maker may read, and what a row shows."""

    def waiting(self):
        from catalog.choices import ReviewState

        return self.filter(state=ReviewState.WAITING)

    def for_maker(self, user):
        """The reviews of this user's maker profile (none for anonymous visitors)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(artisan__user=user)

    def for_queue(self):
        """
        Joins what a queue row names and annotates `open_reports` and `open_flags`
        (subqueries in the one list query, never a query per row).
        """
        CopyFlag, PieceReport = (apps.get_model("catalog", name) for name in ("CopyFlag", "PieceReport"))

        open_reports = (
            PieceReport.objects.filter(piece=OuterRef("piece"), resolved_at__isnull=True)
            .order_by()
            .values("piece")
            .annotate(n=Count("pk"))
            .values("n")
        )
        open_flags = (
            CopyFlag.objects.filter(piece=OuterRef("piece"), cleared_at__isnull=True)
            .order_by()
            .values("piece")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.select_related(
            "artisan",
            "piece",
            "material_claim__piece",
            "material_claim__material",
            "material_claim__certification",
            "maker_claim__certification",
        ).annotate(open_reports=Coalesce(Subquery(open_reports), 0), open_flags=Coalesce(Subquery(open_flags), 0))


def primary_keys(objects: QuerySet | Iterable[models.Model]) -> list[int]:
    # A list of keys rather than a subquery: the admin hands over querysets with
    # DISTINCT and prefetches, and some databases refuse an UPDATE that selects
    # from its own table.
    if isinstance(objects, QuerySet):
        return list(objects.values_list("pk", flat=True))
    return [obj.pk for obj in objects]
