"""Copy detection: the same drawing altered is caught, different drawings are not; and descriptions."""

import pytest
from django.core.files.base import ContentFile

from catalog.choices import CopyKind, EvidenceLevel, ReviewReason, TrustAction
from catalog.models import CopyFlag, PieceImage, Review, TrustEvent
from catalog.tests.drawings import VARIATIONS, cropped, drawing, encoded
from catalog.tests.factories import PieceFactory, PieceImageFactory
from catalog.trust import copies

# A copied listing's description: long enough to be compared (MIN_WORDS).
LONG_TEXT = (
    "This delicate ring is handmade in our small workshop from solid sterling silver. Each band is cut, "
    "shaped and soldered by hand, then hammered to give it a sparkling texture that catches the light. "
    "It is polished to a bright shine and arrives in a gift box, ready to give to someone you love. "
    "Each piece is made to order and may differ slightly from the photos."
)


def photo_of(seed, alter=None, fmt="JPEG"):
    image = drawing(seed)
    if alter is not None:
        image = alter(image)
    return ContentFile(encoded(image, fmt), name="photo.jpg" if fmt == "JPEG" else "photo.png")


def flags_between(a, b, kind=CopyKind.PHOTO):
    return CopyFlag.objects.filter(piece=a, other=b, kind=kind).exists()


# --- The hash and its threshold ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_the_same_drawing_altered_stays_within_the_threshold(seed, variation):
    original = copies.photo_hash(photo_of(seed))
    altered = copies.photo_hash(photo_of(seed, VARIATIONS[variation]))
    assert copies.distance(original, altered) <= copies.PHOTO_DISTANCE


@pytest.mark.parametrize("share", [0.03, 0.04, 0.05])
def test_a_crop_of_a_few_per_cent_is_near_one_of_the_originals_crops(share):
    """Too far from the whole photo's hash, but near the hash of one of its stored centre crops."""
    for seed in range(12):
        original = copies.photo_hashes(photo_of(seed))
        copy = copies.photo_hash(photo_of(seed, lambda image, share=share: cropped(image, share)))
        assert min(copies.distance(copy, value) for value in original.values()) <= copies.PHOTO_DISTANCE


def test_different_drawings_are_far_from_each_others_crops():
    hashes = [copies.photo_hashes(photo_of(seed)) for seed in range(30)]
    closest = min(
        copies.distance(a[0], value)
        for i, a in enumerate(hashes)
        for j, b in enumerate(hashes)
        if i != j
        for value in b.values()
    )
    assert closest > copies.PHOTO_DISTANCE


def test_a_png_of_the_drawing_hashes_as_its_jpeg():
    assert copies.distance(copies.photo_hash(photo_of(3)), copies.photo_hash(photo_of(3, fmt="PNG"))) <= 2


def test_different_drawings_are_far_apart():
    hashes = [copies.photo_hash(photo_of(seed)) for seed in range(40)]
    closest = min(copies.distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert closest > copies.PHOTO_DISTANCE


def test_a_photo_of_one_flat_colour_has_no_hash():
    from catalog.tests.factories import image_file

    assert copies.photo_hash(image_file()) is None


def test_hashes_within_the_threshold_share_a_quarter_within_one_bit():
    """The pigeonhole guarantee the candidate lookup relies on, on hashes 7 bits apart."""
    base = copies.photo_hash(photo_of(5))
    for start in range(0, 57, 8):
        other = base ^ sum(1 << bit for bit in range(start, start + 7))
        other = other - (1 << 64) if other >= 1 << 63 else other
        assert copies.distance(base, other) == 7
        assert any(bin(a ^ b).count("1") <= 1 for a, b in zip(copies.chunks(base), copies.chunks(other), strict=True))


# --- Upload-time checks ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("variation", sorted(VARIATIONS))
def test_a_copied_photo_flags_both_pieces_at_upload(variation):
    original = PieceImageFactory(image=photo_of(7))
    copy = PieceImageFactory(image=photo_of(7, VARIATIONS[variation]))
    assert flags_between(copy.piece, original.piece)
    assert flags_between(original.piece, copy.piece)
    for piece in (original.piece, copy.piece):
        assert Review.objects.waiting().get(piece=piece).reason == ReviewReason.COPY
        assert TrustEvent.objects.filter(piece=piece, action=TrustAction.FLAGGED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("copy_first", [False, True], ids=["original first", "copy first"])
def test_a_photo_cropped_five_per_cent_flags_both_pieces_whichever_came_first(copy_first):
    five_per_cent = photo_of(12, lambda image: cropped(image, 0.05))
    first, second = (five_per_cent, photo_of(12)) if copy_first else (photo_of(12), five_per_cent)
    a = PieceImageFactory(image=first).piece
    b = PieceImageFactory(image=second).piece
    assert flags_between(a, b) and flags_between(b, a)


@pytest.mark.django_db
def test_different_drawings_flag_nothing():
    for seed in range(6):
        PieceImageFactory(image=photo_of(seed))
    assert not CopyFlag.objects.exists()


@pytest.mark.django_db
def test_a_maker_reusing_their_own_photo_is_not_a_copy():
    first = PieceImageFactory(image=photo_of(8))
    PieceImageFactory(image=photo_of(8, cropped), piece=PieceFactory(artisan=first.piece.artisan))
    assert not CopyFlag.objects.exists()


@pytest.mark.django_db
def test_stock_photos_are_never_compared():
    PieceImageFactory(image=photo_of(9), is_stock=True)
    PieceImageFactory(image=photo_of(9))
    assert not CopyFlag.objects.exists()


@pytest.mark.django_db
def test_the_upload_check_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    for seed in range(20, 30):
        PieceImageFactory(image=photo_of(seed))
    piece = PieceFactory()
    image = PieceImage(piece=piece, image=photo_of(31), alt_text="Ring")
    # The insert; in a savepoint, the hash update and the crops' hashes replaced; the two candidates
    # queries (photos near ours or our crops, crops near ours; no match, so no flags): whatever the
    # catalog's size.
    with django_assert_max_num_queries(8):
        image.save()


@pytest.mark.django_db
def test_a_flagged_piece_loses_its_staff_verification():
    from artisans.tests.factories import StaffFactory
    from catalog.trust.services import piece_raise_evidence

    verified = PieceFactory()
    PieceImageFactory(piece=verified, image=photo_of(11))
    piece_raise_evidence(piece=verified, level=EvidenceLevel.STAFF_VERIFIED, actor=StaffFactory())
    PieceImageFactory(image=photo_of(11, VARIATIONS["resized"]))
    verified.refresh_from_db()
    assert verified.evidence_level == EvidenceLevel.DOCUMENTED
    assert TrustEvent.objects.filter(piece=verified, action=TrustAction.EVIDENCE_DROPPED).exists()
    assert Review.objects.waiting().get(piece=verified).reason == ReviewReason.COPY


# --- Descriptions ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_near_identical_description_of_another_maker_flags_both():
    first = PieceFactory(description=LONG_TEXT)
    second = PieceFactory(description=LONG_TEXT.replace("someone you love", "someone special").upper())
    assert flags_between(first, second, CopyKind.TEXT)
    assert flags_between(second, first, CopyKind.TEXT)


@pytest.mark.django_db
def test_a_different_description_is_not_flagged():
    PieceFactory(description=LONG_TEXT)
    other = " ".join(reversed(LONG_TEXT.split()))
    PieceFactory(description=other + " Forged by hand from wire we draw ourselves in the old way.")
    assert not CopyFlag.objects.exists()


@pytest.mark.django_db
def test_short_descriptions_are_not_compared():
    PieceFactory(description="A band forged from recycled silver wire.")
    PieceFactory(description="A band forged from recycled silver wire.")
    assert not CopyFlag.objects.exists()


def test_similarity_of_shingles():
    assert copies.similarity(copies.shingles(LONG_TEXT), copies.shingles(LONG_TEXT)) == 1
    assert copies.shingles("too short") == set()


def test_the_rescans_index_finds_exactly_the_pairs_that_comparing_all_pairs_finds():
    import random

    rng = random.Random(6)
    photos = []
    for n in range(400):
        value = rng.getrandbits(64)
        if n % 4 == 0 and photos:  # a near copy of an earlier photo, up to 9 bits changed
            value = photos[rng.randrange(len(photos))].phash & ((1 << 64) - 1)
            for bit in rng.sample(range(64), rng.randint(0, 9)):
                value ^= 1 << bit
        signed = value - (1 << 64) if value >= 1 << 63 else value
        photos.append(copies.Photo(piece_id=n, artisan_id=rng.randrange(20), phash=signed, is_crop=n % 3 == 0))
    brute = {
        (a.piece_id, b.piece_id, copies.distance(a.phash, b.phash))
        for i, a in enumerate(photos)
        for b in photos[i + 1 :]
        if a.artisan_id != b.artisan_id
        and not (a.is_crop and b.is_crop)
        and copies.distance(a.phash, b.phash) <= copies.PHOTO_DISTANCE
    }
    found = {(a.piece_id, b.piece_id, gap) for a, b, gap in copies.PhotoIndex(photos).pairs()}
    assert found == brute and len(brute) > 20
