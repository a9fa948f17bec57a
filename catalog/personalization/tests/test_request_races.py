"""
Two people acting on one request at the same moment, on PostgreSQL with real
concurrent connections (one thread each, each with its own connection).

Skipped on SQLite, which cannot run two writers at once: there the database
lock serialises them and there is no race to test. On PostgreSQL these run
for real and must pass; each race is repeated many times.
"""

import threading

import pytest
from django.db import connection, connections

from catalog.models import RequestMessage, RequestState
from catalog.personalization import flow
from catalog.tests.request_helpers import request_in

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite cannot run concurrent writers"),
    pytest.mark.django_db(transaction=True),
]
ROUNDS = 12


def race(*calls):
    """Run the calls at once, each in its own thread and connection; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = ("won", call())
        except flow.RequestRefused as refused:
            outcomes[index] = ("lost", refused)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def fresh(request):
    """A separate instance of the request, as a second tab or the other party would load it."""
    return type(request).objects.get(pk=request.pk)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_tabs_accepting_one_quote_leave_one_acceptance(round_):
    request = request_in(RequestState.QUOTED)
    shopper = request.shopper
    outcomes = race(
        lambda: flow.request_accept(request=fresh(request), user=shopper),
        lambda: flow.request_accept(request=fresh(request), user=shopper),
    )
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"]
    loser = next(value for kind, value in outcomes if kind == "lost")
    assert loser.code in {"changed_meanwhile", "wrong_state"}
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED
    assert RequestMessage.objects.filter(request=request, action="accept").count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_maker_declining_while_shopper_withdraws_leaves_one_outcome(round_):
    request = request_in(RequestState.QUOTED)
    outcomes = race(
        lambda: flow.request_decline(request=fresh(request), user=request.artisan.user, reason="Too busy"),
        lambda: flow.request_withdraw(request=fresh(request), user=request.shopper),
    )
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"]
    request.refresh_from_db()
    winner = "decline" if outcomes[0][0] == "won" else "withdraw"
    assert request.state == {"decline": RequestState.DECLINED, "withdraw": RequestState.WITHDRAWN}[winner]
    assert RequestMessage.objects.filter(request=request).exclude(action="").count() == 1
    loser = next(value for kind, value in outcomes if kind == "lost")
    assert loser.messages[0].startswith(("Someone changed this request", "This request is"))


@pytest.mark.parametrize("round_", range(6))
def test_expiry_running_while_the_shopper_accepts_leaves_one_outcome(round_):
    import datetime

    from django.utils import timezone

    request = request_in(RequestState.QUOTED, quote_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    outcomes = race(
        lambda: flow.requests_expire_due(),
        lambda: flow.request_accept(request=fresh(request), user=request.shopper),
    )
    request.refresh_from_db()
    # The quote is past its date: acceptance is refused whoever runs first, and it ends expired once.
    assert outcomes[1][0] == "lost"
    assert request.state == RequestState.EXPIRED
    assert RequestMessage.objects.filter(request=request, action="expire").count() == 1
