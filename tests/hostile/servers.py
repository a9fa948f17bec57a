"""
The site as it runs in production, for the load, fault and scale-out tests.

`make serve` (DEBUG off, gunicorn with gunicorn.conf.py, WhiteNoise, Redis
sessions and cache) on a port of its own, against the hostile tests' own
PostgreSQL cluster (`hostile`, port 5439, made by `make hostile-cluster`), which
the fault test may stop and start without disturbing anyone else's database.
A `Visitor` is a small HTTP client that keeps its cookies, Secure ones
included: the site is served over plain HTTP on 127.0.0.1, as behind a load
balancer that terminated TLS.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_PORT = int(os.environ.get("HOSTILE_PG_PORT", "5439"))
PG_CLUSTER = "hostile"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/atelier_hostile"
CACHE_URL = os.environ.get("HOSTILE_REDIS_URL", "redis://127.0.0.1:6379/5")
FIRST_PORT = int(os.environ.get("HOSTILE_FIRST_PORT", "8050"))
# Enough for the workload and small enough to seed in seconds.
DEMO_PIECES = 240
SHOPPER_EMAIL = "hostile-shopper@atelier.example"
SHOPPER_PASSWORD = "hostile-shopper-password-2026"


def site_env(**extra) -> dict:
    """The environment `make serve` runs the site with, pointed at the hostile cluster and Redis."""
    return {**os.environ, "DATABASE_URL": DATABASE_URL, "CACHE_URL": CACHE_URL, **extra}


def manage(*args, **env) -> str:
    """Run a management command with the production configuration; return its output."""
    prod = {
        "DEBUG": "0",
        "SECRET_KEY": "make-serve-local-only-key-never-use-it-in-production-7f3a9c",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=site_env(**prod, **env),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def shell(code: str) -> object:
    """Run Python in the site's configuration (`manage.py shell`); return what it printed, read as JSON."""
    return json.loads(manage("shell", "-c", code).strip().splitlines()[-1])


def pg_cluster(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"), key=float)[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, PG_CLUSTER, action], check=True, capture_output=True
    )


def pg_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PG_PORT)]).returncode == 0


_prepared = False  # by this process: each test asks, the first prepares


def prepare_database() -> None:
    """The hostile database: created, migrated and seeded once (later runs reuse it), and a verified shopper."""
    global _prepared
    if not pg_ready():
        pg_cluster("start")
    if _prepared:
        return
    listed = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-tAc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if "atelier_hostile" not in listed:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "atelier_hostile"], check=True
        )
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo", "--if-empty", "--pieces", str(DEMO_PIECES))
    shell(
        "from django.contrib.auth import get_user_model; from allauth.account.models import EmailAddress; "
        f"u, _ = get_user_model().objects.get_or_create(username='hostile-shopper', email='{SHOPPER_EMAIL}'); "
        f"u.set_password('{SHOPPER_PASSWORD}'); u.save(); "
        f"EmailAddress.objects.update_or_create(user=u, email='{SHOPPER_EMAIL}',"
        " defaults={'verified': True, 'primary': True}); print(u.pk)"
    )
    _prepared = True


def free_port() -> int:
    """A port nothing listens on now, for a server of the test's own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A Redis server of the test's own, on a free port, that the test may stop and start again (empty)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


class Server:
    """`make serve` on one port, in its own process group; `stop()` ends the whole group."""

    def __init__(self, port: int, workers: int | None = None, **env):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(f"/tmp/atelier-hostile-{port}.log")
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"SERVE_PORT={port}"],
            cwd=ROOT,
            # gunicorn.conf.py's own number of workers unless told otherwise.
            env=site_env(GUNICORN_ACCESS_LOG="", **({"GUNICORN_WORKERS": str(workers)} if workers else {}), **env),
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make serve exited: {self.log_path.read_text()[-2000:]}")
            try:
                if Visitor(self.url).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the site did not answer in {seconds} s: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def serving(*ports: int, workers: int | None = None, **env):
    servers = []
    try:
        for port in ports:
            servers.append(Server(port, workers=workers, **env))
        yield servers
    finally:
        for server in servers:
            server.stop()


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class Visitor:
    """A visitor with a cookie jar, who may move from one app server to another (same site, another port)."""

    def __init__(self, url: str, timeout: float = 10):
        self.url = url
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        parts = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Referer": self.url + path}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.getheaders(), raw.read())
        finally:
            connection.close()
        for key, value in response.headers:
            if key.lower() == "set-cookie":
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict, page: str | None = None) -> Response:
        """POST a form with the CSRF token the site gave this visitor (on `page`, the form's own by default)."""
        if "csrftoken" not in self.cookies:
            self.get(page or path)
        return self.request("POST", path, {"csrfmiddlewaretoken": self.cookies["csrftoken"], **form})

    def sign_in(self, email: str = SHOPPER_EMAIL, password: str = SHOPPER_PASSWORD) -> None:
        response = self.post("/accounts/login/", {"login": email, "password": password})
        assert response.status == 302, response.text[:2000]

    def on(self, url: str) -> "Visitor":
        """The same visitor (same cookies) sent to another app server, as a load balancer would."""
        other = Visitor(url, self.timeout)
        other.cookies = self.cookies
        return other


def page_title(response: Response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text, re.S)
    return match.group(1).strip() if match else ""


# --- The shopper workload, driven by wrk from a second process -------------------------------------------------


def shopper_paths() -> list[str]:
    """Listings with filters, searches, piece pages and comparisons, from the seeded catalog; each answers 200."""
    catalog = shell(
        "import json; from catalog.models import Piece, Category, Material, Technique; "
        "slugs = list(Piece.objects.published().order_by('pk').values_list('slug', flat=True)[:60]); "
        "print(json.dumps({'pieces': slugs,"
        " 'categories': list(Category.objects.values_list('slug', flat=True)[:6]),"
        " 'materials': list(Material.objects.values_list('slug', flat=True)[:6]),"
        " 'techniques': list(Technique.objects.values_list('slug', flat=True)[:6])}))"
    )
    pieces = catalog["pieces"]
    listings = ["/pieces/", "/pieces/?method=handcrafted", "/pieces/?by_hand=1&sort=price", "/pieces/?recycled=1"]
    listings += [f"/pieces/?category={c}&sort=-price" for c in catalog["categories"]]
    listings += [f"/pieces/?metal={m}&method=handcrafted&method=hand_finished" for m in catalog["materials"]]
    listings += [f"/pieces/?technique={t}&personalizable=1" for t in catalog["techniques"]]
    listings += ["/pieces/?price_min=50&price_max=400&availability=one_of_a_kind", "/pieces/?verified=1&solid=1"]
    # Searched as typed (`words` beside `q`): a `q` read as filters is answered by a redirect to them
    # (catalog.listing.reading), and these pages are what a shopper then lands on.
    words = ("silver", "ring", "hand+forged", "gold+earrings", "pearl", "garnet", "hammered+moon")
    searches = [f"/pieces/?q={word}&words={word}" for word in words]
    piece_pages = [f"/pieces/{slug}/" for slug in pieces]
    comparisons = [f"/compare/?pieces={','.join(pieces[i : i + 3])}" for i in range(0, 30, 3)]
    return listings * 2 + searches + piece_pages + comparisons


def write_paths(path: Path, paths: list[str]) -> Path:
    path.write_text("\n".join(paths) + "\n")
    return path


def wrk_command(url: str, paths_file: Path, *, seconds: int, connections: int = 32) -> tuple[list[str], dict]:
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        # Requests queue in gunicorn's backlog behind 32 clients on a small (and maybe busy) machine;
        # how long they wait is measured and recorded, not asserted (speed is bench/'s business). Only
        # a request with no answer after a minute, twice gunicorn's own timeout, counts as an error.
        "--timeout",
        "60s",
        "--latency",
        "--script",
        str(Path(__file__).with_name("shopper.lua")),
        url,
    ]
    return command, {**os.environ, "WRK_PATHS": str(paths_file)}


def wrk_summary(output: str) -> dict:
    line = next(line for line in output.splitlines() if line.startswith("WRK-SUMMARY "))
    summary = json.loads(line.removeprefix("WRK-SUMMARY "))
    summary["socket_errors"] = sum(summary[k] for k in ("connect", "read", "write", "timeout"))
    return summary
