"""
Copy detection at catalog scale: `manage.py scan_copies` over 100,000 pieces,
and the check an upload or a save runs against that catalog.

    DATABASE_URL=postgres://... .venv/bin/python bench/copy_scan.py [--pieces 100000] [--out FILE]

Builds a throwaway database (Django's test database: `test_<name>`, created,
migrated and dropped; the named database is never touched), fills it with
makers and pieces in bulk, each piece with one photo hash and a description of
its own (and the hashes of its two centre crops), and plants copies: photos
whose hash is another maker's with up to 6 bits changed (what re-encoding,
resizing, a crop or recolouring did to real drawings, see catalog.trust.copies) and
descriptions with a few words changed.
The photos of the catalog are hashes, not files: decoding 100,000 images
measures Pillow, not the index; the upload check below hashes real drawings.

Reports the time of each phase, whether every planted copy was found and
nothing else, and the upload and save checks' times (median and worst of 20).
Run by `make bench-copies`, which writes bench/results/copy-scan-<date>.md.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from artisans.models import Artisan  # noqa: E402
from catalog import copies  # noqa: E402
from catalog.models import Category, CopyFlag, PhotoCropHash, Piece, PieceImage  # noqa: E402
from catalog.tests.drawings import drawing, encoded, resized  # noqa: E402

PIECES_PER_MAKER = 50
PLANTED = 200
SAMPLES = 20
WORDS = [f"w{n}" for n in range(5000)]


def description(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 90)))


def altered(text, rng):
    """A copied description: one word swapped out (the maker's name, say), as a copier would."""
    words = text.split()
    words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def nudged(value, rng, low=0, high=6):
    """A copied photo's hash: up to six bits away from the original's (or between `low` and `high`)."""
    unsigned = value & ((1 << 64) - 1)
    for bit in rng.sample(range(64), rng.randint(low, high)):
        unsigned ^= 1 << bit
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def random_hash(rng):
    return rng.getrandbits(64) - (1 << 63)


def build(pieces_count, rng):
    makers = max(2, pieces_count // PIECES_PER_MAKER)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{n}", email=f"bench{n}@example.com") for n in range(makers)]
    )
    artisans = Artisan.objects.bulk_create(
        [Artisan(user=user, name=f"Maker {n}", slug=f"maker-{n}", status="approved") for n, user in enumerate(users)]
    )
    category = Category.objects.create(name="Rings", slug="rings")
    originals = rng.sample(range(pieces_count - PLANTED), PLANTED)
    planted = {pieces_count - PLANTED + i: original for i, original in enumerate(originals)}
    hashes, texts, owners = [], [], []
    for index in range(pieces_count):
        if index in planted:
            source = planted[index]
            hashes.append(nudged(hashes[source], rng))
            texts.append(altered(texts[source], rng))
            owners.append(artisans[(owners_index(source, makers) + 1) % makers])
        else:
            hashes.append(random_hash(rng))
            texts.append(description(rng))
            owners.append(artisans[owners_index(index, makers)])
    pieces = Piece.objects.bulk_create(
        [
            Piece(
                artisan=owners[i],
                title=f"Piece {i}",
                slug=f"piece-{i}",
                category=category,
                description=texts[i],
                production_method="handcrafted",
                availability="one_of_a_kind",
                price=100,
                status="published",
            )
            for i in range(pieces_count)
        ],
        batch_size=5000,
    )
    images = PieceImage.objects.bulk_create(
        [
            PieceImage(
                piece=piece,
                image=f"pieces/bench/{i}.jpg",
                width=600,
                height=750,
                alt_text="A ring",
                **copies.hash_fields(hashes[i]),
            )
            for i, piece in enumerate(pieces)
        ],
        batch_size=5000,
    )
    # Each photo's centre crops hash 4 to 12 bits away from the whole photo, as on the drawings.
    PhotoCropHash.objects.bulk_create(
        [
            PhotoCropHash(image=image, crop=crop, **copies.hash_fields(nudged(hashes[i], rng, 4 * n, 6 * n)))
            for i, image in enumerate(images)
            for n, crop in enumerate(copies.CROPS, start=1)
        ],
        batch_size=5000,
    )
    expected = {tuple(sorted((pieces[i].pk, pieces[source].pk))) for i, source in planted.items()}
    return pieces, expected


def owners_index(index, makers):
    return index % makers


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def checks_at_upload(pieces, rng):
    """
    Store SAMPLES real photos (half of them copies of an earlier one) through the model, as an upload does;
    returns the time of each whole save (storing, renditions, the check) and of the check alone.
    """
    saves, checks = [], []
    first = PieceImage(piece=pieces[0], image=ContentFile(encoded(drawing(0)), name="x.jpg"), alt_text="A ring")
    first.save()
    for n in range(SAMPLES):
        picture = resized(drawing(0)) if n % 2 else drawing(1000 + n)
        piece = pieces[rng.randrange(1, len(pieces))]
        image = PieceImage(piece=piece, image=ContentFile(encoded(picture), name="x.jpg"), alt_text="A ring")
        saves.append(timed(image.save)[1])
        checks.append(timed(lambda image=image: copies.photo_check(image))[1])
    return saves, checks


def checks_at_save(pieces, rng):
    durations = []
    for _ in range(SAMPLES):
        piece = pieces[rng.randrange(len(pieces))]
        piece.description = description(rng)
        _, seconds = timed(piece.save)
        durations.append(seconds)
    return durations


def profile_write(profiler, path):
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue())


def load_average():
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, help="Also write the results as Markdown to this file.")
    parser.add_argument("--profile", type=Path, help="Profile the scan (cProfile) and write its top functions here.")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    setup_test_environment()
    settings.MEDIA_ROOT = Path(os.environ.get("BENCH_MEDIA_ROOT", "/tmp/atelier-bench-copies-media"))
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        (pieces, expected), build_seconds = timed(lambda: build(args.pieces, rng))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        summary = copies.ScanSummary()
        load_before = load_average()
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        with CaptureQueriesContext(connection) as photo_queries:
            _, photo_seconds = timed(lambda: copies.scan_photos(summary))
        with CaptureQueriesContext(connection) as text_queries:
            _, text_seconds = timed(lambda: copies.scan_descriptions(summary))
        load_after = load_average()
        if profiler:
            profiler.disable()
            profile_write(profiler, args.profile)
        found_photos = {tuple(sorted(p)) for p in CopyFlag.objects.filter(kind="photo").values_list("piece", "other")}
        found_texts = {tuple(sorted(p)) for p in CopyFlag.objects.filter(kind="text").values_list("piece", "other")}
        uploads, upload_checks = checks_at_upload(pieces, rng)
        saves = checks_at_save(pieces, rng)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    lines = [
        f"# Copy detection at {args.pieces:,} pieces",
        "",
        f"Database: {connection.vendor}; {args.pieces:,} pieces of {max(2, args.pieces // PIECES_PER_MAKER):,} "
        f"makers, one photo hash and one description (60–90 words) each, {PLANTED} planted copies.",
        f"Machine: {os.cpu_count()} cores (shared), load average {load_before} before the scan, {load_after} after."
        f" Built in {build_seconds:.1f} s (not part of the scan).",
        "",
        "| phase | time | result |",
        "|---|---|---|",
        f"| photos (and their crops): in-memory quarter index, exact distances | {photo_seconds:.1f} s | "
        f"{len(found_photos & expected)}/{len(expected)} planted found, {len(found_photos - expected)} others;"
        f" {len(photo_queries)} queries |",
        f"| descriptions: shingles, MinHash bands, Jaccard | {text_seconds:.1f} s | "
        f"{len(found_texts & expected)}/{len(expected)} planted found, {len(found_texts - expected)} others;"
        f" {len(text_queries)} queries |",
        f"| whole scan | {photo_seconds + text_seconds:.1f} s | |",
        f"| an upload: storing, renditions and the check | median {ms(statistics.median(uploads))},"
        f" worst {ms(max(uploads))} | {SAMPLES} real 600×750 JPEGs, half of them copies |",
        f"| the check alone: hash, indexed lookup | median {ms(statistics.median(upload_checks))},"
        f" worst {ms(max(upload_checks))} | the same photos |",
        f"| description check at save | median {ms(statistics.median(saves))}, worst {ms(max(saves))} "
        f"| {SAMPLES} saves |",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)


if __name__ == "__main__":
    main()
