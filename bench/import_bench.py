"""
Importing a maker's catalog at scale (`make bench-import`, issue 19): 2,000 rows of Atelier's template
with a zip of 2,000 photos, previewed, then run by one real `db_worker` process while gunicorn serves.

    python -m bench.import_bench [--rows 2000] [--wrk-seconds 20] [--port 8043] [--reuse]
                                 [--profile FILE] [--out FILE]

1. A throwaway PostgreSQL database, `atelier_bench_import` (dropped and created again, unless `--reuse`
   finds it seeded): `migrate`, `seed_demo --pieces 200` (the import's cost does not depend on the
   catalog's size) and one approved maker, `bench-importer`, whose pieces the import makes. With
   `--reuse` the maker and what an earlier run imported are deleted and made again.
2. A CSV of `--rows` rows in the template (`catalog.imports.columns.template_headers`, so it follows the
   template): title, a description of a few sentences, category, production method, price, an
   availability with what it needs, 1 to 3 materials with their provenance, 1 to 3 steps, 0 or 1
   option, 1 photo with its alt text; and a zip of as many distinct JPEGs, 1200 x 1500 px, about 260 KB
   each (Pillow: blotches, rings and grain, so that none compresses to nothing), stored in the zip
   (photos barely deflate). Drawn on two processes; not measured. Kept between runs with `--reuse`.
3. The preview, in a process of its own as a web worker would run it (the form's reading of the CSV and
   the zip's directory, then `import_job_preview`, which plans every row and stores the zip): its time
   and its peak memory.
4. gunicorn as `make bench` runs it (`bench/gunicorn_bench.py`: 2 sync workers, `bench.settings`, the
   cache in Redis database 6, this bench's own), warmed up; then wrk, for `--wrk-seconds` each, on two
   public pages at once: the listing (`/pieces/`) and the piece page (rotating through the published
   pieces), 2 clients each: the baseline.
5. One `manage.py db_worker --no-reload` (as production runs it), started and idle; then
   `import_job_start` (the maker's confirmation) and the clock runs until the job is `done`. The
   worker's peak memory is the kernel's high-water mark of its resident set (VmHWM in
   `/proc/<pid>/status`), read every 0.5 s and a last time after the job is done, before the worker is
   stopped (the kernel keeps the peak: sampling cannot miss it); VmRSS is read with it for the curve.
   While the job runs, the same wrk pair again, started once the job has run 10 s (the window is
   inside the import, which it slows: both share this machine's 2 cores).
6. `bench/results/import-<date>.md`; the database, the photos and the media are removed unless
   `--reuse` (`make bench-import REUSE=1`).

`--profile FILE` runs the worker under cProfile (the same `db_worker` command, called in a wrapper
process that exits after the one task) and writes its stats to FILE and the top functions to the
report; its timings are then cProfile's, not the import's.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
NAME = "atelier_bench_import"
# Written as the database's comment once the seed is complete: `--reuse` trusts only such a database.
MARKER = "import-bench-seeded"
# Redis database 6: bench.run clears 4, the hostile suite uses 5.
CACHE_URL = "rediscache://127.0.0.1:6379/6"
WORK = Path(tempfile.gettempdir()) / "atelier-bench-import"
MAKER = "bench-importer"
PHOTO_SIZE = (1200, 1500)
# Every wait is bounded.
IMPORT_TIMEOUT_SECONDS = 30 * 60
SAMPLE_SECONDS = 0.5
DURING_AFTER_SECONDS = 10
WRK_CLIENTS = 2
TARGET_SECONDS = 5 * 60
TARGET_MB = 300


def psql(sql, database="postgres"):
    return subprocess.run(
        ["psql", f"{SERVER}/{database}", "-qAtc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def environment():
    """The environment of every process of the bench: the parent, the preview, the worker, gunicorn."""
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["CACHE_URL"] = CACHE_URL
    os.environ["MEDIA_ROOT"] = str(WORK / "media")
    # The import's email goes to the outbox only: what is measured is the import, not a mail server.
    os.environ["OUTBOX_DELIVER"] = "worker"
    return dict(os.environ)


def setup():
    environment()
    import django

    django.setup()


def status_mb(pid, field):
    """A size of /proc/<pid>/status (VmHWM, VmRSS) in MB, or None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) / 1024 if found else None


def cpu_seconds(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- 1. The database ----------------------------------------------------------------------------


def build(args, log):
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{NAME}'") == "1"
    seeded = exists and args.reuse and _seeded()
    timings = {}
    if not seeded:
        if exists:
            psql(f"DROP DATABASE {NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {NAME}")
    setup()
    from django.core.cache import cache
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not seeded:
        call_command("seed_demo", pieces=args.pieces, seed=2026, stdout=log, stderr=log)
        psql(f"COMMENT ON DATABASE {NAME} IS '{MARKER}'")
    timings["seed"] = time.monotonic() - started
    log.write(f"catalog ready in {timings['seed']:.0f} s ({'reused' if seeded else 'seeded'})\n")
    maker = _maker()
    cache.clear()  # this bench's own Redis database
    psql("VACUUM ANALYZE", database=NAME)
    return maker, timings, seeded


def _seeded():
    return psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{NAME}'") == MARKER


def _maker():
    """The approved maker the import is for, made again (with nothing imported) on every run."""
    from django.contrib.auth import get_user_model

    from artisans.choices import ArtisanStatus, MakerType, WorkshopSize
    from artisans.models import Artisan
    from catalog.models import ImportJob, Piece

    User = get_user_model()
    # What an earlier run (`--reuse`) imported: its jobs, its pieces (which protect their maker), the maker.
    ImportJob.objects.filter(artisan__slug=MAKER).delete()
    Piece.objects.filter(artisan__slug=MAKER).delete()
    User.objects.filter(username=MAKER).delete()
    user = User.objects.create_user(MAKER, email="importer@bench.example", password=None)
    Artisan.objects.create(
        user=user,
        name="Bench Importer Studio",
        slug=MAKER,
        maker_type=MakerType.STUDIO,
        country="PT",
        region="Porto",
        workshop_size=WorkshopSize.SMALL_TEAM,
        bio="A studio of four bringing its catalog over from another marketplace.",
        status=ArtisanStatus.APPROVED,
    )
    return user.pk


# --- 2. The files -------------------------------------------------------------------------------

SHAPES = ["band", "hoops", "studs", "pendant", "cuff", "signet", "drops", "chain", "bangle", "brooch", "locket"]
WORDS = ["Hammered", "Moon", "Leaf", "Knot", "Twisted", "Brushed", "Wave", "Orbit", "Tide", "Ember", "Fern", "Ridge"]
ORIGINS = ["Recycled in Porto", "Fairmined mine, Peru", "Refined in Pforzheim", "Jaipur cutter", "Reclaimed, Lisbon"]
SENTENCES = [
    "Each one is cut, shaped and soldered at the bench, then finished by hand.",
    "The surface is hammered with a rounded punch so that it catches the light.",
    "It is light enough to wear every day and sturdy enough to last for years.",
    "The metal comes from a refiner that recycles jewellers' scrap.",
    "Small differences from the photos are part of how it is made.",
    "It arrives in a linen pouch with a card that tells how to care for it.",
    "The design began as a sketch of the tide lines on the beach near the studio.",
    "Polished to a soft satin finish, it darkens gently with wear.",
]


def csv_rows(count, vocabulary, rng):
    """`count` realistic rows of the template, each naming its own photo."""
    from catalog.choices import Availability, PersonalizationKind, ProductionMethod, ProductionStepKind, StepDoneBy

    rows = []
    steps = [kind.label for kind in ProductionStepKind]
    for n in range(1, count + 1):
        shape = rng.choice(SHAPES)
        availability = rng.choice(list(Availability))
        price = rng.randint(40, 1800)
        row = {
            "sku": f"BENCH-{n:05d}",
            "title": f"{rng.choice(WORDS)} {rng.choice(vocabulary['metals'])} {shape} no. {n}",
            "category": rng.choice(vocabulary["categories"]),
            "description": " ".join(rng.sample(SENTENCES, rng.randint(3, 5))),
            "production_method": rng.choice(list(ProductionMethod)).label,
            "availability": availability.label,
            "price": f"{price}.{rng.choice(['00', '50', '90'])}",
            "materials_cost": f"{price // 4}",
            "care_instructions": "Keep it dry; polish with a soft cloth.",
            "styles": rng.choice(vocabulary["styles"]),
        }
        if availability == Availability.LIMITED_EDITION:
            row["edition_size"] = str(rng.randint(5, 50))
        elif availability == Availability.MADE_TO_ORDER:
            row["lead_time_days"] = str(rng.randint(7, 42))
        else:
            row["stock"] = str(rng.randint(1, 6))
        kinds = [("metal", name) for name in rng.sample(vocabulary["metals"], 1)]
        kinds += [("stone", name) for name in rng.sample(vocabulary["stones"], rng.randint(0, 2))]
        for index, (kind, name) in enumerate(kinds, start=1):
            prefix = f"material_{index}"
            row[prefix] = name
            row[f"{prefix}_origin"] = rng.choice(ORIGINS)
            if kind == "metal":
                row[f"{prefix}_purity"] = rng.choice(["925", "18k", "14k", "950"])
                row[f"{prefix}_construction"] = "Solid"
                row[f"{prefix}_recycled"] = rng.choice(["yes", "no"])
                row[f"{prefix}_weight"] = f"{rng.uniform(1, 30):.1f}"
            else:
                row[f"{prefix}_gem_source"] = "Natural"
                row[f"{prefix}_treatment"] = "Untreated"
                row[f"{prefix}_weight"] = f"{rng.uniform(0.1, 3):.2f}"
                row[f"{prefix}_weight_unit"] = "ct"
            if index == 1 and rng.random() < 0.1:
                row[f"{prefix}_certification"] = rng.choice(vocabulary["certifications"])
                row[f"{prefix}_certificate_number"] = f"CERT-{n:05d}"
        for index, step in enumerate(rng.sample(steps, rng.randint(1, 3)), start=1):
            row[f"step_{index}"] = step
            row[f"step_{index}_done"] = rng.choice([StepDoneBy.BY_HAND.label, StepDoneBy.WITH_HAND_TOOLS.label])
            row[f"step_{index}_note"] = "At the bench in our studio."
        if rng.random() < 0.5:
            kind = rng.choice([PersonalizationKind.ENGRAVING, PersonalizationKind.SIZING])
            row["option_1"] = kind.label
            if kind == PersonalizationKind.ENGRAVING:
                row["option_1_max_characters"] = "12"
            row["option_1_extra_price"] = rng.choice(["0", "15", "25"])
        row["photo_1"] = f"bench-{n:05d}.jpg"
        row["photo_1_alt"] = f"The {shape} on a linen cloth, seen from above"
        rows.append(row)
    return rows


def _vocabulary():
    from catalog.choices import MaterialKind
    from catalog.models import Category, Certification, Material, Style

    return {
        "categories": list(Category.objects.values_list("name", flat=True)),
        "metals": list(Material.objects.filter(kind=MaterialKind.METAL).values_list("name", flat=True)),
        "stones": list(Material.objects.filter(kind=MaterialKind.GEMSTONE).values_list("name", flat=True)),
        "certifications": list(Certification.objects.values_list("name", flat=True)),
        "styles": list(Style.objects.values_list("name", flat=True)),
    }


def draw_photo(number):
    """A distinct 1200 x 1500 JPEG of about 260 KB: coloured blotches, a few rings, grain."""
    from PIL import Image, ImageDraw

    rng = random.Random(number)
    width, height = PHOTO_SIZE
    channels = []
    for _ in range(3):
        offset = rng.randint(-60, 60)
        channels.append(Image.effect_noise((60, 75), 60).point(lambda v, o=offset: max(0, min(255, v + o))))
    image = Image.merge("RGB", channels).resize(PHOTO_SIZE, Image.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(60, 300)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=rng.randint(4, 30))
    image = Image.blend(image, Image.effect_noise(PHOTO_SIZE, 14).convert("RGB"), 0.12)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return number, buffer.getvalue()


def files(args, log):
    """The CSV and the zip in WORK (kept from an earlier run with `--reuse` when they match)."""
    from catalog.imports.columns import template_headers

    csv_path, zip_path = WORK / f"pieces-{args.rows}.csv", WORK / f"photos-{args.rows}.zip"
    facts = {}
    rows = csv_rows(args.rows, _vocabulary(), random.Random(2026))
    headers = template_headers({"material": 3, "step": 3, "option": 1, "photo": 1})
    unknown = {name for row in rows for name in row} - set(headers)
    if unknown:
        raise SystemExit(f"The rows name columns the template does not have: {sorted(unknown)}")
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([row.get(name, "") for name in headers] for row in rows)
    WORK.mkdir(parents=True, exist_ok=True)
    csv_path.write_bytes(buffer.getvalue().encode())
    started = time.monotonic()
    if not (args.reuse and zip_path.exists()):
        partial = zip_path.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive, Pool(2) as pool:
            for number, data in pool.imap(draw_photo, range(1, args.rows + 1), chunksize=20):
                archive.writestr(f"photos/bench-{number:05d}.jpg", data)
        partial.rename(zip_path)
    facts["draw_s"] = time.monotonic() - started
    with zipfile.ZipFile(zip_path) as archive:
        sizes = [info.file_size for info in archive.infolist()]
    facts.update(
        rows=len(rows),
        columns=len(headers),
        csv_kb=csv_path.stat().st_size / 1024,
        zip_mb=zip_path.stat().st_size / 1024 / 1024,
        photos=len(sizes),
        photo_kb_min=min(sizes) / 1024,
        photo_kb_mean=sum(sizes) / len(sizes) / 1024,
        photo_kb_max=max(sizes) / 1024,
        materials=sum(1 for row in rows for name in row if re.fullmatch(r"material_\d", name)),
        steps=sum(1 for row in rows for name in row if re.fullmatch(r"step_\d", name)),
        options=sum(1 for row in rows if "option_1" in row),
    )
    log.write(f"files: {facts['rows']:,} rows, zip {facts['zip_mb']:.0f} MB ({facts['draw_s']:.0f} s)\n")
    return csv_path, zip_path, facts


# --- 3. The preview (a process of its own) -----------------------------------------------------


def preview(csv_path, zip_path):
    """As the studio's upload does (ImportForm, then import_job_preview). JSON on stdout."""
    setup()
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from catalog.imports.columns import header_notes, parse_rows, table_format
    from catalog.imports.photos import open_archive
    from catalog.imports.plan import import_job_preview
    from catalog.imports.sheets import read_table

    user = get_user_model().objects.select_related("artisan").get(username=MAKER)
    before = status_mb("self", "VmHWM")
    started = time.monotonic()
    data = Path(csv_path).read_bytes()
    table = read_table(data)
    found = table_format(table)
    rows = parse_rows(table, format=found)
    notes = header_notes(table, format=found)
    read = time.monotonic() - started
    with open(zip_path, "rb") as stream:
        upload = File(stream, name="photos.zip")
        started = time.monotonic()
        archive = open_archive(upload)
        opened = time.monotonic() - started
        try:
            started = time.monotonic()
            job, plan = import_job_preview(
                artisan=user.artisan,
                actor=user,
                csv_name=Path(csv_path).name,
                csv_bytes=data,
                format=found,
                rows=rows,
                photos=upload,
                archive=archive,
                notes=notes,
            )
            planned = time.monotonic() - started
        finally:
            archive.close()
    print(
        json.dumps(
            {
                "job": job.pk,
                "format": found,
                "read_s": read,
                "open_zip_s": opened,
                "preview_s": planned,
                "total_s": read + opened + planned,
                "peak_mb_after_setup": before,
                "peak_mb": status_mb("self", "VmHWM"),
                "rows": len(plan.rows),
                "to_create": len(plan.to_create),
                "to_update": len(plan.to_update),
                "blocked": len(plan.blocked),
                "problems": [f"row {p.row}, {p.column}: {p.message}" for p in plan.problems[:10]],
                "problem_count": len(plan.problems),
            }
        )
    )


# --- 4. The web: gunicorn and wrk --------------------------------------------------------------


def web_paths():
    from catalog.models import Piece

    slugs = list(Piece.objects.published().order_by("pk").values_list("slug", flat=True))
    return {"Listing (/pieces/)": ["/pieces/"], "Piece page": [f"/pieces/{slug}/" for slug in slugs]}


def wrk_pair(base, paths_files, seconds):
    """wrk on every page at once (WRK_CLIENTS each, one thread each): {page: Measure}."""
    from bench.run import LUA, parse_wrk

    running = {}
    for page, paths_file in paths_files.items():
        command = ["wrk", "-t1", f"-c{WRK_CLIENTS}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
        command += ["-s", str(LUA), base, "--", str(paths_file)]
        running[page] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    measures = {}
    for page, process in running.items():
        output, errors = process.communicate(timeout=seconds + 60)
        if process.returncode:
            raise SystemExit(f"wrk failed: {errors}")
        measures[page] = parse_wrk(output)
    return measures


def queries_per_request(base, paths, count=6):
    """The SQL queries of `count` requests of each page (bench.middleware's X-Bench-Queries): 0 when cached."""
    from bench.run import fetch

    found = {}
    for page, page_paths in paths.items():
        counts = []
        for path in (page_paths * count)[:count]:
            _status, headers, _body = fetch(base + path, {})
            counts.append(int(headers["X-Bench-Queries"]))
        found[page] = counts
    return found


# --- 5. The worker and the measured import -----------------------------------------------------


def start_worker(env, profile):
    if profile:
        command = [sys.executable, "-m", "bench.import_bench", "--profiled-worker", profile]
    else:
        command = [sys.executable, "manage.py", "db_worker", "--no-reload"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def profiled_worker(path):
    """The worker's command under cProfile, for one task; the stats to `path`."""
    setup()
    import cProfile

    from django.core.management import call_command

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        call_command("db_worker", reload=False, max_tasks=1)
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def stop_process(process, seconds=30):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=seconds)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def run_import(job_id, worker, during):
    """Start the job and follow it to its end; `during(elapsed)` is called after each sample."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from catalog.imports.jobs import import_job_start
    from catalog.models import ImportJob, ImportState

    user = get_user_model().objects.get(username=MAKER)
    job = ImportJob.objects.get(pk=job_id)
    cpu_before = cpu_seconds(worker.pid)
    samples = []
    started = time.monotonic()
    import_job_start(job=job, actor=user)
    running_at = None
    state = ImportState.QUEUED
    while time.monotonic() - started < IMPORT_TIMEOUT_SECONDS:
        time.sleep(SAMPLE_SECONDS)
        elapsed = time.monotonic() - started
        state, rows_done = ImportJob.objects.filter(pk=job_id).values_list("state", "rows_done").get()
        connection.close()  # no transaction or snapshot held open across the import
        hwm, rss = status_mb(worker.pid, "VmHWM"), status_mb(worker.pid, "VmRSS")
        samples.append((elapsed, rows_done, hwm, rss))
        if running_at is None and state != ImportState.QUEUED:
            running_at = elapsed
        during(elapsed, running_at)
        if state not in (ImportState.QUEUED, ImportState.RUNNING) or worker.poll() is not None:
            break
    ended = time.monotonic() - started
    return {
        "state": str(state),
        "wall_s": ended,
        "picked_up_s": running_at,
        "peak_mb": status_mb(worker.pid, "VmHWM"),
        "cpu_s": (cpu_seconds(worker.pid) or 0) - (cpu_before or 0),
        "samples": samples,
        "timed_out": ended >= IMPORT_TIMEOUT_SECONDS,
    }


def outcome(job_id):
    from catalog.models import ImportedRow, ImportJob, Piece, PieceImage, PieceMaterial, ProductionStep

    job = ImportJob.objects.get(pk=job_id)
    pieces = Piece.objects.filter(artisan__slug=MAKER)
    renditions = WORK / "media" / "renditions"
    return {
        "rows_done": job.rows_done,
        "rows_failed": job.rows_failed,
        "created": job.pieces_created,
        "updated": job.pieces_updated,
        "problems": [f"row {p.get('row')}, {p.get('column')}: {p.get('message')}" for p in job.run_problems[:10]],
        "pieces": pieces.count(),
        "photos": PieceImage.objects.filter(piece__in=pieces).count(),
        "materials": PieceMaterial.objects.filter(piece__in=pieces).count(),
        "steps": ProductionStep.objects.filter(piece__in=pieces).count(),
        "imported_rows": ImportedRow.objects.filter(job=job).count(),
        "renditions": sum(1 for path in renditions.rglob("*") if path.is_file()) if renditions.exists() else 0,
        "zip_deleted": not job.photos,
        "attempts": job.attempts,
    }


# --- 6. The report -----------------------------------------------------------------------------


def machine():
    def out(command):
        return subprocess.run(command, capture_output=True, text=True).stdout

    model = next((line.split(":", 1)[1].strip() for line in out(["lscpu"]).splitlines() if "Model name" in line), "?")
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) / 1024 / 1024
    return (
        f"{out(['nproc']).strip()} cores ({model}), {memory:.0f} GB memory, PostgreSQL {psql('SHOW server_version')}, "
        f"Python {platform.python_version()}"
    )


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _web_table(baseline, during):
    lines = [
        "| Page (2 clients each, both at once) | req/s before | p50 before | p99 before "
        "| req/s during | p50 during | p99 during | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page, before in baseline.items():
        now = during.get(page)
        if now is None:
            lines.append(
                f"| {page} | {before.requests_per_second:.0f} | {before.p50_ms:.1f} ms | {before.p99_ms:.1f} ms "
                "| not measured | | | |"
            )
            continue
        lines.append(
            f"| {page} | {before.requests_per_second:.0f} | {before.p50_ms:.1f} ms | {before.p99_ms:.1f} ms "
            f"| {now.requests_per_second:.0f} ({now.requests_per_second / before.requests_per_second:.0%}) "
            f"| {now.p50_ms:.1f} ms ({now.p50_ms / before.p50_ms:.1f}×) "
            f"| {now.p99_ms:.1f} ms ({now.p99_ms / before.p99_ms:.1f}×) | {before.errors} / {now.errors} |"
        )
    return lines


def _curve(samples, rows):
    """The rows done and the worker's RSS at each quarter of the run."""
    lines = [
        "| Time | rows done | rows/s since the previous line | worker RSS | worker VmHWM |",
        "|---|---|---|---|---|",
    ]
    if not samples:
        return lines
    marks = sorted({min(len(samples) - 1, int(len(samples) * share)) for share in (0.1, 0.25, 0.5, 0.75, 1.0)})
    previous = (0.0, 0)
    for index in marks:
        elapsed, done, hwm, rss = samples[index]
        rate = (done - previous[1]) / max(elapsed - previous[0], 1e-9)
        lines.append(f"| {elapsed:.0f} s | {done:,} of {rows:,} | {rate:.1f} | {rss or 0:.0f} MB | {hwm or 0:.0f} MB |")
        previous = (elapsed, done)
    return lines


def report(args, facts, result, context):
    run, done, preview_facts = result["run"], result["outcome"], result["preview"]
    rows = facts["rows"]
    wall = run["wall_s"]
    met_time = run["state"] == "done" and wall < TARGET_SECONDS
    met_memory = run["peak_mb"] is not None and run["peak_mb"] < TARGET_MB
    baseline, during = result["baseline"], result["during"]
    lines = [
        f"# Importing a maker's catalog, {datetime.date.today():%Y-%m-%d}",
        "",
        f"Machine: {context['machine']}. Load average (1, 5, 15 min) before the run: {context['load_before']}; "
        f"before the import: {context['load_import']}; at its end: {context['load_after']}. "
        "The worker, gunicorn's 2 workers, PostgreSQL, Redis and wrk share these 2 cores"
        + (" (the worker under cProfile: its times are cProfile's)." if args.profile else "."),
        "",
        f"The file: {rows:,} rows of Atelier's template ({facts['columns']} columns, {facts['csv_kb']:.0f} KB), "
        f"{facts['materials']:,} materials, {facts['steps']:,} steps, {facts['options']:,} options; a zip of "
        f"{facts['photos']:,} distinct JPEGs of 1200 x 1500 px ({facts['photo_kb_min']:.0f} to "
        f"{facts['photo_kb_max']:.0f} KB, mean {facts['photo_kb_mean']:.0f} KB; {facts['zip_mb']:.0f} MB, stored). "
        f"Catalog: `seed_demo --pieces {args.pieces}` and one approved maker.",
        "",
        "| Measure | Value | Target |",
        "|---|---|---|",
        f"| Preview (reading the CSV, the zip's directory, `import_job_preview`: plan and zip stored) "
        f"| {preview_facts['total_s']:.1f} s (CSV {preview_facts['read_s']:.1f} s, zip's directory "
        f"{preview_facts['open_zip_s']:.2f} s, plan and store {preview_facts['preview_s']:.1f} s); peak memory "
        f"{preview_facts['peak_mb']:.0f} MB | |",
        f"| Import, from `import_job_start` to `done` | **{wall:.0f} s** ({wall / 60:.1f} min; the worker took the "
        f"job up after {run['picked_up_s'] or 0:.1f} s) | < {TARGET_SECONDS // 60} min: "
        f"{'met' if met_time else 'missed'} |",
        f"| Rows per second | {rows / wall:.1f} ({wall / rows * 1000:.0f} ms a row; the worker's CPU "
        f"{run['cpu_s']:.0f} s, {run['cpu_s'] / rows * 1000:.0f} ms a row) | |",
        f"| Worker's peak memory (VmHWM) | **{run['peak_mb'] or 0:.0f} MB** ({result['worker_idle_mb']:.0f} MB "
        f"resident when idle, before the job) | < {TARGET_MB} MB: {'met' if met_memory else 'missed'} |",
        f"| The job | {run['state']}: {done['rows_done']:,} rows done, {done['rows_failed']} failed, "
        f"{done['created']:,} pieces made, {done['updated']} updated, {done['attempts']} attempt(s) | |",
        f"| Written | {done['pieces']:,} pieces, {done['photos']:,} photos ({done['renditions']:,} rendition files), "
        f"{done['materials']:,} materials, {done['steps']:,} steps; zip deleted: "
        f"{'yes' if done['zip_deleted'] else 'no'} | |",
        "",
        "The worker's progress (its memory read every 0.5 s from `/proc/<pid>/status`; VmHWM is the kernel's "
        "high-water mark, read a last time once the job was done):",
        "",
        *_curve(run["samples"], rows),
        "",
        f"The web while the import runs: gunicorn with `bench/gunicorn_bench.py` (2 sync workers), wrk for "
        f"{args.wrk_seconds} s on the two pages at once, before the import (baseline) and from "
        f"{result.get('during_started_s', 0):.0f} s into it. Not a quiet machine: during the window the import's "
        "worker and PostgreSQL take CPU from the same 2 cores the web workers run on.",
        "",
        *_web_table(baseline, during),
        "",
        f"SQL queries per request (6 requests of each page): before {result['queries_before']}, during "
        f"{result['queries_during']}.",
    ]
    if preview_facts["problem_count"] or done["problems"]:
        lines += ["", "Problems:", *(f"- {p}" for p in preview_facts["problems"] + done["problems"])]
    if result.get("profile"):
        lines += ["", "The worker's profile (cProfile, top by cumulative time):", "", "```", result["profile"], "```"]
    return "\n".join(lines) + "\n"


def profile_top(path, limit=35):
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(path, stream=buffer)
    stats.sort_stats("cumulative").print_stats(limit)
    text = buffer.getvalue()
    return text[text.find("ncalls") :] if "ncalls" in text else text


# --- main ---------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--pieces", type=int, default=200)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=8043)
    parser.add_argument("--reuse", action="store_true", help="Keep the database and the files for the next run.")
    parser.add_argument("--profile", default="", help="Run the worker under cProfile; its stats to this file.")
    parser.add_argument("--out", default="")
    parser.add_argument("--preview", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--profiled-worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.preview:
        preview(*args.preview)
        return
    if args.profiled_worker:
        profiled_worker(args.profiled_worker)
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make wrk` (apt-get install wrk).")
    if args.profile:
        args.profile = str(Path(args.profile).resolve())

    log = sys.stderr
    context = {"machine": "", "load_before": load_average()}
    env = environment()
    gunicorn = worker = None
    try:
        shutil.rmtree(WORK / "media", ignore_errors=True)
        maker_id, timings, _reused = build(args, log)
        csv_path, zip_path, facts = files(args, log)
        from django.core.management import call_command
        from django.db import connection

        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: WhiteNoise's hashed names
        context["machine"] = machine()

        log.write("preview…\n")
        measured = subprocess.run(
            [sys.executable, "-m", "bench.import_bench", "--preview", str(csv_path), str(zip_path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=IMPORT_TIMEOUT_SECONDS,
        )
        if measured.returncode:
            log.write(measured.stderr)
            raise SystemExit("The preview failed.")
        preview_facts = json.loads(measured.stdout.strip().splitlines()[-1])
        log.write(f"preview: {preview_facts['total_s']:.1f} s, {preview_facts['blocked']} rows blocked\n")

        from bench.run import start_server, stop_server

        paths = web_paths()
        connection.close()
        paths_files = {}
        for index, (page, page_paths) in enumerate(paths.items()):
            paths_files[page] = WORK / f"paths-{index}.txt"
            paths_files[page].write_text("\n".join(page_paths) + "\n")
        base = f"http://127.0.0.1:{args.port}"
        log.write("gunicorn…\n")
        gunicorn = start_server(args.port, env)
        from bench.run import fetch

        with ThreadPoolExecutor(4) as pool:  # both workers build their index and cache the pages
            all_paths = [path for page_paths in paths.values() for path in page_paths]
            list(pool.map(lambda path: fetch(base + path, {}), all_paths * 2))
        wrk_pair(base, paths_files, 5)  # warm-up, not measured
        queries_before = queries_per_request(base, paths)
        log.write(f"wrk baseline, {args.wrk_seconds} s…\n")
        baseline = wrk_pair(base, paths_files, args.wrk_seconds)

        log.write("worker…\n")
        worker = start_worker(env, args.profile)
        time.sleep(8)  # Django's setup and the worker's start-up delay, before the clock runs
        if worker.poll() is not None:
            raise SystemExit("The worker stopped at once.")
        worker_idle_mb = status_mb(worker.pid, "VmRSS") or 0
        context["load_import"] = load_average()

        window = {}

        def during(elapsed, running_at):
            if "thread" in window or running_at is None or elapsed - running_at < DURING_AFTER_SECONDS:
                return

            def measure():
                window["queries"] = queries_per_request(base, paths)
                window["wrk"] = wrk_pair(base, paths_files, args.wrk_seconds)

            window["started_s"] = elapsed
            window["thread"] = threading.Thread(target=measure, daemon=True)
            window["thread"].start()

        log.write("import…\n")
        run = run_import(preview_facts["job"], worker, during)
        context["load_after"] = load_average()
        if "thread" in window:
            window["thread"].join(timeout=args.wrk_seconds + 120)
        stop_process(worker)
        done = outcome(preview_facts["job"])
        log.write(f"import: {run['state']} in {run['wall_s']:.0f} s, peak {run['peak_mb'] or 0:.0f} MB\n")
        result = {
            "preview": preview_facts,
            "run": run,
            "outcome": done,
            "worker_idle_mb": worker_idle_mb,
            "baseline": baseline,
            "during": window.get("wrk", {}),
            "during_started_s": window.get("started_s", 0),
            "queries_before": queries_before,
            "queries_during": window.get("queries", "not measured"),
        }
        if args.profile and Path(args.profile).exists():
            result["profile"] = profile_top(args.profile)
        stop_server(gunicorn)
        gunicorn = None
        text = report(args, facts, result, context)
        print(text)
        if args.out:
            Path(args.out).write_text(text)
            log.write(f"written to {args.out}\n")
        del maker_id, timings
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                stop_process(process)
        if not args.reuse:
            psql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
            shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
