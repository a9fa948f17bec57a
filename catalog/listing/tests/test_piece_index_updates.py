"""
The listing's index kept in step with the catalog without rebuilding it
(catalog.listing.index, and the change log of catalog.pages.guide): after random
sequences of writes, the index brought up to date piece by piece equals one
built from scratch, and both equal SQL for every facet and every sort; a
change to everything is rebuilt (in the background when the catalog is
large); a lost change log falls back to a full rebuild.
"""

import datetime
import random
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from pyroaring import BitMap

from artisans.choices import ArtisanStatus, WorkshopSize
from artisans.models import Artisan
from artisans.services import artisans_set_status
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog import versions
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
)
from catalog.listing import index as piece_index
from catalog.listing import orders, reads
from catalog.listing.facets import FACETS, facet_counts
from catalog.listing.filters import PieceFilter, Sort, order_pieces
from catalog.listing.index import PieceIndex, current_index, wait_for_rebuild
from catalog.listing.result import IndexedResult
from catalog.models import MakerCertification, PersonalizationOption, Piece, PieceMaterial, ProductionStep
from catalog.services import piece_set_status, pieces_hide, pieces_publish
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PersonalizationRequestFactory,
    PieceFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
)
from catalog.trust.services import certification_claims_verify
from catalog.versions import EVERYTHING, bump_catalog_version, catalog_changes, catalog_version

pytestmark = pytest.mark.django_db
BUILD = PieceIndex.build.__func__
LISTING = reverse("catalog:piece_list")
INDEXED_SORTS = [Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC]
SELECTIONS = [
    {},
    {"method": ["handcrafted", "mass_produced"], "metal": ["silver"]},
    {"price_min": "50", "price_max": "400", "requested": "1"},
    {"fair_labor": "1", "workshop": ["solo", "studio"]},
    {"certification": ["fairmined"], "by_hand": "1"},
]


# --- What an index says ------------------------------------------------------------------


def said(index):
    """What an index answers, in plain values (an option with no piece is the same as no option)."""
    return {
        "universe": list(index.universe),
        "options": {
            name: {key: list(bitmap) for key, bitmap in options.items() if bitmap}
            for name, options in index.options.items()
        },
        "by_price": list(index.by_price.ids),
        "newest": list(index.newest.ids),
        "hours": {pk: index.hours[pk] for pk in index.universe},
    }


def assert_sound(index):
    """The orders hold the universe, sorted by their keys, cut into buckets that match their positions."""
    for order in (index.by_price, index.newest):
        ids = list(order.ids)
        assert BitMap(ids) == index.universe and len(ids) == len(index.universe)
        assert ids == sorted(ids, key=lambda pk, order=order: (order.key[pk], order.sign * pk))
        assert order.starts[0] == 0 and order.starts[-1] == len(ids)
        assert len(order.starts) == len(order.buckets) + 1
        for bucket, start, end in zip(order.buckets, order.starts, order.starts[1:], strict=False):
            assert bucket and bucket == BitMap(ids[start:end])


def query(selection):
    data = QueryDict(mutable=True)
    for name, value in selection.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def assert_equals_sql(index):
    """Every facet's counts and the pages of every indexed sort, from the index and from SQL."""
    for selection in SELECTIONS:
        filterset = PieceFilter(query(selection), queryset=Piece.objects.published())
        result = IndexedResult(filterset, index=index)
        assert result.count() == filterset.qs.count(), selection
        in_sql = facet_counts(filterset.queryset_without)
        for facet in FACETS:
            counted = {value: n for value, n in result.facet_counts[facet.name].items() if n}
            assert counted == {value: n for value, n in in_sql.get(facet.name, {}).items() if n}, (selection, facet)
        for sort in INDEXED_SORTS:
            sorted_filterset = PieceFilter(query({**selection, "sort": sort}), queryset=Piece.objects.published())
            expected = list(order_pieces(sorted_filterset.qs, sort=sort, q=None).values_list("pk", flat=True))
            paged = IndexedResult(sorted_filterset, index=index)
            for start, stop in [(0, 5), (3, 11), (8, 60)]:
                assert [piece.pk for piece in paged[start:stop]] == expected[start:stop], (selection, sort, start)


@pytest.fixture
def builds(monkeypatch):
    """How many times the index was built whole (by current_index, not by the tests' own comparisons)."""
    count = {"n": 0}

    def counted(cls, *args, **kwargs):
        count["n"] += 1
        return BUILD(cls, *args, **kwargs)

    monkeypatch.setattr(PieceIndex, "build", classmethod(counted))
    return count


def fresh():
    """The index built from scratch, whatever a test counts or holds back of `current_index`'s builds."""
    return BUILD(PieceIndex)


# --- A catalog and the writes made to it ----------------------------------------------------


class Catalog:
    """A small random catalog, and every kind of write the marketplace makes to it."""

    def __init__(self, rng):
        self.rng = rng
        self.staff = UserFactory(is_staff=True)
        self.categories = [CategoryFactory(name=n, slug=n.lower()) for n in ("Rings", "Earrings", "Pendants")]
        self.materials = [
            MaterialFactory(name="Silver", slug="silver"),
            MaterialFactory(name="Gold", slug="gold"),
            MaterialFactory(name="Brass", slug="brass", is_precious=False),
            MaterialFactory(name="Garnet", slug="garnet", kind=MaterialKind.GEMSTONE),
            MaterialFactory(name="Pearl", slug="pearl", kind=MaterialKind.PEARL),
        ]
        self.techniques = [TechniqueFactory(is_traditional=True), TechniqueFactory()]
        self.traditions = [TraditionFactory(), TraditionFactory()]
        self.styles = [StyleFactory(), StyleFactory()]
        self.certifications = [
            CertificationFactory(name="Fairmined", slug="fairmined", certifies="fair_trade"),
            CertificationFactory(name="RJC", slug="rjc", certifies="chain_of_custody"),
        ]
        self.makers = [
            ArtisanFactory(workshop_size=WorkshopSize.SOLO, country="PT"),
            ArtisanFactory(workshop_size=WorkshopSize.STUDIO, country="FR"),
            ArtisanFactory(workshop_size=WorkshopSize.SMALL_TEAM, country="PT"),
            ArtisanFactory(status=ArtisanStatus.PENDING, country="IT"),
        ]
        self.now = timezone.now()
        for _ in range(14):
            self.new_piece()

    # The pieces and rows there are now.
    def pieces(self):
        return list(Piece.objects.order_by("pk"))

    def piece(self):
        return self.rng.choice(self.pieces())

    def some_pieces(self, most=4):
        pieces = self.pieces()
        return self.rng.sample(pieces, self.rng.randint(1, min(most, len(pieces))))

    def date(self):
        """Dates with ties (the orders' second key must match SQL's), and now and then none."""
        if self.rng.random() < 0.08:
            return None
        return self.now - datetime.timedelta(days=self.rng.choice([1, 2, 2, 5, 9]))

    # --- Writes to one piece or a few (the log names them) ---------------------------------

    def new_piece(self):
        rng = self.rng
        availability = rng.choice(list(Availability))
        piece = PieceFactory(
            artisan=rng.choice(self.makers),
            category=rng.choice(self.categories),
            production_method=rng.choice(list(ProductionMethod)),
            made_by=rng.choice(list(MadeBy)),
            production_partner="Casting Co.",
            availability=availability,
            edition_size=5 if availability == Availability.LIMITED_EDITION else None,
            lead_time_days=14,
            price=Decimal(rng.choice([25, 80, 80, 150, 400, 999])) + Decimal(rng.choice(["0", "0.50"])),
            published_at=self.date(),
            lifetime_repairs=rng.random() < 0.5,
            uses_bought_components=rng.random() < 0.3,
            evidence_level=rng.choice(list(EvidenceLevel)),
            materials_cost=rng.choice([None, Decimal("5")]),
            labor_cost=rng.choice([None, Decimal("10")]),
            status=rng.choice([PieceStatus.PUBLISHED] * 4 + [PieceStatus.DRAFT, PieceStatus.HIDDEN]),
        )
        for _ in range(rng.randint(0, 2)):
            self.add_material(piece)
        piece.techniques.set(rng.sample(self.techniques, rng.randint(0, 2)))
        piece.traditions.set(rng.sample(self.traditions, rng.randint(0, 1)))
        for _ in range(rng.randint(0, 3)):
            self.add_step(piece)
        return piece

    def add_step(self, piece):
        step = self.rng.choice(list(ProductionStepKind))
        if not ProductionStep.objects.filter(piece=piece, step=step).exists():
            ProductionStepFactory(piece=piece, step=step, done=self.rng.choice(list(StepDoneBy)), partner_name="Co.")

    def add_material(self, piece=None):
        rng = self.rng
        material = rng.choice(self.materials)
        certification = rng.choice([None, *self.certifications])
        stone = material.kind != MaterialKind.METAL
        PieceMaterialFactory(
            piece=piece or self.piece(),
            material=material,
            construction="" if stone else rng.choice(list(Construction)),
            purity="" if stone else "925",
            recycled=not stone and rng.random() < 0.4,
            origin=rng.choice(["", "Kenya"]) if stone else "",
            gem_source=rng.choice(["", *GemSource.values]) if stone else "",
            treatment=rng.choice(["", *StoneTreatment.values]) if stone else "",
            certification=certification,
            is_verified=certification is not None and rng.random() < 0.6,
        )

    def edit_piece(self):
        rng, piece = self.rng, self.piece()
        change = rng.choice(["price", "method", "date", "category", "repairs", "evidence", "costs", "maker", "hours"])
        if change == "price":
            piece.price = Decimal(rng.choice([25, 80, 150, 400, 999]))
        elif change == "method":
            piece.production_method = rng.choice(list(ProductionMethod))
        elif change == "date":
            piece.published_at = self.date()
        elif change == "category":
            piece.category = rng.choice(self.categories)
        elif change == "repairs":
            piece.lifetime_repairs = not piece.lifetime_repairs
        elif change == "evidence":
            piece.evidence_level = rng.choice(list(EvidenceLevel))
        elif change == "costs":
            piece.materials_cost = None if piece.materials_cost else Decimal("5")
        elif change == "hours":  # the guide's medians: to none, or to a value with its decimal
            piece.labor_hours = rng.choice([None, Decimal("0.5"), Decimal("6"), Decimal("12.3")])
        else:
            piece.artisan = rng.choice(self.makers)
        piece.save()

    def publish(self):
        pieces_publish(pieces=self.some_pieces(), actor=self.staff)

    def hide(self):
        pieces_hide(pieces=self.some_pieces(2), actor=self.staff)

    def unpublish(self):
        piece = self.piece()
        try:
            status = self.rng.choice([PieceStatus.DRAFT, PieceStatus.ARCHIVED])
            piece_set_status(piece=piece, status=status, actor=piece.artisan.user)
        except PermissionDenied:  # hidden by staff
            pass

    def delete_piece(self):
        if len(self.pieces()) > 6:
            self.piece().delete()

    def edit_material(self):
        row = PieceMaterial.objects.order_by("?").first()
        if row is None:
            return
        change = self.rng.choice(["recycled", "verified", "construction", "move", "delete"])
        if change == "recycled":
            row.recycled = not row.recycled
        elif change == "verified" and row.certification_id:
            row.is_verified = not row.is_verified
        elif change == "construction" and row.material.kind == MaterialKind.METAL:
            row.construction = self.rng.choice(list(Construction))
        elif change == "move":  # to another piece: both pieces change
            row.piece = self.piece()
        elif change == "delete":
            row.delete()
            return
        row.save()

    def request(self):
        PersonalizationRequestFactory(piece=self.piece())

    def relations(self):
        rng, piece = self.rng, self.piece()
        change = rng.choice(["add", "remove", "reverse-add", "reverse-remove", "reverse-clear"])
        technique = rng.choice(self.techniques)
        if change == "add":
            piece.techniques.add(technique)
        elif change == "remove":
            piece.techniques.remove(technique)
        elif change == "reverse-add":
            technique.pieces.add(*self.some_pieces())
        elif change == "reverse-remove":
            technique.pieces.remove(*self.some_pieces())
        else:
            rng.choice(self.styles + self.traditions).pieces.clear()
            self.rng.choice(self.styles).pieces.add(*self.some_pieces())

    def steps(self):
        if self.rng.random() < 0.3:
            step = ProductionStep.objects.order_by("?").first()
            if step is not None:
                step.delete()
                return
        self.add_step(self.piece())

    def options(self):
        option = PersonalizationOption.objects.order_by("?").first()
        if option is not None and self.rng.random() < 0.4:
            option.delete()
        else:
            piece, kind = self.piece(), self.rng.choice(list(PersonalizationKind))
            if not PersonalizationOption.objects.filter(piece=piece, kind=kind).exists():
                PersonalizationOptionFactory(piece=piece, kind=kind)

    def edit_maker(self):
        maker = self.rng.choice(self.makers)
        maker.workshop_size = self.rng.choice(list(WorkshopSize))
        maker.country = self.rng.choice(["PT", "FR", "JP"])
        if self.rng.random() < 0.3:
            maker.status = self.rng.choice([ArtisanStatus.APPROVED, ArtisanStatus.SUSPENDED])
        maker.save()

    def maker_certification(self):
        maker, certification = self.rng.choice(self.makers), self.rng.choice(self.certifications)
        claim, created = MakerCertification.objects.get_or_create(artisan=maker, certification=certification)
        if not created:
            claim.is_verified = not claim.is_verified
            claim.save()

    def verify_claims(self):
        if self.rng.random() < 0.5:
            claims = PieceMaterial.objects.filter(certification__isnull=False, is_verified=False)[:3]
        else:
            claims = MakerCertification.objects.filter(is_verified=False)[:2]
        certification_claims_verify(claims=claims.model.objects.filter(pk__in=[c.pk for c in claims]), actor=self.staff)

    def new_taxonomy(self):
        self.techniques.append(TechniqueFactory())

    # --- Writes to everything (the log says so: rebuilt whole) ------------------------------

    def makers_status(self):
        maker = self.rng.choice(self.makers)
        status = self.rng.choice([ArtisanStatus.APPROVED, ArtisanStatus.SUSPENDED, ArtisanStatus.APPROVED])
        artisans_set_status(artisans=[maker], status=status, actor=self.staff)

    def rename_taxonomy(self):
        rng = self.rng
        taxonomy = rng.choice([*self.materials, *self.categories, *self.techniques, *self.certifications])
        taxonomy.slug = f"{taxonomy.slug.split('~')[0]}~{rng.randint(1, 10**6)}"
        if rng.random() < 0.5:
            taxonomy.slug = taxonomy.slug.split("~")[0]
        taxonomy.save()


PIECE_WRITES = [
    "new_piece",
    "edit_piece",
    "edit_piece",
    "publish",
    "hide",
    "unpublish",
    "delete_piece",
    "add_material",
    "edit_material",
    "edit_material",
    "request",
    "relations",
    "steps",
    "options",
    "edit_maker",
    "maker_certification",
    "verify_claims",
    "new_taxonomy",
]
WHOLE_WRITES = ["makers_status", "rename_taxonomy"]


@pytest.fixture
def sequential_small_buckets(monkeypatch):
    """Buckets of 3 pieces, split and emptied by updates, and every change moved piece by piece."""
    monkeypatch.setattr(orders, "BUCKET_SIZE", 3)
    monkeypatch.setattr(orders, "SMALL_RESULT", 0)
    monkeypatch.setattr(orders, "SMALL_CHANGE", 10**6)
    monkeypatch.setattr(reads, "READ_RUN", 2)


@pytest.fixture
def resorted(monkeypatch):
    """Every change re-sorts the orders whole (the path of large changes)."""
    monkeypatch.setattr(orders, "BUCKET_SIZE", 4)
    monkeypatch.setattr(orders, "SMALL_RESULT", 0)
    monkeypatch.setattr(orders, "SMALL_CHANGE", 0)


def run_writes(seed, steps, capture, builds):
    rng = random.Random(seed)
    catalog = Catalog(rng)
    current_index()
    for step in range(steps):
        whole = rng.random() < 0.12
        write = rng.choice(WHOLE_WRITES if whole else PIECE_WRITES)
        before = builds["n"]
        with capture(execute=True):
            getattr(catalog, write)()
            if rng.random() < 0.3:
                current_index()  # a request between the write and its commit (another worker, in production)
        index = current_index()
        if not whole:
            assert builds["n"] == before, f"{write} rebuilt the index whole"
        assert index.version == catalog_version() and index.behind_since is None
        assert said(index) == said(fresh()), (step, write)
        assert_sound(index)
        if step % 4 == 3:
            assert_equals_sql(index)
    assert_equals_sql(current_index())


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_after_random_writes_the_updated_index_equals_a_fresh_one_and_sql(
    seed, django_capture_on_commit_callbacks, builds
):
    run_writes(seed, 36, django_capture_on_commit_callbacks, builds)


def test_random_writes_with_small_buckets_moved_piece_by_piece(
    sequential_small_buckets, django_capture_on_commit_callbacks, builds
):
    run_writes(21, 40, django_capture_on_commit_callbacks, builds)


def test_random_writes_with_the_orders_resorted_whole(resorted, django_capture_on_commit_callbacks, builds):
    run_writes(31, 30, django_capture_on_commit_callbacks, builds)


# --- The change log ----------------------------------------------------------------------


def test_a_bump_logs_its_pieces_and_the_changes_since_a_version_are_their_union():
    start = catalog_version()
    bump_catalog_version(pieces=[3, 1])
    bump_catalog_version(pieces=[2, 3])
    bump_catalog_version(pieces=[])
    assert catalog_version() == start + 3
    changes = catalog_changes(start, start + 3)
    assert changes.pieces == {1, 2, 3} and not changes.everything
    assert catalog_changes(start + 1, start + 3).pieces == {2, 3}
    assert catalog_changes(start + 3, start + 3).pieces == set()


def test_a_change_the_log_cannot_name_is_a_change_to_everything(monkeypatch):
    start = catalog_version()
    bump_catalog_version()
    assert catalog_changes(start, start + 1).everything
    monkeypatch.setattr(versions, "MAX_LOGGED_PIECES", 3)
    bump_catalog_version(pieces=[1, 2, 3, 4])
    assert cache.get(versions.CHANGES_CACHE_KEY.format(version=start + 2)) == EVERYTHING
    bump_catalog_version(pieces=[5])
    # A lost entry, a range too long to replay, or a version that went back: the log cannot tell.
    assert not catalog_changes(start + 2, start + 3).everything
    cache.delete(versions.CHANGES_CACHE_KEY.format(version=start + 3))
    assert catalog_changes(start + 2, start + 3).everything
    assert catalog_changes(start, start + versions.MAX_LOG_STEPS + 1).everything
    assert catalog_changes(start + 3, start).everything


def test_a_bump_steps_over_a_slot_another_writer_claimed_and_the_version_never_passes_an_unwritten_one():
    start = catalog_version()
    # Another writer claimed the next slot and has not incremented yet.
    assert cache.add(versions.CHANGES_CACHE_KEY.format(version=start + 1), (99,))
    bump_catalog_version(pieces=[5])
    assert catalog_version() == start + 1
    assert catalog_changes(start, start + 1).pieces == {99}
    cache.incr(versions.VERSION_CACHE_KEY)  # the other writer's increment
    assert catalog_changes(start, start + 2).pieces == {5, 99}


def logged(since):
    return catalog_changes(since, catalog_version())


def test_each_write_logs_the_pieces_it_concerns(django_capture_on_commit_callbacks):
    maker, other = ArtisanFactory(), ArtisanFactory()
    first, second = PieceFactory(artisan=maker), PieceFactory(artisan=maker)
    third = PieceFactory(artisan=other)
    style = StyleFactory()
    style.pieces.add(first, third)
    row = PieceMaterialFactory(piece=first)

    since = catalog_version()
    row.piece = second
    row.save()
    assert logged(since).pieces == {first.pk, second.pk}, "a material moved: both pieces"

    since = catalog_version()
    style.pieces.clear()
    assert logged(since).pieces == {first.pk, third.pk}, "a style cleared from its pieces"

    since = catalog_version()
    maker.workshop_size = WorkshopSize.FACTORY
    maker.save()
    assert logged(since).pieces == {first.pk, second.pk}, "a maker's facets are their pieces'"

    since = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        pieces_hide(pieces=[third], actor=UserFactory(is_staff=True))
    assert logged(since).pieces == {third.pk} and not logged(since).everything

    since = catalog_version()
    TechniqueFactory()
    assert logged(since).pieces == set() and not logged(since).everything, "nothing uses a new technique yet"

    since = catalog_version()
    style.slug = "renamed"
    style.save()
    assert logged(since).everything, "a renamed taxonomy"

    since = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        artisans_set_status(
            artisans=Artisan.objects.filter(pk=other.pk),
            status=ArtisanStatus.SUSPENDED,
            actor=UserFactory(is_staff=True),
        )
    assert logged(since).everything, "makers' status changed in bulk"


# --- Falling back, rebuilding in the background --------------------------------------------


def test_a_lost_change_log_falls_back_to_a_full_rebuild(builds):
    pieces = [PieceFactory(price=Decimal(n * 10)) for n in range(1, 6)]
    current_index()
    before = builds["n"]
    pieces[0].price = Decimal("999")
    pieces[0].save()
    start = current_index().version
    deleted = pieces[1].pk
    pieces[1].delete()
    for version in range(start + 1, catalog_version() + 1):
        cache.delete(versions.CHANGES_CACHE_KEY.format(version=version))
    index = current_index()
    assert builds["n"] == before + 1
    assert said(index) == said(fresh())
    assert deleted not in index.universe

    cache.clear()  # the whole cache: the version starts again, further on
    pieces[2].price = Decimal("1")
    pieces[2].save()
    index = current_index()
    assert builds["n"] == before + 2 and said(index) == said(fresh())


def test_a_piece_edit_costs_the_listing_three_queries_not_a_rebuild(client, django_assert_max_num_queries, builds):
    pieces = [PieceFactory() for _ in range(6)]
    client.get(LISTING)
    before = builds["n"]
    pieces[0].price = Decimal("5")
    pieces[0].save()
    # The page's pieces, images, materials and steps; then the piece read again: its row, its related rows,
    # and (PostgreSQL) the words of its search vector.
    with django_assert_max_num_queries(7 if connection.vendor == "postgresql" else 6):
        response = client.get(LISTING, {"sort": "price"})
    assert builds["n"] == before
    assert response.context["object_list"][0] == pieces[0]


class Gate:
    """Holds the background rebuild until released, so that the test sees the stale window."""

    def __init__(self, monkeypatch, fail=False):
        self.open, self.started, self.fail = threading.Event(), threading.Event(), fail

        def gated(cls, *args, **kwargs):
            if threading.current_thread().name == "piece-index-rebuild":
                self.started.set()
                assert self.open.wait(30)
                if self.fail:
                    raise RuntimeError("the database went away")
            return BUILD(cls, *args, **kwargs)

        monkeypatch.setattr(PieceIndex, "build", classmethod(gated))


@pytest.fixture
def large(monkeypatch):
    """The catalog counts as large: a change to everything is rebuilt in the background."""
    monkeypatch.setattr(piece_index, "INLINE_REBUILD_BELOW", 0)
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 0)
    piece_index._current = None  # no index yet: the first is built in the request
    yield
    wait_for_rebuild(30)
    piece_index._current = piece_index._rebuilt = piece_index._rebuild_failed_at = None


@pytest.mark.django_db(transaction=True)
def test_a_change_to_everything_is_rebuilt_in_the_background_while_the_previous_index_answers(large, monkeypatch):
    silver = MaterialFactory(name="Silver", slug="silver")
    pieces = [PieceFactory(price=Decimal(n * 10)) for n in range(1, 7)]
    for piece in pieces[:3]:
        PieceMaterialFactory(piece=piece, material=silver)
    gate = Gate(monkeypatch)
    before = current_index()  # none yet: built in the request

    silver.slug = "sterling"  # a change to everything
    silver.save()
    stale = current_index()
    assert gate.started.wait(10), "a background rebuild started"
    assert stale.behind_since is not None and stale.exact_through == before.version
    assert set(stale.options["metal"]) == {"silver"}, "the previous index answers meanwhile"

    pieces[5].price = Decimal("1")  # a change to one piece, made while the rebuild runs
    pieces[5].save()
    during = current_index()
    assert during.behind_since == stale.behind_since and during.version == catalog_version()
    assert list(during.by_price.ids)[0] == pieces[5].pk, "changes to named pieces still show at once"

    gate.open.set()
    assert wait_for_rebuild(30)
    after = current_index()
    assert after.behind_since is None and after.version == catalog_version()
    assert after.exact_through > during.exact_through
    assert said(after) == said(fresh())
    assert set(after.options["metal"]) == {"sterling"}


@pytest.mark.django_db(transaction=True)
def test_a_failed_background_rebuild_keeps_the_previous_index_and_is_tried_again(large, monkeypatch):
    category = CategoryFactory(name="Rings", slug="rings")
    PieceFactory(category=category)
    current_index()
    gate = Gate(monkeypatch, fail=True)
    category.slug = "bands"
    category.save()
    current_index()
    gate.open.set()
    assert wait_for_rebuild(30)
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 3600)
    stale = current_index()
    assert stale.behind_since is not None and set(stale.options["category"]) == {"rings"}
    assert wait_for_rebuild(0), "no new try before RETRY_SECONDS"
    monkeypatch.setattr(piece_index, "RETRY_SECONDS", 0)
    gate.fail = False
    current_index()
    assert wait_for_rebuild(30)
    after = current_index()
    assert after.behind_since is None and set(after.options["category"]) == {"bands"}


def test_a_rebuilt_index_older_than_the_one_served_is_not_installed(builds):
    PieceFactory()
    served = current_index()
    older = fresh()
    older.version, older.database = served.version - 1, served.database
    piece_index._rebuilt = older
    assert current_index() is served
    assert piece_index._rebuilt is None


def test_an_order_that_no_longer_matches_its_keys_is_rebuilt_not_served(builds):
    pieces = [PieceFactory(price=Decimal(n)) for n in range(1, 5)]
    index = current_index()
    index.by_price.key[pieces[0].pk] = 10**9  # the piece is no longer where its key says
    pieces[0].price = Decimal("50")
    pieces[0].save()
    before = builds["n"]
    after = current_index()
    assert builds["n"] == before + 1
    assert after.behind_since is None and said(after) == said(fresh())


def test_prices_in_cents_are_exact_on_every_database(client):
    """SQLite holds prices as floats: 19.99 × 100 is 1998.999…, which a cast alone makes 1998."""
    cheaper, dearer = PieceFactory(price=Decimal("19.98")), PieceFactory(price=Decimal("19.99"))

    def listed(**params):
        return [piece.pk for piece in client.get(LISTING, params).context["object_list"]]

    assert listed(price_max="19.98") == [cheaper.pk]
    assert listed(price_min="19.99") == [dearer.pk]
    dearer.price = Decimal("0.29")  # read again by the update, with the same rounding
    dearer.save()
    assert listed(price_max="0.29") == [dearer.pk]
    assert listed(sort="price") == [dearer.pk, cheaper.pk]
