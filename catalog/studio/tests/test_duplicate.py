"""Duplicating a piece as a new draft: rows copied, photo files shared (never copied nor lost), trust not inherited."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import EvidenceLevel, PieceStatus, ReviewReason
from catalog.models import CopyFlag, PersonalizationOption, Piece, PieceImage, PieceMaterial, ProductionStep, Review
from catalog.services import (
    COPY_SUFFIX,
    ERROR_DUPLICATE_HIDDEN,
    ERROR_NOT_YOUR_PIECE_CHANGE,
    piece_duplicate,
)
from catalog.studio.duplicate_views import MESSAGE_DUPLICATED
from catalog.tests.drawings import drawing, encoded
from catalog.tests.factories import (
    CertificationFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
    piece_with_details,
)
from catalog.tests.studio_helpers import edit_data

pytestmark = pytest.mark.django_db

# A description long enough for copy detection to compare it (catalog.trust.copies.MIN_WORDS).
LONG_DESCRIPTION = " ".join(f"word{n} of the hand forged silver band and its story" for n in range(12))


@pytest.fixture
def original():
    """A verified, featured, published piece with every kind of row, a SKU and a verified certification claim."""
    piece = piece_with_details(
        title="Hammered ring",
        sku="HR-01",
        featured=True,
        evidence_level=EvidenceLevel.STAFF_VERIFIED,
        evidence_raised_by=StaffFactory(),
        materials_cost=Decimal("40"),
        labor_cost=Decimal("60"),
    )
    piece.techniques.set([TechniqueFactory()])
    piece.traditions.set([TraditionFactory()])
    piece.styles.set([StyleFactory()])
    PieceImageFactory(piece=piece, is_process_photo=True, alt_text="Hammering the band", position=1)
    PieceMaterialFactory(
        piece=piece,
        material=MaterialFactory(name="Gold", slug="gold"),
        certification=CertificationFactory(),
        certificate_number="FM-1",
        is_verified=True,
    )
    return piece


def duplicate(client, piece, **data):
    return client.post(reverse("studio:piece_duplicate", args=[piece.pk]), data)


def test_a_copy_is_a_new_draft_with_every_row_of_the_original(client, original):
    client.force_login(original.artisan.user)
    response = duplicate(client, original)

    copy = Piece.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302 and response.url == reverse("studio:piece_update", args=[copy.pk])
    assert (copy.title, copy.status, copy.sku, copy.featured, copy.published_at) == (
        "Hammered ring (copy)",
        PieceStatus.DRAFT,
        "",
        False,
        None,
    )
    assert copy.slug != original.slug and copy.slug.startswith("hammered-ring-copy")
    assert (copy.price, copy.materials_cost, copy.labor_cost) == (original.price, Decimal("40"), Decimal("60"))
    assert copy.description == original.description and copy.artisan == original.artisan

    def rows(piece, model, *fields):
        return sorted(model.objects.filter(piece=piece).values_list(*fields))

    assert rows(copy, ProductionStep, "step", "done", "partner_name", "position") == rows(
        original, ProductionStep, "step", "done", "partner_name", "position"
    )
    assert rows(copy, PieceMaterial, "material", "purity", "recycled", "origin", "certificate_number") == rows(
        original, PieceMaterial, "material", "purity", "recycled", "origin", "certificate_number"
    )
    assert rows(copy, PersonalizationOption, "kind", "max_characters", "extra_price") == rows(
        original, PersonalizationOption, "kind", "max_characters", "extra_price"
    )
    assert rows(copy, PieceImage, "image", "alt_text", "is_process_photo", "position") == rows(
        original, PieceImage, "image", "alt_text", "is_process_photo", "position"
    )
    for relation in ("techniques", "traditions", "styles"):
        assert list(getattr(copy, relation).all()) == list(getattr(original, relation).all())
    # The original is untouched.
    original.refresh_from_db()
    assert (original.status, original.sku, original.featured) == (PieceStatus.PUBLISHED, "HR-01", True)
    assert original.images.count() == 2 and original.materials.count() == 3


def test_the_copy_opens_in_the_piece_form_saying_what_it_is(client, original):
    client.force_login(original.artisan.user)
    response = duplicate(client, original)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Hammered ring (copy)" in page.content.decode()
    assert [str(m) for m in page.context["messages"]] == [MESSAGE_DUPLICATED % {"title": "Hammered ring"}]


def test_photos_are_reused_not_copied_on_disk(client, original):
    client.force_login(original.artisan.user)
    files_before = sorted(default_storage.listdir("pieces")[1])
    duplicate(client, original)
    copy = Piece.objects.exclude(pk=original.pk).get()
    assert {photo.image.name for photo in copy.images.all()} == {photo.image.name for photo in original.images.all()}
    assert sorted(default_storage.listdir("pieces")[1]) == files_before


def test_deleting_the_copys_photos_keeps_the_originals_files(client, original):
    client.force_login(original.artisan.user)
    duplicate(client, original)
    copy = Piece.objects.exclude(pk=original.pk).get()
    names = [photo.image.name for photo in original.images.all()]

    # Removed in the piece form, as a maker does…
    data = edit_data(copy)
    data["photos-0-DELETE"] = "on"
    response = client.post(reverse("studio:piece_update", args=[copy.pk]), data)
    assert response.status_code == 302
    assert copy.images.count() == 1
    # … then the rest row by row, and the copy itself.
    copy.images.all().delete()
    copy.delete()

    assert all(default_storage.exists(name) for name in names)
    assert [photo.image.name for photo in original.images.all()] == names
    assert client.get(original.get_absolute_url()).status_code == 200


def test_the_copy_does_not_inherit_staffs_verification(client, original):
    client.force_login(original.artisan.user)
    duplicate(client, original)
    copy = Piece.objects.exclude(pk=original.pk).get()
    # What a new piece with steps and a process photo gets: documented, in the queue for staff.
    assert copy.evidence_level == EvidenceLevel.DOCUMENTED
    assert copy.evidence_raised_by is None and copy.evidence_raised_at is None
    assert Review.objects.waiting().filter(piece=copy, reason=ReviewReason.CLAIM).exists()
    # The certification claim waits for staff again.
    claim = copy.materials.get(certification__isnull=False)
    assert not claim.is_verified
    assert Review.objects.waiting().filter(material_claim=claim).exists()
    original.refresh_from_db()
    assert original.evidence_level == EvidenceLevel.STAFF_VERIFIED


def test_a_copy_without_steps_or_process_photos_is_the_makers_word():
    piece = PieceFactory(evidence_level=EvidenceLevel.STAFF_VERIFIED)
    copy = piece_duplicate(piece=piece, actor=piece.artisan.user)
    assert copy.evidence_level == EvidenceLevel.SELF_DECLARED


def test_a_makers_copy_of_their_own_piece_is_not_flagged_as_a_copy():
    piece = PieceFactory(description=LONG_DESCRIPTION)
    PieceImageFactory(piece=piece, image=ContentFile(encoded(drawing(7)), name="ring.jpg"))
    assert piece.images.get().phash is not None  # the photo is hashed, so it can be compared

    copy = piece_duplicate(piece=piece, actor=piece.artisan.user)

    assert copy.images.get().phash == piece.images.get().phash
    assert not CopyFlag.objects.exists()


def test_a_copy_of_a_piece_that_matches_another_makers_is_flagged_too():
    """The check the copy goes through is real: the same photo in another maker's shop is flagged."""
    theirs = PieceFactory()
    PieceImageFactory(piece=theirs, image=ContentFile(encoded(drawing(7)), name="theirs.jpg"))
    piece = PieceFactory()
    PieceImageFactory(piece=piece, image=ContentFile(encoded(drawing(7)), name="mine.jpg"))
    assert CopyFlag.objects.filter(piece=piece, other=theirs).exists()

    copy = piece_duplicate(piece=piece, actor=piece.artisan.user)

    assert CopyFlag.objects.filter(piece=copy, other=theirs).exists()
    assert not CopyFlag.objects.filter(piece=copy, other=piece).exists()


def test_a_long_title_keeps_its_suffix_within_the_limit():
    piece = PieceFactory(title="A" * 150)
    copy = piece_duplicate(piece=piece, actor=piece.artisan.user)
    assert len(copy.title) == 150 and copy.title.endswith(COPY_SUFFIX)


def test_copies_of_copies_get_their_own_slugs():
    piece = PieceFactory(title="Cuff")
    first = piece_duplicate(piece=piece, actor=piece.artisan.user)
    second = piece_duplicate(piece=piece, actor=piece.artisan.user)
    assert len({piece.slug, first.slug, second.slug}) == 3


def test_a_pending_maker_can_duplicate_a_draft():
    piece = PieceFactory(artisan=ArtisanFactory(status=ArtisanStatus.PENDING), status=PieceStatus.DRAFT)
    copy = piece_duplicate(piece=piece, actor=piece.artisan.user)
    assert copy.status == PieceStatus.DRAFT


def test_a_piece_hidden_by_staff_cannot_be_duplicated(client):
    piece = PieceFactory(status=PieceStatus.HIDDEN)
    client.force_login(piece.artisan.user)
    response = duplicate(client, piece)
    assert response.status_code == 302 and response.url == reverse("studio:dashboard")
    assert Piece.objects.count() == 1
    assert [str(m) for m in client.get(response.url).context["messages"]] == [ERROR_DUPLICATE_HIDDEN]


def test_the_service_refuses_another_makers_piece():
    piece = PieceFactory()
    with pytest.raises(Exception) as refused:
        piece_duplicate(piece=piece, actor=ArtisanFactory().user)
    assert refused.value.args == (ERROR_NOT_YOUR_PIECE_CHANGE,)
    assert Piece.objects.count() == 1


@pytest.mark.parametrize("who", ["another maker", "shopper", "staff", "anonymous"])
def test_only_the_owner_duplicates_a_piece(client, who):
    piece = PieceFactory()
    user = {
        "another maker": lambda: ArtisanFactory().user,
        "shopper": UserFactory,
        "staff": StaffFactory,
        "anonymous": lambda: None,
    }[who]()
    if user:
        client.force_login(user)
    response = duplicate(client, piece)
    if who == "another maker":
        assert response.status_code == 404
    elif who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    assert Piece.objects.count() == 1


def test_duplicate_is_post_only_and_needs_the_csrf_token():
    piece = PieceFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(piece.artisan.user)
    url = reverse("studio:piece_duplicate", args=[piece.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert Piece.objects.count() == 1


def test_too_many_duplicates_a_minute_get_the_429_page(client, settings):
    settings.STUDIO_CHANGES_PER_MINUTE = 1
    piece = PieceFactory()
    client.force_login(piece.artisan.user)
    assert duplicate(client, piece).status_code == 302
    assert duplicate(client, piece).status_code == 429
    assert Piece.objects.count() == 2


def test_the_list_and_the_piece_form_offer_duplicate(client):
    piece = PieceFactory(title="Cuff")
    hidden = PieceFactory(artisan=piece.artisan, status=PieceStatus.HIDDEN, title="Hidden cuff")
    client.force_login(piece.artisan.user)
    listing = client.get(reverse("studio:dashboard")).content.decode()
    assert f'action="{reverse("studio:piece_duplicate", args=[piece.pk])}"' in listing
    assert f'action="{reverse("studio:piece_duplicate", args=[hidden.pk])}"' not in listing
    form = client.get(reverse("studio:piece_update", args=[piece.pk])).content.decode()
    assert f'action="{reverse("studio:piece_duplicate", args=[piece.pk])}"' in form
    assert 'name="next" value="piece"' in form


def test_duplicating_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    """
    Rows are copied a table at a time (71 queries for both, measured on SQLite: full_clean's checks of
    the constraints are about 30 of them); only photos cost a few queries each (hashed and compared).
    """
    small = piece_with_details()
    large = piece_with_details()
    for n in range(6):
        PieceMaterialFactory(piece=large, origin=f"Mine {n}")
    with django_assert_max_num_queries(75):
        piece_duplicate(piece=small, actor=small.artisan.user)
    with django_assert_max_num_queries(75):
        piece_duplicate(piece=large, actor=large.artisan.user)
