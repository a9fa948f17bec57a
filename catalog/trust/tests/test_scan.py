"""`manage.py scan_copies`: the whole catalog rescanned through the indexes, and the demo catalog left alone."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from catalog.choices import CopyKind
from catalog.demo.tests.test_seed import seed, without_drawing  # noqa: F401 (a fixture)
from catalog.models import CopyFlag, DescriptionBand, PhotoCropHash, Piece, PieceImage, Review
from catalog.tests.drawings import drawing, encoded, recoloured
from catalog.tests.factories import PieceFactory, PieceImageFactory
from catalog.trust import copies
from catalog.trust.tests.test_copies import LONG_TEXT

pytestmark = pytest.mark.django_db


def forget_everything():
    """As after a bulk load: no hashes, no bands, no flags."""
    CopyFlag.objects.all().delete()
    DescriptionBand.objects.all().delete()
    PhotoCropHash.objects.all().delete()
    PieceImage.objects.update(**copies.hash_fields(None))


def scan():
    out = StringIO()
    call_command("scan_copies", stdout=out)
    return out.getvalue()


def pairs(kind):
    return {tuple(sorted(pair)) for pair in CopyFlag.objects.filter(kind=kind).values_list("piece", "other")}


def test_the_rescan_finds_the_copies_an_upload_check_would():
    original = PieceImageFactory(image=ContentFile(encoded(drawing(1)), name="a.jpg")).piece
    copy = PieceImageFactory(image=ContentFile(encoded(recoloured(drawing(1))), name="b.jpg")).piece
    PieceImageFactory(image=ContentFile(encoded(drawing(2)), name="c.jpg"))
    told = PieceFactory(description=LONG_TEXT)
    retold = PieceFactory(description=LONG_TEXT + " Made to order.")
    PieceFactory(description=" ".join(reversed(LONG_TEXT.split())))
    forget_everything()

    output = scan()

    assert pairs(CopyKind.PHOTO) == {tuple(sorted((original.pk, copy.pk)))}
    assert pairs(CopyKind.TEXT) == {tuple(sorted((told.pk, retold.pk)))}
    assert "Hashed 3 new photo files" in output and "2 pairs newly flagged" in output
    assert PieceImage.objects.filter(phash__isnull=False).count() == 3
    assert PhotoCropHash.objects.count() == 3 * len(copies.CROPS)


def test_a_second_scan_flags_nothing_new_and_cleared_pairs_stay_cleared():
    from artisans.tests.factories import StaffFactory
    from catalog.trust.services import copy_flags_clear

    first = PieceImageFactory(image=ContentFile(encoded(drawing(4)), name="a.jpg")).piece
    second = PieceImageFactory(image=ContentFile(encoded(drawing(4)), name="b.jpg")).piece
    for piece in (first, second):  # each piece's flags are its own to clear
        copy_flags_clear(piece=piece, actor=StaffFactory())
    assert "0 pairs newly flagged" in scan()
    assert not CopyFlag.objects.filter(cleared_at__isnull=True).exists()


def test_the_rescan_catches_a_crop_of_a_few_per_cent_and_hashes_the_crops_of_photos_hashed_before():
    from catalog.tests.drawings import cropped

    original = PieceImageFactory(image=ContentFile(encoded(drawing(8)), name="a.jpg")).piece
    copy = PieceImageFactory(image=ContentFile(encoded(cropped(drawing(8), 0.04)), name="b.jpg")).piece
    CopyFlag.objects.all().delete()
    PhotoCropHash.objects.all().delete()  # as in a catalog hashed before crops were
    assert "Hashed 2 new photo files" in scan()
    assert pairs(CopyKind.PHOTO) == {tuple(sorted((original.pk, copy.pk)))}


def test_a_file_shared_by_many_pieces_is_hashed_once():
    image = PieceImageFactory(image=ContentFile(encoded(drawing(5)), name="a.jpg"))
    for _ in range(3):
        PieceImageFactory(image=image.image.name, piece=PieceFactory(artisan=image.piece.artisan))
    forget_everything()
    assert copies.hash_missing_photos() == 1
    assert PieceImage.objects.filter(phash__isnull=False).count() == 4


def test_a_missing_file_is_skipped():
    image = PieceImageFactory(image=ContentFile(encoded(drawing(6)), name="a.jpg"))
    image.image.storage.delete(image.image.name)
    forget_everything()
    assert "0 pairs newly flagged" in scan()


def test_the_demo_catalog_does_not_flag_itself(without_drawing):  # noqa: F811
    """Its drawings are stock, and its templated descriptions too short to be compared."""
    seed("--pieces", "300")
    longest = max(len(copies.WORD.findall(text)) for text in Piece.objects.values_list("description", flat=True))
    assert longest < copies.MIN_WORDS
    summary = copies.scan_catalog()
    assert (summary.photos, summary.photo_pairs, summary.text_pairs) == (0, 0, 0)
    assert not CopyFlag.objects.exists()


def test_the_demo_plants_a_few_copies_that_the_detector_catches():
    from catalog.demo.copies import COPIES

    output = seed("--pieces", "40")
    assert f"{COPIES} deliberately copied listings" in output
    flagged = pairs(CopyKind.PHOTO)
    assert len(flagged) == COPIES
    for pair in flagged:
        assert Review.objects.waiting().filter(piece__in=pair).count() == 2
    assert copies.scan_catalog().new_pairs == 0


def flag_in_bulk(count, django_assert_max_num_queries):
    """`count` pairs of two makers' pieces, every other one staff verified, flagged in one call."""
    from catalog.choices import EvidenceLevel, ReviewReason, TrustAction
    from catalog.models import TrustEvent
    from catalog.trust.services import copy_pairs_flag

    pairs = {}
    for n in range(count):
        level = EvidenceLevel.STAFF_VERIFIED if n % 2 else EvidenceLevel.DOCUMENTED
        pairs[PieceFactory(evidence_level=level).pk, PieceFactory().pk] = 3
    already = next(iter(pairs))
    Review.objects.create(artisan_id=Piece.objects.get(pk=already[0]).artisan_id, piece_id=already[0], reason="report")
    # Flags seen, flags written, pieces, waiting items, new items (in a savepoint), the drop, the audit, in a
    # savepoint: per batch, whatever its size (SQLite cuts the inserts into chunks of 999 values: 2 more).
    with django_assert_max_num_queries(13):
        assert copy_pairs_flag(pairs, kind=CopyKind.PHOTO) == count
    flagged = set(pairs) | {(b, a) for a, b in pairs}
    assert set(CopyFlag.objects.values_list("piece", "other")) == flagged
    ids = {pk for pair in pairs for pk in pair}
    assert Review.objects.waiting().filter(piece__in=ids).count() == 2 * count
    assert Review.objects.get(piece_id=already[0]).reason == ReviewReason.REPORT  # joined, not duplicated
    assert TrustEvent.objects.filter(action=TrustAction.FLAGGED).count() == 2 * count
    assert TrustEvent.objects.filter(action=TrustAction.OPENED).count() == 2 * count - 1
    verified = [a for n, (a, _) in enumerate(pairs) if n % 2]
    assert TrustEvent.objects.filter(action=TrustAction.EVIDENCE_DROPPED, piece__in=verified).count() == len(verified)
    assert not Piece.objects.filter(pk__in=ids, evidence_level=EvidenceLevel.STAFF_VERIFIED).exists()
    note = TrustEvent.objects.get(action=TrustAction.FLAGGED, piece_id=already[0]).note
    assert note == f"{CopyKind.PHOTO.label} as “{Piece.objects.get(pk=already[1]).title}” (piece #{already[1]})"
    with django_assert_max_num_queries(3):  # flagged before: one look (in a savepoint), nothing written
        assert copy_pairs_flag(pairs, kind=CopyKind.PHOTO) == 0


@pytest.mark.parametrize("count", [2, 40])
def test_flagging_many_pairs_costs_a_fixed_number_of_queries(count, django_assert_max_num_queries):
    flag_in_bulk(count, django_assert_max_num_queries)


def test_a_piece_matching_several_others_gets_one_flagged_entry_naming_them_all():
    from catalog.choices import TrustAction
    from catalog.models import TrustEvent
    from catalog.trust.services import copy_pairs_flag

    original, first, second = PieceFactory(), PieceFactory(), PieceFactory()
    assert copy_pairs_flag({(original.pk, first.pk): 2, (second.pk, original.pk): 5}, kind=CopyKind.PHOTO) == 2
    (event,) = TrustEvent.objects.filter(piece=original, action=TrustAction.FLAGGED)
    assert f"(piece #{first.pk})" in event.note and f"(piece #{second.pk})" in event.note
    assert Review.objects.waiting().filter(piece__in=[original, first, second]).count() == 3
