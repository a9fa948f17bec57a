"""
A few deliberate copies in the demo catalog, for copy detection to catch.

The demo's drawings are stock (`PieceImage.is_stock`), shared by many pieces
on purpose and never compared. Here a few public pieces of one maker are made
to show a retouched copy (warmer, smaller) of another maker's photo, as a
reseller would; both photos are marked as the makers' own, and the upload
check runs on them, so the pairs are flagged and wait in the review queue.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageEnhance

from catalog.demo.images import make_renditions
from catalog.models import Piece, PieceImage
from catalog.trust.copies import photo_check

COPIES = 3


def retouched(data: bytes) -> bytes:
    """What a reseller does to a photo it takes: scaled down and up again (softer), warmer and brighter."""
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        size = image.size
        image = image.resize((image.width * 3 // 5, image.height * 3 // 5)).resize(size)
        red, green, blue = image.split()
        image = Image.merge("RGB", (red, green, blue.point(lambda v: v * 0.85)))
        image = ImageEnhance.Brightness(image).enhance(1.06)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def plant_copies(rng, public, *, count=COPIES) -> int:
    """Make `count` public pieces show a copy of another maker's photo; returns how many were planted."""
    if len(public) < 2 * count:
        return 0
    sample = rng.sample(public, min(len(public), 4 * count))
    chosen = Piece.objects.filter(pk__in=[fact.pk for fact in sample]).order_by("pk")
    covers = {
        image.piece_id: image
        for image in PieceImage.objects.filter(piece__in=chosen, is_process_photo=False, position=0).select_related(
            "piece"
        )
    }
    planted, used = 0, set()
    for original in covers.values():
        if planted == count or original.piece_id in used:
            continue
        copier = next(
            (
                c
                for c in covers.values()
                if c.piece_id not in used
                and c.piece_id != original.piece_id
                and c.piece.artisan_id != original.piece.artisan_id
                # A copy comes after its original: the review page says which was published first.
                and c.piece.published_at > original.piece.published_at
            ),
            None,
        )
        if copier is None or not default_storage.exists(original.image.name):
            continue  # the drawings were not drawn (tests that skip them): nothing to copy
        with default_storage.open(original.image.name, "rb") as stored:
            data = stored.read()
        name = original.image.name.replace("pieces/demo/", "pieces/demo/copy-")
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(retouched(data)))
            make_renditions(name, for_process_photo=False)
        # The original becomes the maker's own photo (one row; the file may stay stock elsewhere).
        PieceImage.objects.filter(pk=original.pk).update(is_stock=False)
        PieceImage.objects.filter(pk=copier.pk).update(is_stock=False, image=name)
        original.refresh_from_db()
        copier.refresh_from_db()
        photo_check(original)
        photo_check(copier)
        used |= {original.piece_id, copier.piece_id}
        planted += 1
    return planted
