"""
`make bench`: how fast each page is on this machine, against the fastest
Django can serve a page of the same size, measured in the same run.

    python -m bench.run [--size 100000] [--duration 12] [--port 8041]

1. Prepares (or reuses) the PostgreSQL database of `--size` pieces for this
   code version (bench/database.py).
2. Writes, per scenario, a list of paths: at least 100 distinct filter
   states for each filtered scenario, 1,000 pieces for the piece page.
3. Starts gunicorn (2 sync workers, DEBUG off, bench.settings) on 127.0.0.1.
4. For each scenario: a warm-up, then wrk for a fixed time with 8 clients
   (req/s, p50, p99) and with 1 client (p50), rotating through the paths.
5. Samples each scenario for its SQL queries per request and for sequential
   scans of the piece table (EXPLAIN), reads the workers' memory (RSS), and
   writes bench/results/<date>-<size>.md.
"""

import argparse
import datetime
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

from . import database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "rotate.lua"
CLIENTS = 8
MIN_STATES = 100
MIN_PIECES = 1000
# Pieces outside the piece page's rotation, requested one at a time for the cost of a first render.
FIRST_RENDERS = 200
SAMPLES = 12
STAFF_EMAIL = "bench-staff@atelier.localhost"


@dataclass
class Scenario:
    name: str
    paths: list
    headers: dict
    target: str = ""
    unseen: list = ()  # pages of the same kind that no run requests: what a first render costs


@dataclass
class Measure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


# --- wrk output ---------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output):
    """req/s, p50, p99, requests and errors from `wrk --latency` output."""
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Measure(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(latency["50"]),
        p99_ms=to_ms(latency["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=(int(errors.group(1)) if errors else 0)
        + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0),
    )


# --- Scenarios ------------------------------------------------------------------------------


def scenarios(rng):
    """The scenarios' paths, from the bench database (Django is set up by the caller)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from artisans.models import Artisan
    from catalog.choices import Availability, MaterialKind, ProductionMethod
    from catalog.models import Category, Material, Piece, Technique

    methods = [m.value for m in ProductionMethod]
    metals = list(Material.objects.filter(kind=MaterialKind.METAL).values_list("slug", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    availabilities = [a.value for a in Availability]
    prices = [(low, low + width) for low in range(0, 600, 25) for width in (100, 250, 400)]
    # Words searched as text (no facet's name: catalog.listing.vocabulary), and what shoppers type that reads as
    # filters (answered by a redirect to the filters' URL, catalog.listing.reading).
    words = ["hammered", "moon", "leaf", "knot", "twisted", "brushed", "wave", "disc", "domed", "orbit"]
    phrases = [
        "handmade silver earrings",
        "saphire ring",
        "oxidized silver",
        "fairmined gold",
        "mexican earrings",
        "gold hoops",
        "braclet",
        "lab grown diamond",
        "one of a kind pendant",
        "925 studs",
        "pearl necklace",
    ]
    public = Piece.objects.published()
    slugs = list(public.order_by("?").values_list("slug", flat=True)[: MIN_PIECES + FIRST_RENDERS])
    slugs, unseen = slugs[:MIN_PIECES], slugs[MIN_PIECES:]
    makers = list(Artisan.objects.approved().order_by("?").values_list("slug", flat=True)[:MIN_STATES])

    def distinct(make, count=MIN_STATES * 2):
        return sorted({make() for _ in range(count * 3)})[: max(count, MIN_STATES)]

    three_filters = distinct(
        lambda: "/pieces/?method={}&metal={}&price_min={}&price_max={}".format(
            rng.choice(methods), rng.choice(metals), *rng.choice(prices)
        )
    )
    search = distinct(
        lambda: f"/pieces/?q={rng.choice(words)}&method={rng.choice(methods)}&availability={rng.choice(availabilities)}"
    )
    read_as_filters = distinct(
        lambda: f"/pieces/?q={quote_plus(rng.choice(phrases))}&sort={rng.choice(['newest', 'price'])}"
    )
    deep = distinct(
        lambda: "/pieces/?{}sort={}&page={}".format(
            rng.choice(["", "method=handcrafted&", "method=mass_produced&", f"category={categories[0]}&"]),
            rng.choice(["newest", "price", "-price"]),
            rng.randint(150, 200),
        )
    )
    compare = distinct(lambda: "/compare/?pieces=" + ",".join(rng.sample(slugs, 3)))
    User = get_user_model()
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"email": STAFF_EMAIL, "is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(staff)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    admin = distinct(lambda: f"/admin/catalog/piece/?p={rng.randint(0, 400)}")
    # What a shopper has typed so far: prefixes of 2 to 5 letters of the demo's own words (taxonomies,
    # makers, titles), about a hundred, each asked of the header search box's suggestions.
    texts = [
        *Material.objects.values_list("name", flat=True),
        *Technique.objects.values_list("name", flat=True),
        *Category.objects.values_list("name", flat=True),
        *Artisan.objects.approved().values_list("name", flat=True)[:200],
        *public.order_by().values_list("title", flat=True)[:500],
    ]
    vocabulary = sorted({word for text in texts for word in re.findall(r"[a-z]{3,}", text.lower())})
    prefixes = sorted({word[: rng.randint(2, 5)] for word in vocabulary})
    suggest = [f"/pieces/suggest/?q={prefix}" for prefix in rng.sample(prefixes, min(100, len(prefixes)))]
    return [
        Scenario("Listing, no filter", ["/pieces/"], {}, "≥ 40% of baseline, p50 ≤ 2.5×"),
        Scenario("Listing, 3 filters", three_filters, {}, "≥ 40% of baseline, p50 ≤ 2.5×, ≤ 12 queries"),
        Scenario("Listing, q + 2 filters", search, {}, "≥ 40% of baseline at 1,000,000 pieces"),
        Scenario("Search read as filters (its redirect)", read_as_filters, {}, ""),
        Scenario("Listing, page 150-200", deep, {}, ""),
        Scenario(
            "Piece page",
            [f"/pieces/{slug}/" for slug in slugs],
            {},
            "≥ 50% of baseline",
            unseen=[f"/pieces/{slug}/" for slug in unseen],
        ),
        Scenario("Compare, 3 pieces", compare, {}, "≥ 50% of baseline"),
        Scenario("Home", ["/"], {}, ""),
        Scenario("Guide", ["/guide/"], {}, ""),
        Scenario("Maker page", [f"/artisans/{slug}/" for slug in makers], {}, ""),
        Scenario("Suggestions", suggest, {}, "p50 < 5 ms at 1,000,000 pieces"),
        Scenario("Admin piece list (staff)", admin, {"Cookie": cookie}, ""),
    ]


# --- Server ---------------------------------------------------------------------------------


# The longest the server may take to answer its first request.
SERVER_START_SECONDS = 900


def start_server(port, env):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "marketplace.wsgi",
        f"--config={ROOT / 'bench' / 'gunicorn_bench.py'}",
        f"--bind=127.0.0.1:{port}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    # The master builds the listing's index before its workers fork (minutes at a million pieces).
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer on port {port}")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def workers(server):
    """The gunicorn workers' pids (the master's children)."""
    return Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()


# What `worker_rss_mb` reads of a worker's /proc/<pid>/smaps_rollup.
MEMORY_FIELDS = ("Rss", "Private_Clean", "Private_Dirty")


def worker_rss_mb(server):
    """
    [(resident, private) memory of each gunicorn worker, in MB]. Resident
    counts the pages a worker shares with the other and with the master
    (the app and the listing's index, loaded before the fork); private, the
    pages only this worker holds: what one more worker would cost.
    """
    sizes = []
    for pid in workers(server):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        kilobytes = {name: int(re.search(rf"^{name}:\s+(\d+) kB", rollup, re.M).group(1)) for name in MEMORY_FIELDS}
        private = kilobytes["Private_Clean"] + kilobytes["Private_Dirty"]
        sizes.append((kilobytes["Rss"] / 1024, private / 1024))
    return sizes


def cpu_seconds(pids):
    """The CPU time (user and system) the processes `pids` have used, in seconds."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def database_backends(name):
    """The pids of PostgreSQL's backends serving the database `name` (the workers' connections)."""
    found = []
    for process in Path("/proc").iterdir():
        try:
            command = (process / "cmdline").read_text(errors="ignore") if process.name.isdigit() else ""
        except OSError:  # gone meanwhile
            continue
        if command.startswith("postgres: ") and f" {name} " in command:
            found.append(process.name)
    return found


def render_costs(base, server, scenario, database_name):
    """
    [(worker ms, PostgreSQL ms) per request]: the CPU time of a first render
    of the scenario's unseen pages, requested one at a time, then of the same
    pages again. On this shared machine the CPU a request takes varies less
    than its wall time.
    """
    costs = []
    for _ in range(2):
        serving, backends = workers(server), database_backends(database_name)
        before = cpu_seconds(serving), cpu_seconds(backends)
        for path in scenario.unseen:
            fetch(base + path, scenario.headers)
        after = cpu_seconds(serving), cpu_seconds(backends)
        costs.append(tuple((a - b) / len(scenario.unseen) * 1000 for a, b in zip(after, before, strict=True)))
    return costs


def fetch(url, headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=600) as response:
        return response.status, response.headers, response.read()


def wrk(base, scenario, paths_file, *, clients, seconds):
    headers = [arg for name, value in scenario.headers.items() for arg in ("-H", f"{name}: {value}")]
    threads = min(clients, 2)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += [*headers, "-s", str(LUA), base, "--", str(paths_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def sample(base, scenario, rng):
    """Mean SQL queries per request and the requests planned with a sequential scan of the piece table."""
    paths = rng.sample(scenario.paths, min(SAMPLES, len(scenario.paths)))
    queries, scans, size = [], 0, 0
    for path in paths:
        status, headers, body = fetch(base + path, {**scenario.headers, "X-Bench-Explain": "1"})
        queries.append(int(headers["X-Bench-Queries"]))
        scans += int(headers.get("X-Bench-Seq-Scans", "0")) > 0
        size += len(body)
    return sum(queries) / len(queries), max(queries), scans, size // len(paths)


def machine():
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    postgres = database.psql("SHOW server_version").split()[0]
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return (
        f"{os.cpu_count()} cores ({cpu.group(1) if cpu else platform.machine()}), {memory} GB memory, "
        f"PostgreSQL {postgres}, Python {platform.python_version()}, load average before the run "
        f"{os.getloadavg()[0]:.1f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=12, help="Seconds of each measured run with 8 clients.")
    parser.add_argument("--port", type=int, default=8041)
    parser.add_argument("--only", default="", help="Run only the scenarios whose name contains this text.")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run `make wrk` (apt-get install wrk).")

    url = database.prepare(args.size)
    started = time.time()
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: WhiteNoise's hashed names

    cache.clear()  # the bench's own Redis database: no cached page or index survives from a run before
    rng = random.Random(2026)
    all_scenarios = scenarios(rng)
    from django.db import connection

    connection.close()
    base = f"http://127.0.0.1:{args.port}"
    workdir = Path(tempfile.mkdtemp(prefix="atelier-bench-"))

    # The baseline shows as many facet options as the listing: counted once on the real page.
    probe = start_server(args.port, env)
    try:
        _, _, body = fetch(base + "/pieces/", {})
        env["BENCH_BASELINE_OPTIONS"] = str(body.count(b'type="checkbox"'))
    finally:
        stop_server(probe)
    baseline = Scenario("Baseline (in memory, no database)", ["/bench/baseline/"], {})
    server = start_server(args.port, env)
    rows = []
    first_renders = {}
    served = 0
    try:
        for scenario in [baseline, *all_scenarios]:
            if args.only and args.only not in scenario.name and scenario is not baseline:
                continue
            paths_file = workdir / f"{len(rows)}.txt"
            paths_file.write_text("\n".join(scenario.paths) + "\n")
            # Warm-up: concurrent requests, so that both workers load what they keep (the
            # listing's index is built here), then a short run.
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(fetch, [base + path for path in scenario.paths[:8] * 2], [scenario.headers] * 16))
            warm = wrk(base, scenario, paths_file, clients=CLIENTS, seconds=3)
            busy = wrk(base, scenario, paths_file, clients=CLIENTS, seconds=args.duration)
            alone = wrk(base, scenario, paths_file, clients=1, seconds=max(4, args.duration // 2))
            served += warm.requests + busy.requests + alone.requests
            mean_queries, max_queries, scans, size = sample(base, scenario, rng)
            rows.append((scenario, busy, alone, mean_queries, max_queries, scans, size))
            if scenario.unseen:
                first_renders[scenario.name] = render_costs(base, server, scenario, url.rsplit("/", 1)[1])
            print(f"{scenario.name}: {busy.requests_per_second:.0f} req/s, p50 {alone.p50_ms:.1f} ms", flush=True)
        rss = worker_rss_mb(server)
    finally:
        stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)
    report = write_results(args, rows, rss, served, time.time() - started, first_renders)
    print(f"\nWritten to {report.relative_to(ROOT)}")


def write_results(args, rows, rss, served, elapsed, first_renders):
    base_busy, base_alone = rows[0][1], rows[0][2]
    lines = [
        f"# Bench: {args.size:,} pieces, {datetime.date.today().isoformat()}",
        "",
        f"Machine: {machine()}.",
        f"gunicorn 2 sync workers, DEBUG off, bench.settings; wrk with {CLIENTS} clients for {args.duration} s "
        f"(req/s, p50, p99) and 1 client (p50 alone), after a warm-up; run took {elapsed / 60:.1f} min.",
        "",
        "| Scenario | paths | req/s | × baseline | p50 (8 clients) | p99 | p50 alone | × baseline | "
        "queries (mean/max) | seq scans of pieces | KB | errors | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario, busy, alone, mean_queries, max_queries, scans, size in rows:
        lines.append(
            f"| {scenario.name} | {len(scenario.paths)} | {busy.requests_per_second:.0f} | "
            f"{busy.requests_per_second / base_busy.requests_per_second:.0%} | {busy.p50_ms:.1f} ms | "
            f"{busy.p99_ms:.1f} ms | {alone.p50_ms:.1f} ms | {alone.p50_ms / base_alone.p50_ms:.1f}× | "
            f"{mean_queries:.1f} / {max_queries} | {scans} of {min(SAMPLES, len(scenario.paths))} | "
            f"{size // 1024} | {busy.errors + alone.errors} | {scenario.target} |"
        )
    lines += [
        "",
        f"Worker memory (RSS) after {served:,} requests: "
        + ", ".join(f"{resident:.0f} MB" for resident, _ in rss)
        + "; of which private to the worker, not shared with the other or the master: "
        + ", ".join(f"{private:.0f} MB" for _, private in rss)
        + ".",
        "",
    ]
    for name, ((first_worker, first_database), (again_worker, again_database)) in first_renders.items():
        lines += [
            f"{name}, CPU time per request ({FIRST_RENDERS} pages outside the rotation, one at a time): "
            f"first render {first_worker:.1f} ms in the worker and {first_database:.1f} ms in PostgreSQL; "
            f"the same pages again {again_worker:.1f} ms and {again_database:.1f} ms.",
            "",
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = RESULTS / f"{datetime.date.today().isoformat()}-{args.size}.md"
    report.write_text("\n".join(lines))
    return report


if __name__ == "__main__":
    main()
