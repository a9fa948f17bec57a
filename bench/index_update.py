"""
The listing's index after a write, at catalog scale (`make bench-index`): how
long the full build takes, how long the update takes that reads again 1 or 50
changed pieces, and how long a change to everything leaves the previous
index answering while a background thread rebuilds it.

    python -m bench.index_update [--size 100000] [--database-url URL] [--runs 15] [--out FILE]

Uses the bench database of `--size` pieces (bench/database.py, built when
missing), or the one at `--database-url`. The writes (prices, production
methods, materials, requests of random published pieces, saved through the
models so that the signals log them as in production) are made in a
transaction rolled back at the end: the database is left as it was. The
cache is Redis (CACHE_URL, by default the bench's database 4): the version
and the change log live there as in production. At the end the updated index
is compared with one built from scratch, which must be equal.
"""

import argparse
import datetime
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def milliseconds(seconds):
    return f"{seconds * 1000:.1f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=15, help="Updates measured for each number of pieces.")
    parser.add_argument("--out", default="", help="Also write the report to this file.")
    args = parser.parse_args(argv)

    if not args.database_url:
        from bench import database

        args.database_url = database.prepare(args.size)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from catalog.choices import ProductionMethod
    from catalog.listing import index as piece_index
    from catalog.listing.index import PieceIndex, current_index, wait_for_rebuild
    from catalog.models import Material, PersonalizationRequest, Piece, PieceMaterial
    from catalog.versions import bump_catalog_version, catalog_version

    rng = random.Random(7)
    lines = []

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    published = Piece.objects.published().count()
    say(f"# The listing's index after a write, {datetime.date.today()}")
    say()
    say(
        f"{published:,} published pieces ({Piece.objects.count():,} in all); {os.cpu_count()} cores, "
        f"PostgreSQL {postgres}, Python {platform.python_version()}; load average at the start: {load()}."
    )
    say()

    # 1. The full build, twice (the second with PostgreSQL's cache warm).
    builds = []
    for _ in range(2):
        started = time.perf_counter()
        index = PieceIndex.build(catalog_version(), database=connection.settings_dict["NAME"])
        builds.append(time.perf_counter() - started)
    piece_index._current = index

    # 2. A change to everything: the previous index answers while a thread rebuilds.
    bump_catalog_version()
    changed_at = time.perf_counter()
    stale = current_index()
    first_answer = time.perf_counter() - changed_at
    assert stale.behind_since is not None, "a change to everything is rebuilt in the background at this size"
    answers = []
    while not wait_for_rebuild(0.05):
        started = time.perf_counter()
        current_index()
        answers.append(time.perf_counter() - started)
    rebuilt = current_index()
    window = time.perf_counter() - changed_at
    assert rebuilt.behind_since is None and rebuilt.version == catalog_version()

    # 3. Writes to 1 and to 50 pieces, each followed by the request that brings the index up to date.
    ids = list(rebuilt.universe)
    metals = list(Material.objects.filter(kind="metal"))
    updates = {1: [], 50: []}
    with transaction.atomic():
        shopper = get_user_model().objects.create_user(username=f"index-bench-{time.time_ns()}")
        for count in [1, 50] * args.runs:
            for piece in Piece.objects.filter(pk__in=rng.sample(ids, count)):
                write = rng.choice(["price", "method", "material", "request"])
                if write == "price":
                    piece.price += Decimal(rng.randint(1, 500))
                    piece.save(update_fields=["price"])
                elif write == "method":
                    piece.production_method = rng.choice(list(ProductionMethod))
                    piece.save(update_fields=["production_method"])
                elif write == "material":
                    PieceMaterial.objects.create(piece=piece, material=rng.choice(metals), recycled=True)
                else:
                    PersonalizationRequest.objects.create(
                        shopper=shopper, artisan_id=piece.artisan_id, piece=piece, kinds=["sizing"], size="52"
                    )
            started = time.perf_counter()
            updated = current_index()
            updates[count].append(time.perf_counter() - started)
            assert updated.behind_since is None
        fresh = PieceIndex.build()
        equal = _said(updated) == _said(fresh)
        transaction.set_rollback(True)
    piece_index._current = None  # it holds the rolled-back writes

    say("| Measure | Time |")
    say("|---|---|")
    say(f"| Full build of the index | {builds[0]:.1f} s, then {builds[1]:.1f} s |")
    for count, times in updates.items():
        say(
            f"| Update after a write to {count} piece{'s' if count > 1 else ''} "
            f"(median of {len(times)}; slowest) | {milliseconds(statistics.median(times))}; "
            f"{milliseconds(max(times))} |"
        )
    say(
        f"| Change to everything: the first request answers from the previous index in | {milliseconds(first_answer)} |"
    )
    if answers:
        say(
            f"| Requests during the background rebuild ({len(answers)}; median, slowest) | "
            f"{milliseconds(statistics.median(answers))}; {milliseconds(max(answers))} |"
        )
    say(f"| Stale window of a change to everything (until the rebuilt index is installed) | {window:.1f} s |")
    say()
    say(
        f"The updated index equals one built from scratch: {'yes' if equal else 'NO'}. "
        f"Load average at the end: {load()}."
    )
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 0 if equal else 1


def _said(index):
    return (
        list(index.universe),
        {
            name: {key: list(bitmap) for key, bitmap in options.items() if bitmap}
            for name, options in index.options.items()
        },
        list(index.by_price.ids),
        list(index.newest.ids),
    )


if __name__ == "__main__":
    sys.exit(main())
