"""
The small marketplace the hostile suite attacks, and what it needs to attack it.

`build_world()` makes one of every kind of object a URL can name: two makers
(one the owner, one the intruder), two shoppers, a published piece with
engraving and sizing options, a draft, a collection and two requests. `url_names()`
walks the URLconf itself, so a URL added later is fuzzed too, or the suite
fails until `URL_KWARGS` says how to fill its arguments. `snapshot()` is what
"nothing was written" is measured against.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import PersonalizationKind, PieceStatus, ReviewState
from catalog.listing.filters import ArtisanFilter, PieceFilter
from catalog.models import ImportFormat, ImportJob, RequestState
from catalog.shoppers.alerts import unsubscribe_token
from catalog.tests.factories import (
    CertificationFactory,
    CollectionPieceFactory,
    PersonalizationOptionFactory,
    PersonalizationRequestFactory,
    ReviewFactory,
    piece_with_details,
)
from catalog.tests.request_helpers import request_in
from catalog.trust.services import maker_claim_add

# SQL-looking and template-looking strings, markup that would run if it came back unescaped,
# and the values that break naive parsers of numbers, dates and text.
INJECTIONS = [
    "' OR 1=1--",
    "1; DROP TABLE catalog_piece;--",
    "{{ 7*7 }}",
    "{% debug %}",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
]
NASTY_VALUES = [
    *INJECTIONS,
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "-0",
    "1e309",
    "NaN",
    "Infinity",
    "9" * 40,
    "٣٤",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "x" * 5000,
    "../../etc/passwd",
    "%00",
    "\u202e\ufeff",
]


@dataclass
class World:
    maker: object  # the approved Artisan who owns `piece`, `draft` and `request`
    other_maker: object
    shopper: object  # the user who sent `request`
    other_shopper: object
    newcomer: object  # a signed-up user who has not applied to sell
    piece: object
    draft: object
    collection: object
    request: object
    accepted_request: object  # from `shopper`, accepted: the maker may share a proof
    quoted_request: object  # from `shopper`, quoted: the shopper may accept it from its summary
    rejected_review: object  # staff rejected `piece`'s handcrafted claim: the maker may appeal
    waiting_claim: object  # `maker`'s certification claim, waiting for staff: the maker may withdraw it
    import_job: object  # `maker`'s import, previewed: waiting for the maker's confirmation


def build_world() -> World:
    maker = ArtisanFactory()
    other_maker = ArtisanFactory()
    piece = piece_with_details(artisan=maker)
    PersonalizationOptionFactory(piece=piece, kind=PersonalizationKind.SIZING, max_characters=None)
    draft = piece_with_details(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    collection = CollectionPieceFactory(piece=piece).collection
    shopper = UserFactory()
    request = PersonalizationRequestFactory(piece=piece, shopper=shopper)
    return World(
        maker=maker,
        other_maker=other_maker,
        shopper=shopper,
        other_shopper=UserFactory(),
        newcomer=UserFactory(),
        piece=piece,
        draft=draft,
        collection=collection,
        request=request,
        accepted_request=request_in(RequestState.ACCEPTED, piece=piece, shopper=shopper),
        quoted_request=request_in(RequestState.QUOTED, piece=piece, shopper=shopper),
        rejected_review=ReviewFactory(
            piece=piece,
            state=ReviewState.REJECTED,
            note="No process photos.",
            decided_by=StaffFactory(),
            decided_at=timezone.now(),
        ),
        waiting_claim=maker_claim_add(
            artisan=maker,
            actor=maker.user,
            certification=CertificationFactory(name="RJC Code of Practices", slug="rjc-cop"),
            certificate_number="RJC-0001",
        ),
        import_job=ImportJob.objects.create(
            artisan=maker,
            created_by=maker.user,
            format=ImportFormat.ATELIER,
            csv_name="pieces.csv",
            csv_bytes=b"title,category,price,availability\nSilver band,Rings,120,One of a kind\n",
            rows_total=1,
        ),
    )


def client_for(user=None) -> Client:
    """A test client signed in as `user` (anonymous for None); the sign-in is written before any snapshot."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- The URLconf --------------------------------------------------------------

# How to fill each URL's arguments from the world. A URL missing here fails
# `test_every_url_is_fuzzed`, so that a new page cannot escape the suite.
URL_KWARGS = {
    "catalog:piece_detail": lambda w: {"slug": w.piece.slug},
    "catalog:collection_detail": lambda w: {"slug": w.collection.slug},
    "artisans:artisan_detail": lambda w: {"slug": w.maker.slug},
    "requests:create_for_piece": lambda w: {"slug": w.piece.slug},
    "requests:create_for_artisan": lambda w: {"artisan_slug": w.maker.slug},
    "requests:detail": lambda w: {"pk": w.request.pk},
    "requests:confirm": lambda w: {"pk": w.quoted_request.pk},
    "requests:action": lambda w: {"pk": w.request.pk, "action": "message"},
    "studio:piece_update": lambda w: {"pk": w.piece.pk},
    "studio:piece_preview": lambda w: {"pk": w.draft.pk},
    "studio:piece_action": lambda w: {"pk": w.draft.pk, "action": "publish"},
    "studio:request_detail": lambda w: {"pk": w.request.pk},
    "studio:request_action": lambda w: {"pk": w.request.pk, "action": "message"},
    "studio:review_appeal": lambda w: {"pk": w.rejected_review.pk},
    "studio:certification_withdraw": lambda w: {"pk": w.waiting_claim.pk},
    "studio:import_detail": lambda w: {"pk": w.import_job.pk},
    "studio:import_confirm": lambda w: {"pk": w.import_job.pk},
    "studio:import_progress": lambda w: {"pk": w.import_job.pk},
    "studio:piece_duplicate": lambda w: {"pk": w.piece.pk},
    "catalog:piece_report": lambda w: {"slug": w.piece.slug},
    "sitemap_section": lambda w: {"section": "pieces"},
    "account_confirm_email": lambda w: {"key": "MQ:made-up-key"},
    "account_reset_password_from_key": lambda w: {"uidb36": "1", "key": "made-up-key"},
    "shoppers:piece_save": lambda w: {"slug": w.piece.slug},
    "shoppers:maker_follow": lambda w: {"slug": w.maker.slug},
    # Saved searches: the edits are POST only (any id reverses); the unsubscribe page needs a real signed token.
    "shoppers:search_rename": lambda w: {"pk": 1},
    "shoppers:search_frequency": lambda w: {"pk": 1},
    "shoppers:search_delete": lambda w: {"pk": 1},
    "shoppers:unsubscribe": lambda w: {"token": unsubscribe_token(shopper_id=w.shopper.pk)},
}

# URL names that are not pages to open (the browser walks and the HTML check leave them out), and why.
# The admin is already left out of `url_names()` (Django's own screens, for staff only).
PAGES_NOT_OPENED = {
    # allauth pages that only mean something with a real emailed token; with a made-up one they
    # show the same "bad link" sentence the other account pages already show.
    "account_confirm_email": "needs a real e-mail confirmation key",
    "account_reset_password_from_key": "needs a real password-reset token",
    # POST only: a GET is refused with 405 and no page.
    "studio:piece_action": "POST only",
    "studio:certification_withdraw": "POST only",
    "studio:request_action": "POST only",
    "studio:import_confirm": "POST only",
    "studio:piece_duplicate": "POST only",
    "requests:action": "POST only",
    "catalog:compare_toggle": "POST only",
    "catalog:compare_remove": "POST only",
    "catalog:compare_clear": "POST only",
    "shoppers:piece_save": "POST only",
    "shoppers:maker_follow": "POST only",
    "shoppers:search_save": "POST only",
    "shoppers:search_rename": "POST only",
    "shoppers:search_frequency": "POST only",
    "shoppers:search_delete": "POST only",
    # Not HTML pages: nothing to lay out.
    "healthz": "plain-text health check",
    "robots_txt": "plain text",
    "favicon": "an icon",
    "sitemap": "XML",
    "sitemap_section": "XML",
    "people:data_download": "a JSON attachment",
    "studio:import_template": "a CSV attachment",
    "studio:export": "a CSV attachment",
}

# URLs left out of the query fuzzing, and why.
NOT_FUZZED = {
    "admin": "Django's own admin, for staff only; its forms are covered by the admin tests",
    "media": "served by the storage (object storage in production), not by the app",
}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name


def url_names() -> list[str]:
    """Every named URL of the site outside the admin, in URLconf order; an unnamed one fails loudly."""
    names = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") or route.lstrip("^").startswith("media/"):
            continue
        assert name, f"The URL {route!r} has no name: name it so that the hostile suite can fuzz it."
        if name not in names:
            names.append(name)
    return names


# The parameters some view reads, beyond the filters: pagination, the compare list, studio filters, redirects.
OTHER_PARAMETERS = {"page", "pieces", "status", "state", "next", "piece", "key", "section", "p"}


def parameter_names():
    """The query parameters the views read: every filter's, and the others some view reads."""
    return {*PieceFilter.base_filters, *ArtisanFilter.base_filters, *OTHER_PARAMETERS}


def visitor(name: str, world: World):
    """Who the URL is for: the maker for the studio, the shopper for requests and their name, anyone else the rest."""
    if name == "studio:apply":
        return world.newcomer
    if name.startswith("studio:"):
        return world.maker.user
    if name.startswith(("requests:", "people:")) or name == "catalog:piece_report":
        return world.shopper
    if name in ("shoppers:saved", "shoppers:following"):
        return world.shopper
    if name == "shoppers:searches":
        return world.shopper
    return None


def url_for(name: str, world: World) -> str:
    return reverse(name, kwargs=URL_KWARGS[name](world) if name in URL_KWARGS else None)


# --- What was written ---------------------------------------------------------

# Rows that change on every visit by design: sessions (the compare tray, sign-in).
UNSNAPSHOTTED = {"sessions.session"}


def _snapshotted_models():
    return [
        model for model in apps.get_models() if model._meta.managed and model._meta.label_lower not in UNSNAPSHOTTED
    ]


def snapshot() -> dict[str, str]:
    """A digest of every row of every table: two equal snapshots mean nothing was written in between."""
    if connection.vendor == "postgresql":
        return _digests_in_postgresql(_snapshotted_models())
    digests = {}
    for model in _snapshotted_models():
        rows = model._default_manager.order_by("pk").values_list()
        digests[model._meta.label_lower] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def _digests_in_postgresql(models) -> dict[str, str]:
    """The same digests computed by PostgreSQL, in one query: the rows never travel (a tenth of the time)."""
    quote = connection.ops.quote_name
    selects = [
        f"SELECT %s, md5(coalesce(string_agg(r::text, ',' ORDER BY r.{quote(model._meta.pk.column)}), ''))"
        f" FROM {quote(model._meta.db_table)} AS r"
        for model in models
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), [model._meta.label_lower for model in models])
        return dict(cursor.fetchall())


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


def accepted(response) -> bool:
    """A form was accepted when it redirected with a success or information message (refusals say why)."""
    levels = {message.level for message in get_messages(response.wsgi_request)}
    return response.status_code in (301, 302, 303) and bool(levels & {messages.SUCCESS, messages.INFO})


def future(days=30) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
