"""After random sequences of catalog writes, the index brought up to date piece by piece equals a fresh one and SQL."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone
from pyroaring import BitMap

from artisans.choices import ArtisanStatus, WorkshopSize
from artisans.services import artisans_set_status
from artisans.tests.factories import ArtisanFactory, UserFactory
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
from catalog.listing import orders, reads
from catalog.listing.facets import FACETS, facet_counts
from catalog.listing.filters import PieceFilter, Sort, order_pieces
from catalog.listing.index import current_index
from catalog.listing.result import IndexedResult
from catalog.listing.tests.index_helpers import fresh, said
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
from catalog.versions import catalog_version

pytestmark = pytest.mark.django_db
INDEXED_SORTS = [Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC]
SELECTIONS = [
    {},
    {"method": ["handcrafted", "mass_produced"], "metal": ["silver"]},
    {"price_min": "50", "price_max": "400", "requested": "1"},
    {"fair_labor": "1", "workshop": ["solo", "studio"]},
    {"certification": ["fairmined"], "by_hand": "1"},
]


# --- What an index says ------------------------------------------------------------------


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
            expected = list(order_pieces(sorted_filterset.qs, sort=sort).values_list("pk", flat=True))
            paged = IndexedResult(sorted_filterset, index=index)
            for start, stop in [(0, 5), (3, 11), (8, 60)]:
                assert [piece.pk for piece in paged[start:stop]] == expected[start:stop], (selection, sort, start)


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
