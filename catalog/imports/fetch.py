"""
Photos fetched from the web addresses a spreadsheet gives (an Etsy export's IMAGE1 … IMAGE10),
behind a guard against server-side request forgery.

`fetch_photo(url)` returns the photo's bytes, or raises `FetchRefused` (a `PhotoRefused`, with one
of the `ERROR_*` messages and a code). It fetches only when the setting `IMPORT_FETCH_PHOTOS` is
on (off by default), and then only:
- over https (never a look-up for an http address), from a host name or address with no user
  name or password in the URL, on any port;
- from public addresses: the host is resolved once, and every address it resolves to must be
  global (`ipaddress`'s `is_global`, and none of loopback, private, link-local, multicast,
  reserved, unspecified; IPv4 inside IPv6, as mapped, 6to4, Teredo or NAT64 addresses, is checked
  as the IPv4 it carries); host names written as numbers in another base (`0x7f000001`,
  `2130706433`, `0177.0.0.1`) are refused before any lookup;
- by connecting to the address that was checked, never resolving the name again (so DNS
  rebinding cannot swap it), while the host name is kept for TLS (SNI and the certificate's check,
  against the system's authorities) and for the Host header;
- following at most `MAX_REDIRECTS` redirects, each one checked again the same way;
- within `MAX_UPLOAD_BYTES` (the declared length refused early, and reading stopped past it), a
  connect timeout and a total time (`IMPORT_FETCH_CONNECT_TIMEOUT`, `IMPORT_FETCH_TOTAL_TIMEOUT`,
  seconds; the total is re-armed before every read, so a server dripping bytes is cut off too);
- for answers that say they are an image (`Content-Type: image/*`), sent without a content
  encoding (the photo's bytes as they are: nothing to inflate).

`IMPORT_FETCH_TEST_ADDRESSES` (empty in every deployment) lists addresses the tests' own local
server listens on: those are let through although not public, and over http too.

`photo_from_url(url)` is the fetch and the image pipeline in one: a clean `ContentFile`, or
`PhotoRefused` with the pipeline's message.
"""

import ipaddress
import re
import socket
import time
import unicodedata
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

from artisans.images import image_clean

from .photos import HIDDEN_CATEGORIES, PhotoRefused, base_name

ERROR_FETCH_OFF = (
    "Fetching photos from their web addresses is turned off on this site. Put the photos in a zip and upload it."
)
ERROR_BAD_URL = "“%(url)s” is not a web address a photo can be fetched from."
ERROR_NOT_HTTPS = "Photos are fetched over https only, and “%(url)s” is not an https address."
ERROR_CREDENTIALS = "A photo's web address cannot hold a user name or a password."
ERROR_NOT_PUBLIC = "“%(host)s” is not a public address on the internet, so no photo is fetched from it."
ERROR_UNKNOWN_HOST = "“%(host)s” could not be found on the internet."
ERROR_UNREACHABLE = "“%(host)s” could not be reached. Check the address, or put the photo in the zip."
ERROR_CERTIFICATE = "“%(host)s” could not prove who it is (its https certificate is not valid), so no photo is fetched."
ERROR_TIMEOUT = "“%(host)s” took more than %(seconds)s seconds to send the photo."
ERROR_TOO_MANY_REDIRECTS = "The photo's address sent us on more than %(limit)s times."
ERROR_STATUS = "“%(host)s” answered %(status)s instead of sending the photo."
ERROR_NOT_AN_IMAGE = "“%(url)s” is not a photo: the server says it is “%(type)s”."
ERROR_ENCODED = "“%(url)s” came packed (%(encoding)s) rather than as a photo."
ERROR_TOO_LARGE = "The photo at “%(url)s” is larger than %(limit)s, the most a photo can be."

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
DEFAULT_PORTS = {"https": 443, "http": 80}
CHUNK_BYTES = 64 * 1024
USER_AGENT = "Atelier-import/1 (a maker's photos, fetched once)"
# A host name made only of digits, dots and hex letters with an 'x' is an address in disguise
# (the resolver reads `0x7f000001` or `2130706433` as 127.0.0.1): refused before any lookup.
NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Messages quote addresses cut to this length.
SHOWN = 120


class FetchRefused(PhotoRefused):
    """A photo not fetched: the guard refused its address, or the server's answer was no photo."""


def _shown(text):
    # Control and direction characters (a right-to-left override could disguise a name) become "?".
    text = "".join("?" if unicodedata.category(c) in HIDDEN_CATEGORIES else c for c in str(text))
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _refuse(message, code, **params):
    raise FetchRefused(message % {k: _shown(v) for k, v in params.items()}, code=code)


def fetch_allowed() -> bool:
    """Whether photos may be fetched from their addresses on this site (the setting, off by default)."""
    return bool(settings.IMPORT_FETCH_PHOTOS)


def _carried_ipv4(address):
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo's client, NAT64), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: "ipaddress.IPv4Address | ipaddress.IPv6Address") -> bool:
    """True only for an address anyone on the internet could reach, and so could we without harm."""
    carried = _carried_ipv4(address)
    if carried is not None and not address_is_public(carried):
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 6 and address.is_site_local)
    )


def _test_addresses():
    return {ipaddress.ip_address(address) for address in settings.IMPORT_FETCH_TEST_ADDRESSES}


def _resolve(host, port):
    """Every address `host` resolves to (the system's resolver, once); tests replace it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


class _Target:
    """One URL checked by the guard: the scheme, the host name, the port, the path, and the address to dial."""

    def __init__(self, url):
        self.url = url
        try:
            parts = urlsplit(url.strip())
            self.port = parts.port
        except ValueError:
            _refuse(ERROR_BAD_URL, "bad_url", url=url)
        self.scheme = parts.scheme.lower()
        if self.scheme not in DEFAULT_PORTS:
            if not self.scheme:
                _refuse(ERROR_BAD_URL, "bad_url", url=url)
            _refuse(ERROR_NOT_HTTPS, "not_https", url=url)
        if parts.username is not None or parts.password is not None:
            _refuse(ERROR_CREDENTIALS, "credentials")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            _refuse(ERROR_BAD_URL, "bad_url", url=url)
        self.host = host
        self.port = self.port or DEFAULT_PORTS[self.scheme]
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if self.scheme != "https" and not self._test_address():
            _refuse(ERROR_NOT_HTTPS, "not_https", url=url)
        self.address = self._checked_address()

    def _test_address(self):
        # http only for an address the tests' own server listens on, written as an address: a name
        # is never looked up for an http URL.
        try:
            return ipaddress.ip_address(self.host) in _test_addresses()
        except ValueError:
            return False

    def _checked_address(self):
        try:
            literal = ipaddress.ip_address(self.host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            if NUMERIC_HOST.match(self.host):
                _refuse(ERROR_NOT_PUBLIC, "not_public", host=self.host)
            try:
                self.host.encode("idna")
            except UnicodeError:
                _refuse(ERROR_BAD_URL, "bad_url", url=self.url)
            try:
                found = _resolve(self.host, self.port)
            except (OSError, UnicodeError):
                _refuse(ERROR_UNKNOWN_HOST, "unknown_host", host=self.host)
            try:
                # A scope ("%eth0") is dropped: the address itself is what is judged.
                addresses = [ipaddress.ip_address(str(found_address).split("%")[0]) for found_address in found]
            except ValueError:
                _refuse(ERROR_UNKNOWN_HOST, "unknown_host", host=self.host)
            if not addresses:
                _refuse(ERROR_UNKNOWN_HOST, "unknown_host", host=self.host)
        allowed_for_tests = _test_addresses()
        # Every address must pass, not only the one dialled: a name resolving to one public and
        # one private address is refused, whichever the resolver lists first.
        for address in addresses:
            if address not in allowed_for_tests and not address_is_public(address):
                _refuse(ERROR_NOT_PUBLIC, "not_public", host=self.host)
        return addresses[0]

    @property
    def host_header(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def pool(self, timeout):
        address = str(self.address)
        if self.scheme == "https":
            return urllib3.HTTPSConnectionPool(
                address,
                self.port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                server_hostname=self.host,
                assert_hostname=self.host,
            )
        return urllib3.HTTPConnectionPool(address, self.port, timeout=timeout, retries=False, maxsize=1)


def _rearm(response, seconds):
    """Give the socket's next read only the time left, so the total holds while bytes trickle in."""
    sock = getattr(getattr(response, "connection", None), "sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _read_body(response, target, deadline, total):
    limit = settings.MAX_UPLOAD_BYTES
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        _refuse(ERROR_TOO_LARGE, "too_large", url=target.url, limit=filesizeformat(limit))
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            _refuse(ERROR_TIMEOUT, "timeout", host=target.host, seconds=f"{total:g}")
        _rearm(response, left)
        chunk = response.read1(CHUNK_BYTES)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            _refuse(ERROR_TOO_LARGE, "too_large", url=target.url, limit=filesizeformat(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _fetch_once(target, deadline, total):
    """One request to the checked address: the response's (status, location, body or None)."""
    left = deadline - time.monotonic()
    timeout = urllib3.Timeout(connect=min(settings.IMPORT_FETCH_CONNECT_TIMEOUT, left), read=left)
    pool = target.pool(timeout)
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "image/jpeg,image/png,image/webp,image/*;q=0.8",
        "Accept-Encoding": "identity",
    }
    try:
        response = pool.urlopen(
            "GET",
            target.path,
            headers=headers,
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=False,
            assert_same_host=False,
        )
        try:
            if response.status in REDIRECT_STATUSES:
                return response.status, response.headers.get("Location", ""), None
            if response.status != 200:
                _refuse(ERROR_STATUS, "status", host=target.host, status=response.status)
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if not content_type.startswith("image/"):
                _refuse(ERROR_NOT_AN_IMAGE, "not_an_image", url=target.url, type=content_type or "unnamed")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                _refuse(ERROR_ENCODED, "encoded", url=target.url, encoding=encoding)
            return response.status, None, _read_body(response, target, deadline, total)
        finally:
            response.release_conn()
            response.close()
    except urllib3.exceptions.SSLError:
        _refuse(ERROR_CERTIFICATE, "certificate", host=target.host)
    except urllib3.exceptions.NewConnectionError:  # a ConnectTimeoutError to urllib3, but a refusal
        _refuse(ERROR_UNREACHABLE, "unreachable", host=target.host)
    except (urllib3.exceptions.TimeoutError, TimeoutError):
        _refuse(ERROR_TIMEOUT, "timeout", host=target.host, seconds=f"{total:g}")
    except (urllib3.exceptions.HTTPError, OSError):
        _refuse(ERROR_UNREACHABLE, "unreachable", host=target.host)
    finally:
        pool.close()


def fetch_photo(url: str) -> bytes:
    """
    The bytes at `url`, fetched through the guard the module's docstring describes, or
    `FetchRefused` saying why not (`fetch_off`, `bad_url`, `not_https`, `credentials`,
    `not_public`, `unknown_host`, `unreachable`, `certificate`, `timeout`, `too_many_redirects`,
    `status`, `not_an_image`, `encoded`, `too_large`). The bytes are not yet checked as a photo:
    `photo_from_url` does that.
    """
    if not fetch_allowed():
        raise FetchRefused(ERROR_FETCH_OFF, code="fetch_off")
    total = float(settings.IMPORT_FETCH_TOTAL_TIMEOUT)
    deadline = time.monotonic() + total
    for _hop in range(MAX_REDIRECTS + 1):
        target = _Target(url)
        status, location, body = _fetch_once(target, deadline, total)
        if body is not None:
            return body
        if not location:
            _refuse(ERROR_STATUS, "status", host=target.host, status=status)
        url = urljoin(target.url, location)
    _refuse(ERROR_TOO_MANY_REDIRECTS, "too_many_redirects", limit=MAX_REDIRECTS)


def photo_from_url(url: str) -> ContentFile:
    """The clean copy of the photo at `url` (fetched, then the image pipeline), or `PhotoRefused`."""
    data = fetch_photo(url)
    try:
        return image_clean(ContentFile(data, name=base_name(url) or "photo"))
    except ValidationError as refused:
        raise PhotoRefused(refused.messages[0], code=refused.code) from refused
