"""
Where a worker's private memory comes from (`make bench-memory`): the bench's
gunicorn (2 workers, bench.settings) on the bench database of `--size`
pieces, and each scenario of `make bench` asked `--requests` times in turn
(two at a time, so that both workers answer), then every scenario again.
After the fork and after each scenario it prints, per worker, the memory
private to it (what one more worker would cost) and its RSS; with `--maps`,
the first worker's private memory by kind of mapping (the heap, the large
mappings, Python's 1 MB arenas, shared libraries).

    python -m bench.memory [--size 1000000] [--requests 300] [--only TEXT] [--maps]

No timing: bench/run.py measures speed. bench/README.md ("Worker memory at
1,000,000 pieces") reads its output.
"""

import argparse
import os
import random
import re
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import database
from . import run as bench

PORT = 8047


def kind_of(name, size_kb):
    if not name:
        return "large mappings" if size_kb > 1024 else ("1 MB arenas" if size_kb == 1024 else "small mappings")
    if ".so" in name:
        return "shared libraries"
    return name


def private_by_kind(pid):
    """{kind of mapping: private kB} of /proc/<pid>/smaps."""
    kinds, kind = defaultdict(int), None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            fields = line.split()
            start, end = (int(address, 16) for address in fields[0].split("-"))
            kind = kind_of(fields[5] if len(fields) > 5 else "", (end - start) // 1024)
        elif line.startswith(("Private_Clean:", "Private_Dirty:")):
            kinds[kind] += int(line.split()[1])
    return kinds


def report(label, server, maps):
    sizes = [f"private {private:5.1f} MB (RSS {resident:.0f})" for resident, private in bench.worker_rss_mb(server)]
    print(f"{label:40} " + " | ".join(sizes), flush=True)
    if maps:
        kinds = private_by_kind(bench.workers(server)[0])
        for kind, kb in sorted(kinds.items(), key=lambda item: -item[1])[:5]:
            print(f"    {kind:36} {kb / 1024:5.1f} MB", flush=True)


def ask(base, scenario, requests):
    paths = [scenario.paths[i % len(scenario.paths)] for i in range(requests)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(bench.fetch, [base + path for path in paths], [scenario.headers] * len(paths)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300, help="Requests of each scenario, in turn.")
    parser.add_argument("--only", default="", help="Only the scenarios whose name contains this text.")
    parser.add_argument("--maps", action="store_true", help="Also the first worker's private memory by mapping.")
    args = parser.parse_args(argv)

    url = database.prepare(args.size)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    scenarios = [s for s in bench.scenarios(random.Random(2026)) if args.only in s.name]
    connection.close()
    base = f"http://127.0.0.1:{PORT}"
    started = time.monotonic()
    server = bench.start_server(PORT, env)
    print(f"gunicorn answered after {time.monotonic() - started:.0f} s (the index built in the master)", flush=True)
    try:
        time.sleep(2)
        report("after the fork", server, args.maps)
        for scenario in scenarios:
            ask(base, scenario, args.requests)
            report(scenario.name, server, args.maps)
        for scenario in scenarios:
            ask(base, scenario, args.requests)
        report("every scenario again", server, args.maps)
    finally:
        bench.stop_server(server)


if __name__ == "__main__":
    main()
