"""
The alerts of saved searches at scale (`make bench-alerts`): one `send_alerts` run over 100,000
saved searches of 20,000 shoppers, with 1,000 pieces published since their last digest.

    python -m bench.alerts [--pieces 10000] [--new 1000] [--searches 100000] [--shoppers 20000]
                           [--reuse] [--profile FILE] [--out FILE]

Builds a throwaway PostgreSQL database, `atelier_bench_alerts` (dropped and created again, unless
`--reuse` finds it seeded), with `seed_demo --pieces N`; every published piece is moved to a month
ago, then `--new` of them to the last 20 hours (the pieces of this run). The shoppers and their
searches are made in bulk, every run: queries drawn from the demo's vocabulary (one to three
facets, a fifth with words in `q`, a quarter with a price range, a few with a delivery time),
popular ones far more often than others (many shoppers save the same search), each stored as the
listing's canonical query (`listing_to_save`, what the listing's button saves); 65 % weekly and
30 % daily, all due, 5 % never.

The run itself is measured in a fresh process (so its peak memory is its own, not the seed's), as
cron starts it: the listing's index is built first (timed apart), then `alerts_send()`, then a
second run at once (nothing due: the idempotent case). Emails go to the outbox only
(OUTBOX_DELIVER=worker): what is measured is the command, not a mail server.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
NAME = "atelier_bench_alerts"
# Written as the database's comment once the seed is complete: `--reuse` trusts only such a database.
MARKER = "alerts-bench-seeded"


def psql(sql, database="postgres"):
    return subprocess.run(
        ["psql", f"{SERVER}/{database}", "-qAtc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def environment():
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    # The cache of the worker's own memory: the run needs the catalog's version only, and the bench
    # must not clear a Redis database another bench reads.
    os.environ["CACHE_URL"] = "locmemcache://"
    os.environ["OUTBOX_DELIVER"] = "worker"


def setup():
    environment()
    import django

    django.setup()


# --- Building the data ------------------------------------------------------------------------


def build(args, log):
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{NAME}'") == "1"
    seeded = exists and args.reuse and _seeded()
    timings = {}
    if not seeded:
        if exists:
            psql(f"DROP DATABASE {NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {NAME}")
    setup()
    from django.core.management import call_command

    if not seeded:
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", pieces=args.pieces, seed=2026, stdout=log, stderr=log)
        psql(f"COMMENT ON DATABASE {NAME} IS '{MARKER}'")
        timings["seed"] = time.monotonic() - started
        log.write(f"seeded {args.pieces:,} pieces in {timings['seed']:.0f} s\n")
    started = time.monotonic()
    facts = _searches(args, log)
    timings["searches"] = time.monotonic() - started
    psql("VACUUM ANALYZE", database=NAME)
    return facts, timings


def _seeded():
    return psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{NAME}'") == MARKER


def _searches(args, log):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog.choices import PieceStatus
    from catalog.listing import option_choices
    from catalog.models import OutboxEmail, Piece
    from catalog.models.shoppers import AlertFrequency, SavedSearch
    from catalog.shoppers.searches import listing_to_save

    rng = random.Random(2026)
    now = timezone.now()
    User = get_user_model()
    with transaction.atomic():
        OutboxEmail.objects.all().delete()
        SavedSearch.objects.all().delete()
        User.objects.filter(username__startswith="alertbench").delete()
        published = list(Piece.objects.published().order_by("pk").values_list("pk", flat=True))
        new = rng.sample(published, min(args.new, len(published)))
        with connection.cursor() as cursor:
            # Everything a month old (spread over a few hours), then the new pieces in the last 20 hours.
            cursor.execute(
                "UPDATE catalog_piece SET published_at = %s - (id %% 5000) * interval '1 second' WHERE status = %s",
                [now - datetime.timedelta(days=30), PieceStatus.PUBLISHED],
            )
            cursor.execute(
                "UPDATE catalog_piece SET published_at = %s - (random() * interval '20 hours') WHERE id = ANY(%s)",
                [now - datetime.timedelta(minutes=5), new],
            )
    log.write(f"{len(published):,} published pieces, {len(new):,} of them new\n")

    vocabulary = {
        name: [value for value, _ in option_choices(name)]
        for name in ("method", "category", "metal", "gemstone", "pearl", "availability", "workshop", "technique")
    }
    flags = ["recycled", "solid", "personalizable", "untreated", "fair_labor", "traditional", "by_hand"]
    words = [
        "silver",
        "gold",
        "ring",
        "pearl",
        "filigree",
        "hoop",
        "band",
        "pendant",
        "garnet",
        "forged",
        "hammered",
        "moonstone",
        "studs",
        "cuff",
        "signet",
        "bangle",
        "vintage",
        "minimal",
        "engraved",
    ]
    prices = [("", "150"), ("100", "400"), ("300", "1000"), ("1000", ""), ("", "80"), ("50", "250")]

    def query():
        pairs = []
        for name in rng.sample(list(vocabulary), rng.choice([1, 1, 2, 2, 2, 3])):
            for value in rng.sample(vocabulary[name], rng.choice([1, 1, 1, 2])):
                pairs.append(f"{name}={value}")
        if rng.random() < 0.2:
            pairs.append(f"{rng.choice(flags)}=1")
        if rng.random() < 0.2:
            pairs.append("q=" + "+".join(rng.sample(words, rng.choice([1, 1, 2]))))
        if rng.random() < 0.25:
            low, high = rng.choice(prices)
            pairs += [f"price_min={low}"] if low else []
            pairs += [f"price_max={high}"] if high else []
        if rng.random() < 0.04:
            pairs.append(f"ships_within={rng.choice([7, 14, 30])}")
        return "&".join(pairs)

    # A pool of searches, the popular ones saved by many shoppers: Zipf-like weights.
    pool, canonical = [query() for _ in range(args.searches // 12)], {}
    for raw in pool:
        canonical.setdefault(raw, listing_to_save(raw))
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(pool))]

    users = User.objects.bulk_create(
        [
            User(username=f"alertbench{n}", email=f"shopper{n}@bench.example", password="!")
            for n in range(args.shoppers)
        ],
        batch_size=5000,
    )
    per_shopper = [1] * args.shoppers
    for _ in range(args.searches - args.shoppers):
        per_shopper[rng.randrange(args.shoppers)] += 1
    rows, frequencies = [], {"weekly": 0, "daily": 0, "never": 0}
    for user, count in zip(users, per_shopper, strict=True):
        mine = {}
        while len(mine) < count:
            to_save = canonical[rng.choices(pool, weights)[0]]
            mine.setdefault(to_save.query, to_save)
        for to_save in mine.values():
            draw = rng.random()
            frequency = (
                AlertFrequency.WEEKLY if draw < 0.65 else AlertFrequency.DAILY if draw < 0.95 else AlertFrequency.NEVER
            )
            frequencies[str(frequency)] += 1
            since = (
                datetime.timedelta(days=7, hours=1)
                if frequency == AlertFrequency.WEEKLY
                else datetime.timedelta(hours=25)
            )
            rows.append(
                SavedSearch(
                    shopper=user,
                    query=to_save.query,
                    name=to_save.title,
                    frequency=frequency,
                    alerted_until=now - since,
                    created_at=now - datetime.timedelta(days=30),
                )
            )
    SavedSearch.objects.bulk_create(rows, batch_size=5000)
    distinct = len({row.query for row in rows})
    with_q = sum(1 for row in rows if "q=" in row.query)
    log.write(f"{len(rows):,} saved searches of {len(users):,} shoppers, {distinct:,} distinct\n")
    return {
        "published": len(published),
        "new": len(new),
        "searches": len(rows),
        "shoppers": len(users),
        "distinct": distinct,
        "with_q": with_q,
        "frequencies": frequencies,
    }


# --- The measured run (a process of its own) ----------------------------------------------------


def measure(profile_path=""):
    """Run in a fresh process: the index's build, `alerts_send()`, then a second run. JSON on stdout."""
    setup()
    from catalog.listing import current_index
    from catalog.models import OutboxEmail
    from catalog.shoppers.alerts import alerts_send

    before = _peak_mb()
    started = time.monotonic()
    index = current_index()
    built = time.monotonic() - started
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    run_started = time.monotonic()
    run = alerts_send()
    ran = time.monotonic() - run_started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_path)
    again_started = time.monotonic()
    again = alerts_send()
    again_ran = time.monotonic() - again_started
    peak = _peak_mb()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "index_pieces": len(index.universe),
                "index_build_s": built,
                "run_s": ran,
                "total_s": built + ran,
                "peak_mb_after_setup": before,
                "peak_mb": peak,
                "maxrss_mb": maxrss,
                "due": run.due,
                "new_pieces": run.new_pieces,
                "queries": run.queries,
                "shoppers": run.shoppers,
                "searches": run.searches,
                "matched": run.matched,
                "emails": run.emails,
                "failed": len(run.failed),
                "outbox_rows": OutboxEmail.objects.count(),
                "second_run_s": again_ran,
                "second_run_due": again.due,
                "second_run_emails": again.emails,
            }
        )
    )


def _peak_mb():
    """
    This process's peak resident memory in MB: VmHWM, what getrusage's ru_maxrss reports, but of this
    process alone: on Linux ru_maxrss survives exec, so a process started by a larger one (the bench's
    parent, after the seed) would report its parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The report ---------------------------------------------------------------------------------


def machine():
    model = next(
        (line.split(":", 1)[1].strip() for line in _out(["lscpu"]).splitlines() if line.startswith("Model name")), "?"
    )
    memory = next((line.split()[1] for line in _out(["free", "-g"]).splitlines() if line.startswith("Mem:")), "?")
    postgres = psql("SHOW server_version")
    return (
        f"{_out(['nproc']).strip()} cores ({model}), {memory} GB memory, PostgreSQL {postgres}, "
        f"Python {platform.python_version()}; load average before the run: {_load()}"
    )


def _out(command):
    return subprocess.run(command, capture_output=True, text=True).stdout


def _load():
    return _out(["uptime"]).split("load average:")[-1].strip()


def report(args, facts, timings, result, machine_line):
    target = "met" if result["total_s"] < 120 else "missed"
    lines = [
        f"# Saved searches' alerts at scale, {datetime.date.today():%Y-%m-%d}",
        "",
        f"Machine: {machine_line}.",
        "",
        f"Catalog: `seed_demo --pieces {args.pieces:,}` ({facts['published']:,} published pieces), "
        f"{facts['new']:,} of them published in the last 20 hours. {facts['searches']:,} saved searches of "
        f"{facts['shoppers']:,} shoppers ({facts['distinct']:,} distinct queries, {facts['with_q']:,} with `q`; "
        f"{facts['frequencies']['weekly']:,} weekly and {facts['frequencies']['daily']:,} daily, all due; "
        f"{facts['frequencies']['never']:,} never).",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| `send_alerts` wall time, index build included | **{result['total_s']:.1f} s** (target < 120 s: {target}) |",
        f"| of which the listing's index, built once ({result['index_pieces']:,} pieces) "
        f"| {result['index_build_s']:.1f} s |",
        f"| of which `alerts_send()` | {result['run_s']:.1f} s |",
        f"| Peak memory (VmHWM, the process's own maxrss) | {result['peak_mb']:.0f} MB "
        f"({result['peak_mb_after_setup']:.0f} MB after Django's setup; getrusage's ru_maxrss, which on Linux "
        f"keeps the parent's peak across exec: {result['maxrss_mb']:.0f} MB) |",
        f"| Due searches read | {result['due']:,} |",
        f"| Distinct queries matched in the index | {result['queries']:,} |",
        f"| New pieces in the window | {result['new_pieces']:,} |",
        f"| Searches moved on | {result['searches']:,} of {result['shoppers']:,} shoppers |",
        f"| Searches with new pieces (matched) | {result['matched']:,} |",
        f"| Digests queued (outbox rows) | {result['emails']:,} ({result['outbox_rows']:,}) |",
        f"| Failed digests | {result['failed']} |",
        f"| A second run at once | {result['second_run_s']:.2f} s, {result['second_run_due']} due, "
        f"{result['second_run_emails']} emails |",
        "",
        f"Preparing the searches took {timings['searches']:.0f} s"
        + (f"; seeding the catalog {timings['seed']:.0f} s." if "seed" in timings else " (catalog reused)."),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--searches", type=int, default=100_000)
    parser.add_argument("--shoppers", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true", help="Keep the seeded catalog of an earlier run.")
    parser.add_argument("--profile", default="", help="Write the run's cProfile to this file.")
    parser.add_argument("--out", default="")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.profile)
        return
    facts, timings = build(args, sys.stderr)
    machine_line = machine()
    command = [sys.executable, "-m", "bench.alerts", "--measure"] + (
        ["--profile", args.profile] if args.profile else []
    )
    environment()
    measured = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=os.environ)
    if measured.returncode:
        sys.stderr.write(measured.stderr)
        raise SystemExit("The measured run failed.")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    text = report(args, facts, timings, result, machine_line)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
