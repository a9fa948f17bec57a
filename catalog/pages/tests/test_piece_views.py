"""Views of public piece pages, counted for the maker's studio without a database write per view."""

import datetime
import threading

import pytest
from django.db import DatabaseError, OperationalError, connection, connections
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import UserFactory
from catalog.choices import PieceStatus
from catalog.models import PieceViewDay
from catalog.pages import view_counts as piece_views
from catalog.tests.factories import PieceFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("studio:dashboard")


def views_of(piece):
    return sum(PieceViewDay.objects.filter(piece=piece).values_list("views", flat=True))


def test_views_are_held_in_memory_then_written_together(client, settings):
    piece = PieceFactory()
    for _ in range(3):
        assert client.get(piece.get_absolute_url()).status_code == 200
    assert views_of(piece) == 0  # not written yet: the page cost no write
    piece_views.flush()
    assert views_of(piece) == 3
    settings.PIECE_VIEWS_FLUSH_SECONDS = 0  # the next view finds the interval over and writes
    client.get(piece.get_absolute_url())
    assert views_of(piece) == 4
    assert PieceViewDay.objects.filter(piece=piece).count() == 1  # one row a day, not one per view


def test_the_makers_own_views_crawlers_and_head_requests_are_not_counted(client):
    piece = PieceFactory()
    client.force_login(piece.artisan.user)
    client.get(piece.get_absolute_url())
    client.logout()
    client.get(piece.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.head(piece.get_absolute_url())
    piece_views.flush()
    assert views_of(piece) == 0
    client.force_login(UserFactory())  # a shopper counts
    client.get(piece.get_absolute_url())
    piece_views.flush()
    assert views_of(piece) == 1


def test_pages_that_are_not_public_count_nothing(client):
    draft = PieceFactory(status=PieceStatus.DRAFT, published_at=None)
    assert client.get(reverse("catalog:piece_detail", args=[draft.slug])).status_code == 404
    piece_views.flush()
    assert not PieceViewDay.objects.exists()


def test_writing_adds_to_the_days_counts_and_skips_deleted_pieces():
    piece, gone = PieceFactory(), PieceFactory()
    today, yesterday = datetime.date(2026, 11, 27), datetime.date(2026, 11, 26)
    piece_views.write({(piece.pk, today): 2, (piece.pk, yesterday): 5, (gone.pk, today): 1})
    gone.delete()
    piece_views.write({(piece.pk, today): 2, (gone.pk, today): 4})
    assert dict(PieceViewDay.objects.values_list("day", "views")) == {today: 4, yesterday: 5}


@pytest.mark.parametrize(
    "error, traced",
    [(OperationalError("the database went away"), False), (DatabaseError("an unexpected database error"), True)],
)
def test_a_database_error_loses_the_batch_not_the_page(client, monkeypatch, settings, caplog, error, traced):
    # An outage is said in one line (cached pages go on counting views meanwhile); anything else is traced.
    piece = PieceFactory()

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(PieceViewDay.objects, "bulk_create", broken)
    settings.PIECE_VIEWS_FLUSH_SECONDS = 0
    assert client.get(piece.get_absolute_url()).status_code == 200
    (lost,) = [record for record in caplog.records if "Piece views lost" in record.getMessage()]
    assert str(error) in caplog.text and bool(lost.exc_info) is traced
    assert views_of(piece) == 0


def test_the_dashboard_shows_each_pieces_views(client):
    piece = PieceFactory()
    other = PieceFactory(artisan=piece.artisan)
    piece_views.write({(piece.pk, datetime.date(2026, 11, 26)): 7, (piece.pk, datetime.date(2026, 11, 27)): 5})
    client.force_login(piece.artisan.user)
    response = client.get(DASHBOARD)
    counts = {p.pk: p.views_count for p in response.context["pieces"]}
    assert counts == {piece.pk: 12, other.pk: 0}
    html = response.content.decode()
    assert '<th scope="col">Views</th>' in html and '<td data-label="Views">12</td>' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite cannot run concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_workers_writing_overlapping_batches_at_once_lose_no_view(caplog):
    """
    Two workers write at the same moment (as when the database comes back) batches
    of the same pieces, grouped differently by their gains: each would lock the rows
    of its first UPDATE, then wait for the other's. Locking in one order avoids that.
    """
    pieces = [piece.pk for piece in PieceFactory.create_batch(40)]
    day = timezone.localdate()
    first, second = pieces[:20], pieces[20:]
    one = {**{(pk, day): 1 for pk in first}, **{(pk, day): 2 for pk in second}}
    other = {**{(pk, day): 1 for pk in second}, **{(pk, day): 2 for pk in first}}
    for _ in range(6):
        barrier = threading.Barrier(2)

        def write(batch, barrier=barrier):
            barrier.wait()
            try:
                piece_views.write(batch)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=(batch,)) for batch in (one, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert "Piece views lost" not in caplog.text
    assert set(PieceViewDay.objects.filter(piece_id__in=pieces).values_list("views", flat=True)) == {6 * 3}
