"""Alerts of saved searches: what a digest holds, one per shopper, run twice or cut short; unsubscribing."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail, signing
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artisans.models import Artisan
from artisans.services import artisans_suspend
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import PieceStatus, ProductionMethod
from catalog.listing import current_index
from catalog.models import OutboxEmail
from catalog.models.shoppers import AlertFrequency, SavedSearch
from catalog.shoppers import alerts
from catalog.shoppers.alerts import CUTOFF_LAG, alerts_send, unsubscribe_token
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
LAST_WEEK = NOW - timedelta(days=8)


def piece(title, *, days_ago=1, **kwargs):
    return PieceFactory(title=title, published_at=NOW - timedelta(days=days_ago), **kwargs)


def search(shopper, query="method=handcrafted", *, name="Handcrafted", alerted_until=LAST_WEEK, **kwargs):
    return SavedSearch.objects.create(shopper=shopper, query=query, name=name, alerted_until=alerted_until, **kwargs)


@pytest.fixture
def shopper():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def pieces():
    """A new handcrafted ring, a new mass-produced chain, and a handcrafted bangle older than the last digest."""
    return {
        "new match": piece("Forged silver ring", days_ago=1),
        "new other": piece("Stamped chain", days_ago=1, production_method=ProductionMethod.MASS_PRODUCED),
        "old match": piece("Old bangle", days_ago=10),
    }


def digest():
    """The one email sent, as text."""
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


# --- What a digest holds ------------------------------------------------------------------------


def test_a_digest_lists_the_new_matching_pieces_only(shopper, pieces):
    item = search(shopper)
    run = alerts_send(now=NOW)
    email = digest()
    assert email.to == ["ada@example.com"]
    assert "Forged silver ring" in email.body
    assert "Stamped chain" not in email.body  # does not match
    assert "Old bangle" not in email.body  # published before the last digest
    assert (run.emails, run.searches, run.matched) == (1, 1, 1)
    item.refresh_from_db()
    assert item.alerted_until == NOW - CUTOFF_LAG


def test_a_digest_shows_the_photo_the_distinctions_the_price_and_the_links(shopper, settings):
    settings.SITE_URL = "https://atelier.example"
    ring = piece("Forged silver ring")
    PieceImageFactory(piece=ring)
    PieceMaterialFactory(piece=ring, material=MaterialFactory(name="Silver", slug="silver"), recycled=True)
    item = search(shopper)
    alerts_send(now=NOW)
    email = digest()
    html = email.alternatives[0][0]
    assert 'src="https://atelier.example/' in html  # the thumbnail's absolute address
    assert f'href="https://atelier.example{ring.get_absolute_url()}"' in html
    for fact in ("Handcrafted", "One of a kind", "€180", "Recycled silver (maker's statement)"):
        assert fact in html and fact in email.body, fact
    assert "https://atelier.example/pieces/?method=handcrafted" in email.body
    stop = reverse(
        "shoppers:unsubscribe", kwargs={"token": unsubscribe_token(shopper_id=shopper.pk, search_id=item.pk)}
    )
    assert f"Stop these alerts: https://atelier.example{stop}" in email.body


def test_a_digest_carries_the_one_click_unsubscribe_headers_of_rfc_8058(shopper, pieces, settings):
    settings.SITE_URL = "https://atelier.example"
    search(shopper)
    alerts_send(now=NOW)
    email = digest()
    url = "https://atelier.example" + reverse(
        "shoppers:unsubscribe", kwargs={"token": unsubscribe_token(shopper_id=shopper.pk)}
    )
    assert email.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Kept with the outbox's row, as sent.
    row = OutboxEmail.objects.get()
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_shopper_with_several_searches_gets_one_digest(shopper, pieces):
    search(shopper, "method=handcrafted", name="Handcrafted")
    search(shopper, "category=rings", name="Rings")
    search(shopper, "method=mass_produced", name="Mass-produced")
    run = alerts_send(now=NOW)
    email = digest()
    assert "Handcrafted" in email.body and "Rings" in email.body and "Stamped chain" in email.body
    # The ring is in two sections: two new pieces in all, not three.
    assert email.subject == "2 new pieces for your saved searches on Atelier"
    assert (run.emails, run.searches, run.matched) == (1, 3, 3)


def test_each_shopper_gets_their_own_digest(pieces):
    ada, bo = UserFactory(email="ada@example.com"), UserFactory(email="bo@example.com")
    search(ada)
    search(bo, "method=mass_produced", name="Mass-produced")
    alerts_send(now=NOW)
    by_address = {email.to[0]: email.body for email in mail.outbox}
    assert set(by_address) == {"ada@example.com", "bo@example.com"}
    assert (
        "Forged silver ring" in by_address["ada@example.com"] and "Stamped chain" not in by_address["ada@example.com"]
    )
    assert "Stamped chain" in by_address["bo@example.com"]


def test_nothing_matched_sends_nothing_but_moves_the_search_on(shopper, pieces):
    CategoryFactory(name="Earrings", slug="earrings")  # an option of the listing, with no new piece
    item = search(shopper, "category=earrings")
    run = alerts_send(now=NOW)
    assert mail.outbox == []
    item.refresh_from_db()
    assert item.alerted_until == NOW - CUTOFF_LAG
    assert (run.emails, run.searches) == (0, 1)


def test_a_search_with_words_matches_as_the_listing_reads_them(shopper):
    piece("Filigree earrings")
    piece("Plain band")
    search(shopper, "q=filigree", name="Filigree")
    alerts_send(now=NOW)
    assert "Filigree earrings" in digest().body and "Plain band" not in digest().body


def test_a_price_range_is_matched(shopper):
    from decimal import Decimal

    piece("Cheap ring", price=Decimal("50"))
    piece("Dear ring", price=Decimal("900"))
    search(shopper, "price_min=100&price_max=1000", name="Dear")
    alerts_send(now=NOW)
    assert "Dear ring" in digest().body and "Cheap ring" not in digest().body


def test_many_new_pieces_show_the_newest_and_a_link_to_the_rest(shopper, settings):
    settings.ALERT_PIECES_PER_SEARCH = 2
    for hours in (1, 2, 3):
        PieceFactory(title=f"Ring {hours}h", published_at=NOW - timedelta(hours=hours))
    search(shopper)
    alerts_send(now=NOW)
    body = digest().body
    assert "Ring 1h" in body and "Ring 2h" in body and "Ring 3h" not in body
    assert "See 1 more in this search" in body


# --- Hidden pieces are never sent ---------------------------------------------------------------


def test_a_piece_published_then_hidden_before_the_run_is_not_sent(shopper, pieces):
    search(shopper)
    current_index()  # the index knew the piece as published
    pieces["new match"].status = PieceStatus.HIDDEN
    pieces["new match"].save()
    alerts_send(now=NOW)
    assert mail.outbox == []


def test_the_pieces_of_a_suspended_maker_are_not_sent(shopper, pieces):
    search(shopper)
    current_index()
    artisans_suspend(artisans=Artisan.objects.filter(pk=pieces["new match"].artisan_id), actor=StaffFactory())
    alerts_send(now=NOW)
    assert mail.outbox == []


def test_a_draft_is_not_sent(shopper):
    piece("Unfinished ring", status=PieceStatus.DRAFT)
    search(shopper)
    alerts_send(now=NOW)
    assert mail.outbox == []


# --- Due or not -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "since", "due"),
    [
        (AlertFrequency.DAILY, timedelta(hours=23, minutes=30), True),
        (AlertFrequency.DAILY, timedelta(hours=20), False),
        (AlertFrequency.WEEKLY, timedelta(days=6, hours=23, minutes=30), True),
        (AlertFrequency.WEEKLY, timedelta(days=3), False),
        (AlertFrequency.NEVER, timedelta(days=60), False),
    ],
)
def test_a_search_is_due_after_its_period(shopper, frequency, since, due):
    PieceFactory(title="Fresh ring", published_at=NOW - timedelta(hours=2))
    item = search(shopper, frequency=frequency, alerted_until=NOW - since)
    alerts_send(now=NOW)
    assert len(mail.outbox) == (1 if due else 0)
    item.refresh_from_db()
    assert item.alerted_until == (NOW - CUTOFF_LAG if due else NOW - since)


def test_an_inactive_account_gets_nothing(pieces):
    gone = UserFactory(is_active=False)
    search(gone)
    assert alerts_send(now=NOW).due == 0
    assert mail.outbox == []


# --- Run twice, cut short, a piece committed late ----------------------------------------------------


def test_running_twice_sends_nothing_twice(shopper, pieces):
    search(shopper)
    alerts_send(now=NOW)
    second = alerts_send(now=NOW)
    later = alerts_send(now=NOW + timedelta(days=8))  # due again: nothing new since
    assert len(mail.outbox) == 1
    assert second.emails == later.emails == 0


def test_a_piece_published_in_the_last_minute_waits_for_the_next_run(shopper):
    # Its transaction may not have committed when the run read the new pieces; the next run covers it.
    late = PieceFactory(title="Late ring", published_at=NOW - timedelta(seconds=20))
    item = search(shopper, frequency=AlertFrequency.DAILY)
    alerts_send(now=NOW)
    assert mail.outbox == []
    item.refresh_from_db()
    assert item.alerted_until < late.published_at
    alerts_send(now=NOW + timedelta(days=1))
    assert "Late ring" in digest().body


@pytest.mark.parametrize("per_transaction", [1, 50])
def test_a_run_cut_short_sends_no_piece_twice_and_loses_none_when_run_again(pieces, monkeypatch, per_transaction):
    shoppers = [UserFactory(email=f"s{n}@example.com") for n in range(3)]
    for each in shoppers:
        search(each)
    digest_of, built = alerts._digest, []

    def killed_at_the_second(**kwargs):
        if len(built) == 1:
            raise KeyboardInterrupt  # the process is stopped: nothing of the current transaction stays
        built.append(kwargs["shopper"].pk)
        return digest_of(**kwargs)

    monkeypatch.setattr(alerts, "_digest", killed_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        alerts_send(now=NOW, shoppers_per_transaction=per_transaction)
    # One shopper per transaction: the first shopper's digest and move committed. Fifty: none of them did.
    done = ["s0@example.com"] if per_transaction == 1 else []
    assert [email.to[0] for email in mail.outbox] == done
    moved = SavedSearch.objects.filter(alerted_until=NOW - CUTOFF_LAG).values_list("shopper__email", flat=True)
    assert list(moved) == done

    monkeypatch.setattr(alerts, "_digest", digest_of)
    alerts_send(now=NOW + timedelta(minutes=5), shoppers_per_transaction=per_transaction)
    assert sorted(email.to[0] for email in mail.outbox) == ["s0@example.com", "s1@example.com", "s2@example.com"]
    assert all("Forged silver ring" in email.body for email in mail.outbox)
    assert alerts_send(now=NOW + timedelta(days=8)).emails == 0  # and nothing again later


def test_a_failing_digest_leaves_that_shopper_for_the_next_run_and_the_others_get_theirs(pieces, monkeypatch):
    shoppers = [UserFactory(email=f"s{n}@example.com") for n in range(3)]
    for each in shoppers:
        search(each)
    digest_of = alerts._digest

    def failing_for_the_second(**kwargs):
        if kwargs["shopper"].pk == shoppers[1].pk:
            raise RuntimeError("this digest cannot be made")
        return digest_of(**kwargs)

    monkeypatch.setattr(alerts, "_digest", failing_for_the_second)
    run = alerts_send(now=NOW)  # the three in one transaction, which fails: then one by one
    assert run.failed == [shoppers[1].pk]
    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == [["s0@example.com"], ["s2@example.com"]]
    assert SavedSearch.objects.get(shopper=shoppers[1]).alerted_until == LAST_WEEK

    monkeypatch.setattr(alerts, "_digest", digest_of)
    alerts_send(now=NOW + timedelta(minutes=5))
    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == [
        ["s0@example.com"],
        ["s1@example.com"],
        ["s2@example.com"],
    ]


def test_the_command_reports_the_run_and_fails_loudly_when_a_digest_failed(shopper, pieces, monkeypatch):
    search(shopper)
    out = StringIO()
    call_command("send_alerts", stdout=out)
    assert out.getvalue().startswith("1 digest(s) queued; 1 search(es) of 1 shopper(s) moved on")

    other = UserFactory()
    search(other)

    def broken(**kwargs):
        raise RuntimeError("broken")

    monkeypatch.setattr(alerts, "_digest", broken)
    with pytest.raises(CommandError):
        call_command("send_alerts", stdout=StringIO())


# --- Stored queries the listing no longer understands -------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "metal=<script>alert(1)</script>&method=handcrafted",
        "price_min=abc&method=handcrafted",
        "%ZZ&method=handcrafted",
        "method=handcrafted&glitter=" + "x" * 1970,  # the longest the column holds (3,000 is refused when saved)
        "method=handcrafted&ships_within=zero",
    ],
)
def test_garbage_stored_by_hand_matches_on_what_the_listing_understands(shopper, pieces, query):
    search(shopper, query)
    alerts_send(now=NOW)
    body = digest().body
    assert "Forged silver ring" in body and "Stamped chain" not in body


def test_a_delivery_time_is_answered_in_sql_once_per_value(shopper):
    piece("Ready ring", stock=2, availability="open_stock")
    for n, extra in enumerate(["", "&category=rings", "&method=handcrafted"]):
        search(shopper, f"ships_within=7{extra}", name=f"Ready {n}")
    current_index()
    with CaptureQueriesContext(connection) as queries:
        alerts_send(now=NOW)
    # Three searches, one value of `ships_within`: its pieces read once in SQL (the other filters in memory).
    assert sum('"lead_time_days" <=' in query["sql"] for query in queries.captured_queries) == 1
    assert "Ready ring" in digest().body


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_a_runs_queries_do_not_grow_with_the_searches(shopper, pieces, django_assert_max_num_queries, settings, count):
    settings.OUTBOX_DELIVER = "worker"  # as in production's cron run: the outbox worker sends, later
    queries = ["method=handcrafted", "category=rings", "q=silver", "price_max=500", "metal=argent", "ships_within=7"]
    for n in range(count):
        search(shopper, f"{queries[n % len(queries)]}&price_min={n}", name=f"Search {n}")
    other = UserFactory()
    search(other)
    current_index()  # built by the listing's workers already; a cold command builds it once more
    # For the run: the due searches, the new pieces, the delivery time's ids (one query per distinct value:
    # in the 20 only), the pieces' cards (4), the shoppers with their profiles (1): 8. Then per transaction
    # of up to ALERT_SHOPPERS_PER_TRANSACTION shoppers: its start (a savepoint inside the test's), the locked
    # searches, the outbox's savepoint and release, the move, its end (6), and one row per digest: 16 here.
    with django_assert_max_num_queries(16):
        run = alerts_send(now=NOW)
    assert run.searches == count + 1


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe_url(token):
    return reverse("shoppers:unsubscribe", kwargs={"token": token})


@pytest.fixture
def two_searches(shopper):
    return search(shopper, name="Handcrafted"), search(shopper, "category=rings", name="Rings")


def test_the_unsubscribe_link_asks_first_and_changes_nothing_on_get(client, shopper, two_searches):
    response = client.get(unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk)))
    assert response.status_code == 200
    assert "Stop all search alerts" in response.content.decode()
    assert set(SavedSearch.objects.values_list("frequency", flat=True)) == {AlertFrequency.WEEKLY}


def test_unsubscribing_from_all_needs_no_sign_in_nor_csrf_and_keeps_the_searches(shopper, two_searches):
    client = Client(enforce_csrf_checks=True)  # RFC 8058: the mail client posts without a cookie
    response = client.post(unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk)), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will no longer get emails about your saved searches" in response.content.decode()
    assert list(SavedSearch.objects.values_list("frequency", flat=True)) == [AlertFrequency.NEVER] * 2


def test_stop_these_alerts_stops_one_search_only(client, shopper, two_searches):
    handcrafted, rings = two_searches
    response = client.post(unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk, search_id=rings.pk)))
    assert "You will no longer get emails about “Rings”" in response.content.decode()
    handcrafted.refresh_from_db(), rings.refresh_from_db()
    assert (handcrafted.frequency, rings.frequency) == (AlertFrequency.WEEKLY, AlertFrequency.NEVER)


def test_a_replayed_link_changes_nothing_more_and_still_answers(client, shopper, two_searches):
    url = unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk))
    client.post(url)
    SavedSearch.objects.filter(name="Rings").update(frequency=AlertFrequency.DAILY)  # turned back on since
    response = client.post(url)
    assert response.status_code == 200
    # The same link is the same request: it stops them again, which is what the shopper asked.
    assert list(SavedSearch.objects.values_list("frequency", flat=True)) == [AlertFrequency.NEVER] * 2


def test_a_link_to_a_deleted_search_says_there_is_nothing_to_stop(client, shopper, two_searches):
    token = unsubscribe_token(shopper_id=shopper.pk, search_id=two_searches[1].pk)
    two_searches[1].delete()
    response = client.post(unsubscribe_url(token))
    assert response.status_code == 200
    assert "That search is no longer saved" in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),  # tampered signature
        lambda token: token[: len(token) // 2],  # cut short when copied
        lambda token: "x" + token,
        lambda token: "not-a-token",
        lambda token: signing.dumps({"u": 1}, salt="another.salt"),  # signed for something else
        lambda token: signing.dumps({"u": "1; drop table"}, salt=alerts.UNSUBSCRIBE_SALT),  # the wrong payload
        lambda token: "%ZZ" + "é" * 300,
    ],
)
def test_a_bad_token_changes_nothing_and_says_so(client, shopper, two_searches, bad):
    url = unsubscribe_url(bad(unsubscribe_token(shopper_id=shopper.pk)))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert set(SavedSearch.objects.values_list("frequency", flat=True)) == {AlertFrequency.WEEKLY}


def test_an_expired_token_changes_nothing_and_says_so(client, shopper, two_searches, monkeypatch, settings):
    token = unsubscribe_token(shopper_id=shopper.pk)
    later = time.time() + (settings.ALERT_UNSUBSCRIBE_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(unsubscribe_url(token))
    assert response.status_code == 400
    assert f"more than {settings.ALERT_UNSUBSCRIBE_MAX_AGE_DAYS} days old" in response.content.decode()
    assert set(SavedSearch.objects.values_list("frequency", flat=True)) == {AlertFrequency.WEEKLY}


def test_a_token_just_within_its_age_still_works(client, shopper, two_searches, monkeypatch, settings):
    token = unsubscribe_token(shopper_id=shopper.pk)
    later = time.time() + (settings.ALERT_UNSUBSCRIBE_MAX_AGE_DAYS - 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert client.post(unsubscribe_url(token)).status_code == 200
    assert set(SavedSearch.objects.values_list("frequency", flat=True)) == {AlertFrequency.NEVER}


def test_the_unsubscribe_link_of_one_shopper_never_touches_another(client, shopper, two_searches):
    other = UserFactory()
    theirs = search(other)
    client.post(unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk)))
    # And a search id of someone else's under this shopper's token stops nothing.
    client.post(unsubscribe_url(unsubscribe_token(shopper_id=shopper.pk, search_id=theirs.pk)))
    theirs.refresh_from_db()
    assert theirs.frequency == AlertFrequency.WEEKLY


def test_a_maker_and_staff_are_shoppers_like_any_other_for_alerts(pieces):
    maker, staff = ArtisanFactory().user, StaffFactory()
    search(maker)
    search(staff)
    alerts_send(now=NOW)
    assert sorted(email.to[0] for email in mail.outbox) == sorted([maker.email, staff.email])
