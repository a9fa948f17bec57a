"""
The demo catalog command (`seed_demo`): its size, its coverage of every
choice, the article's spread of prices and labor, determinism, idempotence
and its photos.

Drawing 600 photos and their renditions costs about a minute of CPU and says
nothing about coverage, so the tests that only look at rows replace the
drawing with `skip_drawing`; `test_every_piece_has_a_stored_cover_and_card_rendition`
draws for real, at a small size.
"""

import statistics
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from PIL import Image

from artisans.choices import ArtisanStatus, MakerType
from artisans.models import Artisan, ProcessPhoto
from catalog.choices import (
    Availability,
    Construction,
    EvidenceLevel,
    MadeBy,
    PersonalizationKind,
    PieceStatus,
    ProductionMethod,
)
from catalog.demo import images
from catalog.demo.build import demo_pieces
from catalog.models import (
    Category,
    Certification,
    Collection,
    CollectionPiece,
    CopyFlag,
    MakerCertification,
    Material,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Style,
    Technique,
    Tradition,
)
from catalog.tests.factories import PieceFactory
from catalog.tests.test_rules import HANDCRAFTED_WORDS

pytestmark = pytest.mark.django_db


def skip_drawing(job):
    """Stands in for images.produce: the row points at a file that is never drawn."""
    return False


@pytest.fixture
def without_drawing(monkeypatch):
    monkeypatch.setattr(images, "default_workers", lambda: 1)
    monkeypatch.setattr(images, "produce", skip_drawing)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def row_counts():
    models = [
        Artisan,
        get_user_model(),
        Piece,
        ProductionStep,
        PieceMaterial,
        PieceImage,
        PersonalizationOption,
        MakerCertification,
        ProcessPhoto,
        Collection,
        CollectionPiece,
        Category,
        Material,
        Technique,
        Tradition,
        Style,
        Certification,
        Piece.techniques.through,
        Piece.styles.through,
        Technique.artisans.through,
    ]
    return {model.__name__: model.objects.count() for model in models}


def snapshot():
    """The catalog's content, without ids or timestamps: what a visitor would see."""
    pieces = Piece.objects.order_by("slug").values_list(
        "slug", "title", "price", "production_method", "made_by", "availability", "artisan__slug", "description"
    )
    materials = PieceMaterial.objects.order_by("piece__slug", "position").values_list(
        "piece__slug", "material__slug", "purity", "construction", "weight", "certification__slug"
    )
    covers = PieceImage.objects.order_by("piece__slug", "position").values_list("piece__slug", "image", "alt_text")
    return list(pieces), list(materials), list(covers)


def used(values):
    return set(values)


def test_default_catalog_covers_every_choice_and_follows_the_articles_spread(without_drawing):
    output = seed()

    assert "Seeded the demo catalog: 40 makers" in output
    assert Artisan.objects.count() == 40
    assert Piece.objects.count() == 600
    assert connection.check_constraints() is None  # foreign keys too, not only the checks refused on insert
    pieces = Piece.objects.all()
    categories = used(Category.objects.values_list("slug", flat=True))
    assert used(pieces.values_list("category__slug", flat=True)) == categories
    assert used(pieces.values_list("production_method", flat=True)) == set(ProductionMethod.values)
    assert used(pieces.values_list("made_by", flat=True)) == set(MadeBy.values)
    assert used(pieces.values_list("availability", flat=True)) == set(Availability.values)
    assert used(pieces.values_list("status", flat=True)) == set(PieceStatus.values)
    assert used(pieces.values_list("evidence_level", flat=True)) == set(EvidenceLevel.values)
    assert used(PieceMaterial.objects.exclude(construction="").values_list("construction", flat=True)) == set(
        Construction.values
    )
    assert used(PersonalizationOption.objects.values_list("kind", flat=True)) == set(PersonalizationKind.values)
    assert not Material.objects.filter(piece_materials__isnull=True).exists()
    assert not Technique.objects.filter(pieces__isnull=True).exists()
    assert not Tradition.objects.filter(pieces__isnull=True).exists()
    assert not Style.objects.filter(pieces__isnull=True).exists()
    certified = used(PieceMaterial.objects.values_list("certification__slug", flat=True)) | used(
        MakerCertification.objects.values_list("certification__slug", flat=True)
    )
    assert used(Certification.objects.values_list("slug", flat=True)) <= certified

    # The article's spread: mass-produced pieces are cheaper, more often plated,
    # take fewer hours and are rarely unique or personalizable.
    mass, finished, hand = (
        method_facts(m)
        for m in (ProductionMethod.MASS_PRODUCED, ProductionMethod.HAND_FINISHED, ProductionMethod.HANDCRAFTED)
    )
    assert mass["median_price"] < finished["median_price"] < hand["median_price"]
    assert mass["plated"] > finished["plated"] and mass["plated"] > hand["plated"]
    assert hand["mean_hours"] > finished["mean_hours"] > mass["mean_hours"]
    assert hand["one_of_a_kind"] > finished["one_of_a_kind"] > mass["one_of_a_kind"]
    assert hand["personalizable"] > finished["personalizable"] > mass["personalizable"]


def method_facts(method):
    pieces = Piece.objects.filter(production_method=method)
    total = pieces.count()
    return {
        "median_price": statistics.median(pieces.values_list("price", flat=True)),
        "mean_hours": statistics.mean(pieces.values_list("labor_hours", flat=True)),
        "plated": pieces.filter(materials__construction=Construction.PLATED).distinct().count() / total,
        "one_of_a_kind": pieces.filter(availability=Availability.ONE_OF_A_KIND).count() / total,
        "personalizable": pieces.filter(personalization_options__isnull=False).distinct().count() / total,
    }


def test_makers_span_countries_types_and_review_states(without_drawing):
    seed("--pieces", "200")

    makers = Artisan.objects.all()
    assert makers.values("country").distinct().count() >= 12
    assert used(makers.values_list("maker_type", flat=True)) == set(MakerType.values)
    assert makers.filter(status=ArtisanStatus.PENDING).count() == 2
    assert makers.filter(status=ArtisanStatus.SUSPENDED).count() == 1
    assert not Piece.objects.filter(artisan__status=ArtisanStatus.PENDING).exclude(status=PieceStatus.DRAFT).exists()
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert users.count() == 41  # 40 makers and the curator
    assert not any(user.has_usable_password() for user in users)
    assert users.get(username="demo-curator").is_staff
    assert ProcessPhoto.objects.exists()
    assert not ProcessPhoto.objects.filter(alt_text="").exists()
    assert Technique.artisans.through.objects.exists() and Tradition.artisans.through.objects.exists()


def test_rows_say_what_the_domain_requires(without_drawing):
    seed("--pieces", "300")

    assert not Piece.objects.filter(made_by=MadeBy.PRODUCTION_PARTNER, production_partner="").exists()
    mass = Piece.objects.filter(production_method=ProductionMethod.MASS_PRODUCED)
    assert mass.filter(made_by=MadeBy.PRODUCTION_PARTNER).count() > mass.count() / 2
    assert not ProductionStep.objects.filter(done="by_partner", partner_name="").exists()
    layered = PieceMaterial.objects.filter(construction__in=[Construction.PLATED, Construction.VERMEIL])
    assert layered.exists() and not layered.filter(plating_thickness_microns__isnull=True).exists()
    assert not PieceMaterial.objects.filter(is_verified=True, certification__isnull=True).exists()
    assert PieceMaterial.objects.filter(material__kind="gemstone").exclude(construction="").count() == 0
    # Documented (and above) means there is something to see: recorded steps or process photos.
    with_evidence = Piece.objects.filter(Q(production_steps__isnull=False) | Q(images__is_process_photo=True))
    self_declared = Piece.objects.filter(evidence_level=EvidenceLevel.SELF_DECLARED)
    assert not Piece.objects.exclude(pk__in=self_declared).exclude(pk__in=with_evidence.values("pk")).exists()
    assert not self_declared.filter(pk__in=with_evidence.values("pk")).exists()
    raised = Piece.objects.filter(evidence_level__in=[EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED])
    assert raised.exists()
    assert set(raised.values_list("evidence_raised_by__username", flat=True)) == {"demo-curator"}
    assert not raised.filter(evidence_raised_at__isnull=True).exists()
    assert not PersonalizationOption.objects.filter(kind=PersonalizationKind.ENGRAVING, max_characters__lt=1).exists()
    assert Piece.objects.filter(featured=True).count() == 8
    collections = Collection.objects.all()
    assert collections.count() == 5 and not collections.filter(is_published=False).exists()
    assert 1 <= collections.filter(featured=True).count() <= 2
    assert set(CollectionPiece.objects.values_list("piece__status", flat=True)) == {PieceStatus.PUBLISHED}
    covers = PieceImage.objects.filter(is_process_photo=False, position=0)
    assert covers.count() == Piece.objects.count()
    assert set(covers.values_list("width", "height")) == {(720, 900)}
    assert not PieceImage.objects.filter(alt_text="").exists()


def contradictions():
    """
    Every contradiction the demo catalog holds, read piece by piece with the rules a save checks
    (full_clean on each piece and material row: Piece.clean, PieceMaterial.clean, the constraints)
    and the public labels' words.
    """
    found = []
    pieces = Piece.objects.select_related("artisan", "category").prefetch_related("materials__material")
    for piece in pieces:
        for row in [piece, *piece.materials.all()]:
            try:
                row.full_clean(validate_unique=False)
            except ValidationError as error:
                found.append((piece.slug, type(row).__name__, error.message_dict))
        if piece.production_method != ProductionMethod.HANDCRAFTED:
            labels = [piece.evidence_label, piece.evidence_short_label, piece.get_production_method_display()]
            words = " ".join(str(label) for label in labels).lower()
            found += [(piece.slug, "label", word) for word in HANDCRAFTED_WORDS if word in words]
    return found


@pytest.mark.parametrize("args", [(), ("--pieces", "300", "--seed", "11")], ids=["default", "another-seed"])
def test_the_demo_catalog_contradicts_itself_nowhere(without_drawing, args):
    seed(*args)
    assert Piece.objects.count() >= 300
    assert contradictions() == []
    if args:
        return
    # The rules had something to hold: each kind of row they judge is in the default catalog.
    assert Piece.objects.filter(made_by=MadeBy.STUDIO_TEAM).exclude(artisan__workshop_size="solo").exists()
    assert Piece.objects.filter(made_by=MadeBy.ARTISAN, artisan__workshop_size="solo").exists()
    assert Piece.objects.filter(availability=Availability.ONE_OF_A_KIND).exists()
    assert Piece.objects.exclude(availability=Availability.ONE_OF_A_KIND).exclude(variation_note="").exists()
    assert PieceMaterial.objects.filter(construction=Construction.PLATED, plating_thickness_microns__gt=0).exists()
    assert Piece.objects.filter(
        production_method=ProductionMethod.MASS_PRODUCED,
        evidence_level__in=[EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED],
    ).exists()


def test_contradictions_are_found_where_they_are(without_drawing):
    """The reader above sees a contradiction written past the forms (the database holds the others)."""
    seed("--pieces", "30")
    piece = Piece.objects.filter(artisan__workshop_size="solo").first()
    Piece.objects.filter(pk=piece.pk).update(made_by=MadeBy.STUDIO_TEAM)
    assert [(slug, kind, list(errors)) for slug, kind, errors in contradictions()] == [
        (piece.slug, "Piece", ["made_by"])
    ]


def test_pieces_option_sets_the_number_of_pieces_and_makers_scale_with_it(without_drawing):
    seed("--pieces", "25")
    assert (Piece.objects.count(), Artisan.objects.count()) == (25, 40)

    seed("--reset", "--pieces", "2400")
    assert (Piece.objects.count(), Artisan.objects.count()) == (2400, 60)
    # Past 1,000 pieces photos come from a shared pool of drawings.
    assert PieceImage.objects.filter(is_process_photo=False).values("image").distinct().count() <= 240


def test_same_seed_gives_the_same_catalog_and_another_seed_a_different_one(without_drawing):
    seed("--pieces", "40", "--seed", "7")
    first = snapshot()

    seed("--reset", "--pieces", "40", "--seed", "7")
    assert snapshot() == first

    seed("--reset", "--pieces", "40", "--seed", "8")
    assert snapshot() != first


def test_second_run_changes_nothing_and_reset_rebuilds_the_same_counts(without_drawing):
    seed("--pieces", "30")
    counts = row_counts()

    output = seed("--pieces", "30")
    assert "already present (40 makers, 30 pieces)" in output
    assert row_counts() == counts

    seed("--reset", "--pieces", "30")
    assert row_counts() == counts


def test_reset_leaves_other_makers_pieces_alone(without_drawing):
    own = PieceFactory()
    seed("--pieces", "20")

    seed("--reset", "--pieces", "20")

    assert Piece.objects.filter(pk=own.pk).exists()
    assert demo_pieces().count() == 20
    assert Piece.objects.count() == 21


def test_if_empty_skips_when_any_piece_exists(without_drawing):
    PieceFactory()

    output = seed("--if-empty")

    assert "already has 1 piece;" in output
    assert not Artisan.objects.filter(user__username__startswith="demo-").exists()


def test_if_empty_seeds_an_empty_catalog(without_drawing):
    seed("--if-empty", "--pieces", "10")
    assert Piece.objects.count() == 10


@pytest.mark.renditions
def test_every_piece_has_a_stored_cover_and_card_rendition_and_each_planted_copy_comes_after_its_original():
    seed("--pieces", "60")

    for piece in Piece.objects.for_cards():
        cover = piece.cover
        assert cover is not None and cover.alt_text
        assert default_storage.exists(cover.image.name)
        assert default_storage.exists(cover.image_card.name)
        assert default_storage.exists(cover.image_card_2x.name)
        with default_storage.open(cover.image.name) as file:
            assert Image.open(file).size == (720, 900)
    for photo in ProcessPhoto.objects.all():
        assert default_storage.exists(photo.image.name)
        assert default_storage.exists(photo.image_display.name)
    for image in PieceImage.objects.filter(is_process_photo=True):
        assert default_storage.exists(image.image_thumb.name)

    # The copy review page says which of two matching pieces came first: the demo's copies must not look
    # like originals.
    copies = PieceImage.objects.filter(image__contains="/copy-").select_related("piece")
    assert copies.exists()
    for image in copies:
        originals = [flag.other for flag in CopyFlag.objects.filter(piece=image.piece).select_related("other")]
        assert originals, f"{image.piece} shows a copied photo but carries no copy flag"
        for original in originals:
            assert image.piece.published_at > original.published_at, (image.piece, original)
