"""
Photos fetched from their addresses, behind the guard against server-side request forgery: off by
default; https only; public addresses only (literal, disguised, resolved, redirected to); the
checked address dialled, never looked up twice; size, time, type and redirect limits.

No test reaches the internet or a real resolver: the resolver is replaced by a table, and every
connection is checked to go to the tests' own server on 127.0.0.1 (or refused before it is made).
"""

import ipaddress
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3
from django.template.defaultfilters import filesizeformat

from artisans.images import ERROR_NOT_AN_IMAGE
from artisans.tests.uploads import encoded, jpeg_with_everything, metadata_blocks
from catalog.imports import fetch
from catalog.imports.fetch import (
    ERROR_CERTIFICATE,
    ERROR_CREDENTIALS,
    ERROR_FETCH_OFF,
    ERROR_NOT_HTTPS,
    ERROR_NOT_PUBLIC,
    ERROR_TIMEOUT,
    ERROR_TOO_LARGE,
    ERROR_TOO_MANY_REDIRECTS,
    FetchRefused,
    address_is_public,
    fetch_allowed,
    fetch_photo,
    photo_from_url,
)
from catalog.imports.fetch import (
    ERROR_NOT_AN_IMAGE as ERROR_FETCHED_NOT_AN_IMAGE,
)
from catalog.imports.photos import PhotoRefused

JPEG = encoded("JPEG", size=(24, 30))
PUBLIC = "93.184.216.34"
NAMES = {
    "photos.example": [PUBLIC],
    "localhost": ["127.0.0.1", "::1"],
    "internal.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC, "10.0.0.5"],
    "v6.example": ["2606:2800:220:1:248:1893:25c8:1946"],
    "v6-private.example": ["fd00::1"],
}


@pytest.fixture(autouse=True)
def guarded(settings, monkeypatch):
    """Fetching on, the tests' own resolver, and no connection anywhere but 127.0.0.1."""
    settings.IMPORT_FETCH_PHOTOS = True
    settings.IMPORT_FETCH_TEST_ADDRESSES = frozenset()
    settings.IMPORT_FETCH_CONNECT_TIMEOUT = 1.0
    settings.IMPORT_FETCH_TOTAL_TIMEOUT = 0.5
    looked_up, dialled = [], []

    def resolve(host, port):
        looked_up.append(host)
        if host not in NAMES:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return NAMES[host]

    real_connect = urllib3.util.connection.create_connection

    def connect(address, *args, **kwargs):
        dialled.append(address[0])
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError("the tests connect to 127.0.0.1 only")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(fetch, "_resolve", resolve)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    return looked_up, dialled


def refused(url):
    with pytest.raises(FetchRefused) as refusal:
        fetch_photo(url)
    return refusal.value


# --- Refused before any connection ----------------------------------------------------------


def test_fetching_is_off_unless_the_setting_turns_it_on(settings, guarded):
    settings.IMPORT_FETCH_PHOTOS = False
    assert not fetch_allowed()
    refusal = refused("https://photos.example/ring.jpg")
    assert refusal.code == "fetch_off"
    assert refusal.messages == [ERROR_FETCH_OFF]
    assert guarded == ([], [])


def test_fetching_is_off_by_default():
    from marketplace import settings as project_settings

    assert project_settings.IMPORT_FETCH_PHOTOS is False
    assert project_settings.IMPORT_FETCH_TEST_ADDRESSES == frozenset()


@pytest.mark.parametrize(
    "url",
    ["http://photos.example/ring.jpg", "file:///etc/passwd", "ftp://photos.example/ring.jpg", "gopher://x/"],
)
def test_anything_but_https_is_refused_without_a_lookup(url, guarded):
    refusal = refused(url)
    assert refusal.code == "not_https"
    assert refusal.messages == [ERROR_NOT_HTTPS % {"url": url}]
    assert guarded == ([], [])


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://127.0.0.1/", "127.0.0.1"),
        ("https://[::1]/", "::1"),
        ("https://10.0.0.1/", "10.0.0.1"),
        ("https://192.168.1.1/", "192.168.1.1"),
        ("https://172.16.0.1/", "172.16.0.1"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://100.64.0.1/", "100.64.0.1"),
        ("https://0.0.0.0/", "0.0.0.0"),
        ("https://224.0.0.1/", "224.0.0.1"),
        ("https://240.0.0.1/", "240.0.0.1"),
        ("https://255.255.255.255/", "255.255.255.255"),
        ("https://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("https://[::ffff:a9fe:a9fe]/", "::ffff:a9fe:a9fe"),
        ("https://[64:ff9b::a00:1]/", "64:ff9b::a00:1"),
        ("https://[2002:a00:1::1]/", "2002:a00:1::1"),
        ("https://[fe80::1]/", "fe80::1"),
        ("https://[fc00::1]/", "fc00::1"),
        ("https://[::]/", "::"),
        ("https://0x7f000001/", "0x7f000001"),
        ("https://2130706433/", "2130706433"),
        ("https://0177.0.0.1/", "0177.0.0.1"),
        ("https://127.1/", "127.1"),
        ("https://0x7f.0.0.1/", "0x7f.0.0.1"),
        ("https://localhost/", "localhost"),
        ("https://LOCALHOST./ring.jpg", "localhost"),
        ("https://internal.example/ring.jpg", "internal.example"),
        ("https://metadata.example/latest/meta-data/", "metadata.example"),
        ("https://mixed.example/ring.jpg", "mixed.example"),
        ("https://v6-private.example/ring.jpg", "v6-private.example"),
    ],
)
def test_an_address_that_is_not_public_is_refused_and_never_dialled(url, host, guarded):
    refusal = refused(url)
    assert refusal.code == "not_public"
    assert refusal.messages == [ERROR_NOT_PUBLIC % {"host": host}]
    assert guarded[1] == []


@pytest.mark.parametrize("url", ["https://user:secret@photos.example/ring.jpg", "https://token@photos.example/"])
def test_credentials_in_the_address_are_refused(url, guarded):
    refusal = refused(url)
    assert refusal.code == "credentials"
    assert refusal.messages == [ERROR_CREDENTIALS]
    assert guarded == ([], [])


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ring.jpg", "bad_url"),
        ("https:///ring.jpg", "bad_url"),
        ("https://photos.example:99999/ring.jpg", "bad_url"),
        ("https://nowhere.example/ring.jpg", "unknown_host"),
        ("https://xn--a.example/", "unknown_host"),
    ],
)
def test_an_address_that_cannot_be_fetched_from_is_refused_with_a_reason(url, code, guarded):
    assert refused(url).code == code
    assert guarded[1] == []


def test_a_public_name_is_let_through_to_the_address_it_was_checked_at(guarded):
    target = fetch._Target("https://Photos.Example/shop/ring.jpg?size=full")
    assert target.address == ipaddress.ip_address(PUBLIC)
    assert target.host == "photos.example"
    assert target.path == "/shop/ring.jpg?size=full"
    assert target.host_header == "photos.example"
    assert fetch._Target("https://v6.example:8443/").host_header == "v6.example:8443"


def test_the_name_is_kept_for_tls_while_the_checked_address_is_dialled(guarded):
    pool = fetch._Target("https://photos.example/ring.jpg").pool(urllib3.Timeout(1))
    assert pool.host == PUBLIC
    assert pool.conn_kw["server_hostname"] == "photos.example"
    assert pool.assert_hostname == "photos.example"
    assert pool.cert_reqs == "CERT_REQUIRED"


def test_the_name_is_looked_up_once_and_that_address_dialled_dns_rebinding(monkeypatch, guarded):
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    looked_up, dialled = guarded
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: looked_up.append(host) or next(answers))
    refusal = refused("https://rebinding.example/ring.jpg")
    assert refusal.code == "unreachable"  # the tests refuse to connect anywhere but 127.0.0.1
    assert looked_up == ["rebinding.example"]
    assert dialled == [PUBLIC]


@pytest.mark.parametrize("address", ["8.8.8.8", PUBLIC, "2606:4700:4700::1111", "1.1.1.1"])
def test_public_addresses_are_public(address):
    assert address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["::ffff:10.0.0.1", "2002:c0a8:101::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "64:ff9b::7f00:1"]
)
def test_an_ipv6_address_carrying_a_private_ipv4_one_is_not_public(address):
    assert not address_is_public(ipaddress.ip_address(address))


# --- Against the tests' own server ----------------------------------------------------------


class PhotoServer(BaseHTTPRequestHandler):
    """Answers as a photo host, a hostile one, or a slow one, by path."""

    hosts_seen: list = []

    def log_message(self, *args):
        pass

    def _send(self, status, content_type=None, body=b"", headers=()):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        PhotoServer.hosts_seen.append(self.headers.get("Host"))
        path = self.path
        here = f"http://127.0.0.1:{self.server.server_port}"
        if path == "/ring.jpg":
            self._send(200, "image/jpeg", JPEG)
        elif path == "/everything.jpg":
            self._send(200, "image/jpeg; charset=binary", jpeg_with_everything())
        elif path == "/fake.jpg":
            self._send(200, "image/jpeg", b"<html><script>alert(1)</script></html>")
        elif path == "/page.html":
            self._send(200, "text/html", b"<html></html>")
        elif path == "/no-type":
            self._send(200, None, JPEG)
        elif path == "/gone.jpg":
            self._send(404, "text/plain", b"gone")
        elif path == "/packed.jpg":
            self._send(200, "image/jpeg", JPEG, headers=[("Content-Encoding", "gzip")])
        elif path.startswith("/go/"):
            self._send(302, None, b"", headers=[("Location", path[len("/go") :].replace("/_", here + "/", 1))])
        elif path.startswith("/to/"):
            self._send(302, None, b"", headers=[("Location", path[len("/to/") :].replace("_/", "://", 1))])
        elif path == "/relative":
            self._send(301, None, b"", headers=[("Location", "/ring.jpg")])
        elif path == "/nowhere":
            self._send(302, None, b"")
        elif path == "/loop":
            self._send(302, None, b"", headers=[("Location", "/loop")])
        elif path == "/declared-huge.jpg":
            self._send(200, "image/jpeg", None, headers=[("Content-Length", str(10**9))])
        elif path == "/endless.jpg":
            self._send(200, "image/jpeg", None)
            self._pour(b"\xff" * 65536, pause=0)
        elif path == "/drip.jpg":
            self._send(200, "image/jpeg", None)
            self._pour(b"\xff", pause=0.05)
        elif path == "/stall.jpg":
            self._send(200, "image/jpeg", None, headers=[("Content-Length", "1000")])
            time.sleep(1.5)
        else:
            self._send(404, "text/plain", b"")

    def _pour(self, chunk, pause):
        deadline = time.monotonic() + 3
        try:
            while time.monotonic() < deadline:
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:  # the client hung up: what the test wants
            pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PhotoServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local(settings, server):
    """The tests' own server, allowed explicitly (and over http) by the test-only setting."""
    settings.IMPORT_FETCH_TEST_ADDRESSES = frozenset({"127.0.0.1"})
    PhotoServer.hosts_seen.clear()
    return server


def test_a_photo_is_fetched_from_an_allowed_server_with_the_host_header(local, guarded):
    assert fetch_photo(f"{local}/ring.jpg") == JPEG
    assert PhotoServer.hosts_seen == [local.removeprefix("http://")]
    assert guarded[0] == []  # an address: nothing looked up


def test_the_test_addresses_allow_nothing_without_the_setting(settings, server):
    settings.IMPORT_FETCH_TEST_ADDRESSES = frozenset()
    assert refused(f"{server}/ring.jpg").code == "not_https"


def test_a_fetched_photo_goes_through_the_image_pipeline(local):
    data = photo_from_url(f"{local}/everything.jpg").read()
    assert metadata_blocks(data) == set()
    assert b"<script" not in data


def test_a_fake_photo_is_refused_with_the_pipelines_message(local):
    with pytest.raises(PhotoRefused) as refusal:
        photo_from_url(f"{local}/fake.jpg")
    assert refusal.value.code == "not_an_image"
    assert refusal.value.messages == [ERROR_NOT_AN_IMAGE]


@pytest.mark.parametrize(("path", "kind"), [("/page.html", "text/html"), ("/no-type", "unnamed")])
def test_an_answer_that_is_not_an_image_is_refused(local, path, kind):
    refusal = refused(f"{local}{path}")
    assert refusal.code == "not_an_image"
    assert refusal.messages == [ERROR_FETCHED_NOT_AN_IMAGE % {"url": f"{local}{path}", "type": kind}]


def test_an_error_status_and_a_packed_answer_are_refused(local):
    assert refused(f"{local}/gone.jpg").code == "status"
    assert refused(f"{local}/packed.jpg").code == "encoded"
    assert refused(f"{local}/nowhere").code == "status"


def test_a_redirect_to_an_allowed_address_is_followed(local):
    assert fetch_photo(f"{local}/go/_ring.jpg") == JPEG
    assert fetch_photo(f"{local}/relative") == JPEG


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("https_/127.0.0.2/ring.jpg", "not_public"),
        ("https_/10.0.0.1/ring.jpg", "not_public"),
        ("https_/169.254.169.254/latest/meta-data/", "not_public"),
        ("https_/localhost/ring.jpg", "not_public"),
        ("https_/internal.example/ring.jpg", "not_public"),
        ("http_/127.0.0.2/ring.jpg", "not_https"),
        ("http_/10.0.0.1/ring.jpg", "not_https"),
        ("file_//etc/passwd", "not_https"),
    ],
)
def test_a_redirect_to_an_address_that_is_not_public_is_refused(local, guarded, target, code):
    assert refused(f"{local}/to/{target}").code == code
    assert set(guarded[1]) == {"127.0.0.1"}  # only the first hop was dialled


def test_more_than_three_redirects_are_refused(local):
    refusal = refused(f"{local}/loop")
    assert refusal.code == "too_many_redirects"
    assert refusal.messages == [ERROR_TOO_MANY_REDIRECTS % {"limit": 3}]
    assert len(PhotoServer.hosts_seen) == 4


def test_a_declared_length_past_the_limit_is_refused_before_reading(local, settings):
    refusal = refused(f"{local}/declared-huge.jpg")
    assert refusal.code == "too_large"
    limit = filesizeformat(settings.MAX_UPLOAD_BYTES)
    assert refusal.messages == [ERROR_TOO_LARGE % {"url": f"{local}/declared-huge.jpg", "limit": limit}]


def test_an_endless_body_is_cut_off_at_the_limit(local, settings):
    settings.MAX_UPLOAD_BYTES = 200_000
    started = time.monotonic()
    assert refused(f"{local}/endless.jpg").code == "too_large"
    assert time.monotonic() - started < 0.5


def test_a_body_dripping_in_is_stopped_at_the_total_time(local):
    started = time.monotonic()
    refusal = refused(f"{local}/drip.jpg")
    assert refusal.code == "timeout"
    assert refusal.messages == [ERROR_TIMEOUT % {"host": "127.0.0.1", "seconds": "0.5"}]
    assert time.monotonic() - started < 0.9


def test_a_stalled_body_is_stopped_at_the_total_time(local):
    started = time.monotonic()
    assert refused(f"{local}/stall.jpg").code == "timeout"
    assert time.monotonic() - started < 0.9


def test_a_closed_port_is_unreachable(local, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/ring.jpg").code == "unreachable"


# --- Over TLS: the name for SNI and the certificate, the checked address for the connection ----


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An https photo host on 127.0.0.1 whose certificate names `tls.example`, recording the SNI it is sent."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"]
        + [
            "-subj",
            "/CN=tls.example",
            "-addext",
            "subjectAltName=DNS:tls.example",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PhotoServer)
    httpd.daemon_threads = True
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.server_port, cert, names
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def tls(settings, monkeypatch, tls_server, guarded):
    port, cert, names = tls_server
    settings.IMPORT_FETCH_TEST_ADDRESSES = frozenset({"127.0.0.1"})
    monkeypatch.setitem(NAMES, "tls.example", ["127.0.0.1"])
    monkeypatch.setitem(NAMES, "other.example", ["127.0.0.1"])
    names.clear()
    PhotoServer.hosts_seen.clear()
    return port, cert, names


def test_over_tls_the_name_is_sent_for_sni_and_the_host_header(tls, monkeypatch):
    port, cert, names = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
    assert fetch_photo(f"https://tls.example:{port}/ring.jpg") == JPEG
    assert names == ["tls.example"]
    assert PhotoServer.hosts_seen == [f"tls.example:{port}"]


def test_a_certificate_for_another_name_is_refused(tls, monkeypatch):
    port, cert, names = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    refusal = refused(f"https://other.example:{port}/ring.jpg")
    assert refusal.code == "certificate"
    assert refusal.messages == [ERROR_CERTIFICATE % {"host": "other.example"}]
    assert PhotoServer.hosts_seen == []


def test_a_certificate_no_authority_vouches_for_is_refused(tls):
    port, _cert, _names = tls
    assert refused(f"https://tls.example:{port}/ring.jpg").code == "certificate"
    assert PhotoServer.hosts_seen == []
