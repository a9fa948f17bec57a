"""`manage.py scan_copies`: the whole catalog rescanned through the indexes, and the demo catalog left alone."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from catalog import copies
from catalog.choices import CopyKind
from catalog.models import CopyFlag, DescriptionBand, Piece, PieceImage, Review
from catalog.tests.drawings import drawing, encoded, recoloured
from catalog.tests.factories import PieceFactory, PieceImageFactory
from catalog.tests.test_copies import LONG_TEXT
from catalog.tests.test_seed import seed, without_drawing  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def forget_everything():
    """As after a bulk load: no hashes, no bands, no flags."""
    CopyFlag.objects.all().delete()
    DescriptionBand.objects.all().delete()
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


def test_a_second_scan_flags_nothing_new_and_cleared_pairs_stay_cleared():
    from artisans.tests.factories import StaffFactory
    from catalog.trust import copy_flags_clear

    first = PieceImageFactory(image=ContentFile(encoded(drawing(4)), name="a.jpg")).piece
    PieceImageFactory(image=ContentFile(encoded(drawing(4)), name="b.jpg"))
    copy_flags_clear(piece=first, actor=StaffFactory())
    assert "0 pairs newly flagged" in scan()
    assert not CopyFlag.objects.filter(cleared_at__isnull=True).exists()


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
