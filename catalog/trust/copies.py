"""
Copy detection: the same photo or the same description in two makers' shops.

Photos. Each stored photo gets a 64-bit perceptual hash (ImageHash's pHash);
two photos whose hashes differ in at most `PHOTO_DISTANCE` bits are taken as
one picture. The threshold was measured on generated drawings
(catalog/tests/drawings.py): re-encoding, resizing to a third and recolouring
move a hash by at most 4 bits, a 1 % crop on each side by at most 6, while
two different drawings were never closer than 16 bits.

A crop of 3 to 5 % on each side moves the hash 10 to 16 bits: too far. So
each photo also stores the hashes of two centre crops of itself (`CROPS`:
2.5 % and 5 % cut from each side, `PhotoCropHash`), and a photo matches
another when its whole hash is near the other's whole hash or near one of the
other's crops. Measured on 60 generated drawings (bench/results/copy-crops-*.md):
crops of 1 to 5 % then come within 6 bits, while a different drawing, whole
or cropped, stays at least 14 bits away.

Near matches are found by multi-index hashing, never by comparing all pairs:
each hash is cut into four 16-bit quarters stored in indexed columns. Two
hashes within 7 bits differ in at most one bit in at least one quarter
(pigeonhole: four quarters with two bits each would be 8), so the candidates
are the photos that have, in some quarter, a value within one bit of ours:
4 × 17 indexed equality lookups; the exact distance is then checked.

Descriptions. A description is cut into overlapping runs of five words
(shingles); its MinHash signature estimates the share of shingles two
descriptions have in common, and its LSH bands (`DescriptionBand`, indexed)
make two descriptions candidates when any band is equal. Candidates are
confirmed on their actual shingles (`TEXT_SIMILARITY`). Descriptions shorter
than `MIN_WORDS` (60) are not compared: short plain descriptions ("a ring in
sterling silver, polished") are alike by nature, while copied listings copy
whole paragraphs. The demo's templated descriptions stay below it (a test of
the seed says so), so the demo catalog does not flag itself.

Only pieces of different makers flag each other, and photos the site supplied
itself (`PieceImage.is_stock`, the demo's drawings) are never compared.

Part of the trust room: the signals call `photo_check` and `description_check` on every save, the
`scan_copies` command rescans, the demo plants copies.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import imagehash
import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from PIL import Image, ImageOps, ImageStat

from catalog.choices import CopyKind

PHOTO_DISTANCE = 7
CROPS = (25, 50)  # the centre crops also hashed: per mille cut from each side (2.5 % and 5 %)
FLAT_STDDEV = 2.0
CHUNKS = 4
CHUNK_BITS = 16
CHUNK_MASK = (1 << CHUNK_BITS) - 1

SHINGLE_WORDS = 5
MIN_WORDS = 60
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
TEXT_SIMILARITY = 0.8


# --- Photos -----------------------------------------------------------------------------


def photo_hashes(file) -> dict[int, int] | None:
    """
    The photo's pHash and those of its centre crops, as signed 64-bit integers
    (what a BigIntegerField holds): {per mille cut from each side: hash}, 0 being the whole photo.

    None for a picture of one flat colour: it shows nothing that could be copied,
    and all such pictures would hash alike.
    """
    file.seek(0)
    with Image.open(file) as image:
        image.draft("L", (256, 256))  # JPEG decodes at a fraction of its size: the hash needs 32 × 32
        grey = ImageOps.exif_transpose(image).convert("L")
    if ImageStat.Stat(grey).stddev[0] < FLAT_STDDEV:
        return None
    return {crop: _phash(_centre(grey, crop)) for crop in (0, *CROPS)}


def photo_hash(file) -> int | None:
    """The whole photo's pHash (see `photo_hashes`)."""
    hashes = photo_hashes(file)
    return hashes[0] if hashes else None


def _centre(grey, crop):
    dx, dy = round(grey.width * crop / 1000), round(grey.height * crop / 1000)
    return grey.crop((dx, dy, grey.width - dx, grey.height - dy)) if crop else grey


def _phash(grey) -> int:
    bits = imagehash.phash(grey).hash.flatten()
    unsigned = int("".join("1" if bit else "0" for bit in bits), 2)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def chunks(value: int) -> list[int]:
    """The four 16-bit quarters of a hash, as stored in `phash_0` … `phash_3`."""
    unsigned = value & ((1 << 64) - 1)
    return [(unsigned >> (CHUNK_BITS * i)) & CHUNK_MASK for i in range(CHUNKS)]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def _within_one_bit(value: int) -> list[int]:
    return [value, *(value ^ (1 << bit) for bit in range(CHUNK_BITS))]


def hash_fields(value: int | None) -> dict:
    """The model fields a hash is stored in."""
    quarters = chunks(value) if value is not None else [None] * CHUNKS
    return {"phash": value, **{f"phash_{i}": quarter for i, quarter in enumerate(quarters)}}


def near_photos_condition(value: int) -> Q:
    """The candidates' condition: some quarter within one bit of the hash's (indexed IN lookups)."""
    condition = Q()
    for i, quarter in enumerate(chunks(value)):
        condition |= Q(**{f"phash_{i}__in": _within_one_bit(quarter)})
    return condition


@dataclass(frozen=True)
class Photo:
    piece_id: int
    artisan_id: int
    phash: int
    is_crop: bool = False  # the hash of one of the photo's centre crops


class PhotoIndex:
    """
    The same multi-index in memory, for the rescan of the whole catalog, as arrays: for each
    quarter and each of its 17 values within one bit, the photos whose quarter has that value are
    found by a sorted search (numpy), and only those candidates' exact distances are computed.
    """

    def __init__(self, photos: Iterable[Photo]):
        self.photos = list(photos)
        self.hashes = np.array([photo.phash for photo in self.photos], dtype=np.int64).view(np.uint64)
        self.artisans = np.array([photo.artisan_id for photo in self.photos], dtype=np.int64)
        self.crops = np.array([photo.is_crop for photo in self.photos], dtype=bool)

    def pairs(self):
        """
        Every (photo, photo, distance) of two makers within PHOTO_DISTANCE, each pair once: a whole
        photo with a whole photo, or with a crop of the other (a crop with a crop proves nothing more).
        """
        found = {}
        for i in range(CHUNKS):
            quarters = ((self.hashes >> np.uint64(CHUNK_BITS * i)) & np.uint64(CHUNK_MASK)).astype(np.int64)
            order = np.argsort(quarters, kind="stable")
            ordered = quarters[order]
            for flip in (0, *(1 << bit for bit in range(CHUNK_BITS))):
                wanted = quarters ^ flip
                start = np.searchsorted(ordered, wanted, "left")
                counts = np.searchsorted(ordered, wanted, "right") - start
                total = int(counts.sum())
                if not total:
                    continue
                a = np.repeat(np.arange(len(quarters)), counts)
                b = order[np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(start, counts)]
                keep = (a < b) & (self.artisans[a] != self.artisans[b]) & ~(self.crops[a] & self.crops[b])
                a, b = a[keep], b[keep]
                gaps = np.bitwise_count(self.hashes[a] ^ self.hashes[b])
                near = gaps <= PHOTO_DISTANCE
                for x, y, gap in zip(a[near].tolist(), b[near].tolist(), gaps[near].tolist(), strict=True):
                    found[x, y] = gap
        for (x, y), gap in found.items():
            yield self.photos[x], self.photos[y], gap


# --- Descriptions -----------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PRIME = np.uint64((1 << 31) - 1)
_rng = np.random.default_rng(20261127)  # fixed: stored bands must stay comparable across runs
_A = _rng.integers(1, _PRIME, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=PERMUTATIONS, dtype=np.uint64)


def shingles(text: str) -> set[int]:
    """The description's runs of five words, hashed; empty when it is shorter than MIN_WORDS."""
    words = WORD.findall(text.lower())
    if len(words) < MIN_WORDS:
        return set()
    return {
        int.from_bytes(hashlib.blake2b(" ".join(words[i : i + SHINGLE_WORDS]).encode(), digest_size=4).digest())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def similarity(a: set[int], b: set[int]) -> float:
    """The Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def bands(shingle_set: set[int]) -> list[int]:
    """The MinHash signature's LSH bands as signed 64-bit integers, one per band."""
    if not shingle_set:
        return []
    values = np.fromiter(shingle_set, dtype=np.uint64) % _PRIME
    # (a·x + b) mod p per permutation; a, x < 2^31 so the product fits in 64 bits.
    products = (_A[:, None] * values[None, :] + _B[:, None]) % _PRIME
    signature = products.min(axis=1)
    result = []
    for band in range(BANDS):
        digest = hashlib.blake2b(signature[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8).digest()
        result.append(int.from_bytes(digest, signed=True))
    return result


# --- Checking one piece (at upload or save) ---------------------------------------------


def photo_check(image) -> int:
    """
    Hash a stored photo and its centre crops, and flag its piece with other makers' pieces showing
    the same picture: the same photo, a crop of ours, or ours a crop of theirs.

    Returns how many pieces it was matched with. Costs a few indexed queries
    whatever the size of the catalog.
    """
    from catalog.models import PhotoCropHash, PieceImage
    from catalog.trust.services import pieces_flag

    if image.is_stock or not image.image:
        return 0
    with image.image.open("rb") as stored:
        hashes = photo_hashes(stored)
    value = hashes[0] if hashes else None
    with transaction.atomic():
        PieceImage.objects.filter(pk=image.pk).update(**hash_fields(value))
        crop_hashes_store([image.pk], hashes)
    for name, field_value in hash_fields(value).items():
        setattr(image, name, field_value)
    if value is None:
        return 0
    artisan_id = image.piece.artisan_id
    ours = [hashes[crop] for crop in CROPS]
    matches = {}

    def match(piece_id, other_hash, against):
        gap = min(distance(other_hash, own) for own in against)
        if gap <= PHOTO_DISTANCE:
            matches[piece_id] = min(gap, matches.get(piece_id, gap))

    # Their photo is ours, or a crop of ours…
    condition = near_photos_condition(value)
    for own in ours:
        condition |= near_photos_condition(own)
    for piece_id, other_hash in (
        PieceImage.objects.filter(condition, is_stock=False)
        .exclude(piece__artisan_id=artisan_id)
        .values_list("piece_id", "phash")
    ):
        match(piece_id, other_hash, [value, *ours])
    # … or ours is a crop of theirs.
    for piece_id, other_hash in (
        PhotoCropHash.objects.filter(near_photos_condition(value), image__is_stock=False)
        .exclude(image__piece__artisan_id=artisan_id)
        .values_list("image__piece_id", "phash")
    ):
        match(piece_id, other_hash, [value])
    return pieces_flag(piece_id=image.piece_id, matches=matches, kind=CopyKind.PHOTO) if matches else 0


def crop_hashes_store(image_ids: list[int], hashes: dict[int, int] | None) -> None:
    """Replace the crops' hashes of these photos (which show the same file)."""
    from catalog.models import PhotoCropHash

    PhotoCropHash.objects.filter(image_id__in=image_ids).delete()
    if hashes:
        PhotoCropHash.objects.bulk_create(
            [
                PhotoCropHash(image_id=image_id, crop=crop, **hash_fields(hashes[crop]))
                for image_id in image_ids
                for crop in CROPS
            ]
        )


@transaction.atomic
def description_check(piece) -> int:
    """Store the description's bands and flag other makers' pieces with a near-identical description."""
    from catalog.models import DescriptionBand, Piece
    from catalog.trust.services import pieces_flag

    own = shingles(piece.description)
    values = bands(own)
    DescriptionBand.objects.filter(piece=piece).delete()
    DescriptionBand.objects.bulk_create(
        [DescriptionBand(piece=piece, band=band, value=value) for band, value in enumerate(values)]
    )
    if not values:
        return 0
    condition = Q()
    for band, value in enumerate(values):
        condition |= Q(band=band, value=value)
    candidate_ids = (
        DescriptionBand.objects.filter(condition).exclude(piece=piece).values_list("piece_id", flat=True).distinct()
    )
    candidates = Piece.objects.filter(pk__in=list(candidate_ids)).exclude(artisan_id=piece.artisan_id)
    matches = {}
    for other_id, text in candidates.values_list("pk", "description"):
        score = similarity(own, shingles(text))
        if score >= TEXT_SIMILARITY:
            matches[other_id] = round(100 * score)
    return pieces_flag(piece_id=piece.pk, matches=matches, kind=CopyKind.TEXT) if matches else 0


# --- Rescanning the whole catalog -----------------------------------------------------------


@dataclass
class ScanSummary:
    hashed_files: int = 0
    photos: int = 0
    photo_pairs: int = 0
    descriptions: int = 0
    text_pairs: int = 0
    new_pairs: int = 0

    def line(self):
        return (
            f"Hashed {self.hashed_files:,} new photo files; compared {self.photos:,} photos "
            f"({self.photo_pairs:,} matching pairs) and {self.descriptions:,} descriptions "
            f"({self.text_pairs:,} matching pairs); {self.new_pairs:,} pairs newly flagged."
        )


def hash_missing_photos(*, batch=2000) -> int:
    """
    Hash every photo not hashed yet (or whose crops are not), each distinct
    stored file once (the demo shares one file among many pieces); returns how many files were read.
    """
    from django.core.files.storage import default_storage

    from catalog.models import PieceImage

    photos = PieceImage.objects.filter(is_stock=False)
    names = list(
        photos.filter(Q(phash__isnull=True) | Q(crop_hashes__isnull=True))
        .order_by()
        .values_list("image", flat=True)
        .distinct()
    )
    for start in range(0, len(names), batch):
        with transaction.atomic():
            for name in names[start : start + batch]:
                try:
                    with default_storage.open(name, "rb") as stored:
                        hashes = photo_hashes(stored)
                except (OSError, ValueError, SyntaxError):
                    continue  # a file missing from storage, or unreadable: nothing to compare
                if hashes is not None:
                    same_file = photos.filter(image=name)
                    same_file.update(**hash_fields(hashes[0]))
                    crop_hashes_store(list(same_file.values_list("pk", flat=True)), hashes)
    return len(names)


def scan_photos(summary: ScanSummary) -> None:
    from catalog.models import PhotoCropHash, PieceImage
    from catalog.trust.services import copy_pairs_flag

    photos = PieceImage.objects.filter(phash__isnull=False, is_stock=False).values_list(
        "piece_id", "piece__artisan_id", "phash"
    )
    crops = PhotoCropHash.objects.filter(image__is_stock=False).values_list(
        "image__piece_id", "image__piece__artisan_id", "phash"
    )
    index = PhotoIndex(
        [
            *(Photo(*row) for row in photos.iterator(chunk_size=5000)),
            *(Photo(*row, is_crop=True) for row in crops.iterator(chunk_size=5000)),
        ]
    )
    summary.photos = sum(not photo.is_crop for photo in index.photos)
    pairs = {}
    for photo, other, gap in index.pairs():
        key = (min(photo.piece_id, other.piece_id), max(photo.piece_id, other.piece_id))
        pairs[key] = min(gap, pairs.get(key, gap))
    summary.photo_pairs = len(pairs)
    summary.new_pairs += copy_pairs_flag(pairs, kind=CopyKind.PHOTO)


def _bands_insert(rows: list[tuple[int, int, int]]) -> None:
    """
    Insert (piece, band, value) rows: by COPY on PostgreSQL, else many rows to a
    statement. A model instance per row (bulk_create), a statement per row
    (executemany) or parsing a statement of 15,000 parameters cost more than the rows.
    """
    from catalog.models import DescriptionBand

    quote = connection.ops.quote_name
    fields = [DescriptionBand._meta.get_field(name) for name in ("piece", "band", "value")]
    table = f"{quote(DescriptionBand._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        size = connection.ops.bulk_batch_size(fields, rows) or len(rows)
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} VALUES " + ", ".join(["(%s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )


def _shared_bands() -> dict[tuple[int, int], list[tuple[int, int]]]:
    """The bands two or more descriptions share, found through the bands' index: {(band, value): [(piece, maker)]}."""
    from catalog.models import DescriptionBand

    others = DescriptionBand.objects.filter(band=OuterRef("band"), value=OuterRef("value")).exclude(
        piece__artisan_id=OuterRef("piece__artisan_id")
    )
    groups = defaultdict(list)
    for band, value, piece_id, artisan_id in (
        DescriptionBand.objects.filter(Exists(others))
        .order_by()
        .values_list("band", "value", "piece_id", "piece__artisan_id")
        .iterator(chunk_size=5000)
    ):
        groups[band, value].append((piece_id, artisan_id))
    return groups


def scan_descriptions(summary: ScanSummary, *, batch=5000) -> None:
    """
    Rebuild the description bands of every piece, then compare the candidates that share a band.

    Only the bands go to the database; the candidates (descriptions of two
    makers sharing a band) are found there through its index, and only their
    shingles are computed again: the catalog's shingle sets are never all in memory.
    """
    from catalog.models import DescriptionBand, Piece
    from catalog.trust.services import copy_pairs_flag

    with transaction.atomic():
        DescriptionBand.objects.all().delete()
        rows = []
        for piece_id, text in Piece.objects.order_by().values_list("pk", "description").iterator(chunk_size=batch):
            values = bands(shingles(text))
            summary.descriptions += bool(values)
            rows += [(piece_id, band, value) for band, value in enumerate(values)]
            if len(rows) >= batch:
                _bands_insert(rows)
                rows = []
        _bands_insert(rows)
    candidates = set()
    for members in _shared_bands().values():
        for (piece_id, artisan_id), (other_id, other_artisan_id) in combinations(members, 2):
            if artisan_id != other_artisan_id:
                candidates.add((min(piece_id, other_id), max(piece_id, other_id)))
    texts = _descriptions_of({pk for pair in candidates for pk in pair})
    pairs = {}
    for key in candidates:
        score = similarity(texts[key[0]], texts[key[1]])
        if score >= TEXT_SIMILARITY:
            pairs[key] = round(100 * score)
    summary.text_pairs = len(pairs)
    summary.new_pairs += copy_pairs_flag(pairs, kind=CopyKind.TEXT)


def _descriptions_of(piece_ids: set[int], *, batch=900) -> dict[int, set[int]]:
    """The shingles of these pieces' descriptions (fetched in chunks that every database accepts)."""
    from catalog.models import Piece

    ids = sorted(piece_ids)
    return {
        pk: shingles(text)
        for start in range(0, len(ids), batch)
        for pk, text in Piece.objects.filter(pk__in=ids[start : start + batch]).values_list("pk", "description")
    }


def scan_catalog() -> ScanSummary:
    """Hash what is missing, then find every photo and description shared by two makers; flag the new pairs."""
    summary = ScanSummary()
    summary.hashed_files = hash_missing_photos()
    scan_photos(summary)
    scan_descriptions(summary)
    return summary
