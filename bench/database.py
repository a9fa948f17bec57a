"""
The bench's PostgreSQL databases: one per catalog size and code version,
built once by `seed_demo --pieces N` and reused by every later run.

The code version is a hash of what decides the database's rows: the demo
seed. The schema follows the code: `migrate` runs on every reuse, so a new
index is added to the existing rows (minutes) rather than the catalog seeded
again (most of an hour at a million pieces). A database is built under a
temporary name and renamed when complete, so an interrupted build is never reused.
"""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the rows of a bench database depend on.
SEED = [
    "catalog/demo",
    "catalog/management/commands/seed_demo.py",
]
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def code_version(root=ROOT, sources=SEED):
    """A short hash of the seed code: a new database whenever it changes."""
    digest = hashlib.sha256()
    for source in sources:
        path = root / source
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


def database_name(size, version):
    return f"atelier_bench_{size}_{version}"


def database_url(name, server=SERVER):
    return f"{server}/{name}"


def psql(sql, server=SERVER, database="postgres"):
    return subprocess.run(
        ["psql", f"{server}/{database}", "-qAtc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def vacuumed(name, log):
    """
    `name`, vacuumed and analyzed. Production runs autovacuum; a local server
    may not (this machine's has it off), and the seed's and the migrations'
    rewrites would then leave a million dead rows and no planner statistics
    in the way of every query of the run.
    """
    started = time.monotonic()
    psql("VACUUM (ANALYZE)", database=name)
    print(f"Vacuumed and analyzed {name} in {time.monotonic() - started:.0f} s.", file=log)
    return prewarmed(name, log)


def prewarmed(name, log):
    """
    `name`, its tables and indexes read once into the operating system's cache
    (pg_prewarm), as a database server sized for its catalog holds them. Else
    the first run after a restart measures the disk: at a million pieces
    (5 GB) each piece page read a few dozen cold pages, 143 ms instead of 25.
    """
    started = time.monotonic()
    psql("CREATE EXTENSION IF NOT EXISTS pg_prewarm", database=name)
    pages = psql(
        "SELECT coalesce(sum(pg_prewarm(c.oid::regclass, 'read')), 0) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't', 'm')",
        database=name,
    )
    print(f"Read {int(pages) * 8 // 1024:,} MB of {name} into memory in {time.monotonic() - started:.0f} s.", file=log)
    return database_url(name)


def exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def prepare(size, log=sys.stderr):
    """The URL of the bench database of `size` pieces for this code, built first when missing."""
    name = database_name(size, code_version())
    manage = [sys.executable, str(ROOT / "manage.py")]
    if exists(name):
        print(f"Reusing {name}; applying any new migration.", file=log)
        env = {**os.environ, "DATABASE_URL": database_url(name), "DEBUG": "true"}
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env)
        return vacuumed(name, log)
    building = f"{name}_building"
    psql(f"DROP DATABASE IF EXISTS {building}")
    psql(f"CREATE DATABASE {building}")
    env = {**os.environ, "DATABASE_URL": database_url(building), "DEBUG": "true"}
    print(f"Building {name}: migrate, then seed_demo --pieces {size} (timed).", file=log)
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env)
    subprocess.run(
        ["/usr/bin/time", "-f", "seed_demo took %e s", *manage, "seed_demo", "--pieces", str(size)], check=True, env=env
    )
    psql(f"ALTER DATABASE {building} RENAME TO {name}")
    return vacuumed(name, log)


if __name__ == "__main__":
    print(prepare(int(sys.argv[1])))
