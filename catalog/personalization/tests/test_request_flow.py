"""
The personalization request's state machine, as a table: every state × every
action × every actor. Allowed cells move to the table's target state and leave
a line in the history; every other cell is refused and changes nothing.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import RequestMessage, RequestState
from catalog.personalization import flow
from catalog.tests.factories import PersonalizationRequestFactory
from catalog.tests.request_helpers import ACTORS, actors_for, perform, request_in

ROLE = {"shopper": flow.SHOPPER, "artisan": flow.ARTISAN, "staff": flow.STAFF}
CELLS = [(state, action, actor) for state in RequestState.values for action in flow.TRANSITIONS for actor in ACTORS]


def allowed(state, action, actor):
    row = flow.TRANSITIONS[action]
    return ROLE.get(actor) == row.actor and state in row.sources


@pytest.mark.django_db
@pytest.mark.parametrize(("state", "action", "actor"), CELLS)
def test_transition_table(state, action, actor, django_capture_on_commit_callbacks):
    request = request_in(state)
    user = actors_for(request)[actor]
    before = (request.state, request.updated_at, RequestMessage.objects.count())
    if allowed(state, action, actor):
        with django_capture_on_commit_callbacks(execute=True):
            perform(action, request, user)
        request.refresh_from_db()
        assert request.state == flow.TRANSITIONS[action].target
        assert RequestMessage.objects.filter(request=request, action=action).count() == 1
        assert mail.outbox, "the other party is told"
    else:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(flow.RequestRefused):
            perform(action, request, user)
        request.refresh_from_db()
        assert (request.state, request.updated_at, RequestMessage.objects.count()) == before
        assert mail.outbox == []


def test_every_domain_state_is_reachable_or_a_start():
    targets = {row.target for row in flow.TRANSITIONS.values()}
    assert set(RequestState.values) - targets == {RequestState.SUBMITTED}


@pytest.mark.django_db
def test_engraving_request_cannot_start_without_an_approved_proof():
    request = request_in(RequestState.ACCEPTED, engraving_text="A & J 2026", kinds=["engraving"])
    with pytest.raises(flow.RequestRefused) as refused:
        flow.request_start(request=request, user=request.artisan.user)
    assert refused.value.messages == [flow.ERROR_PROOF_NEEDED]
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED


@pytest.mark.django_db
def test_engraving_request_starts_once_the_proof_of_the_exact_text_is_approved():
    request = request_in(RequestState.ACCEPTED, engraving_text="A & J 2026", kinds=["engraving"])
    artisan, shopper = request.artisan.user, request.shopper
    perform("share_proof", request, artisan)
    assert request.proof_text == "A & J 2026"
    flow.request_approve_proof(request=request, user=shopper)
    flow.request_start(request=request, user=artisan)
    assert request.state == RequestState.IN_PROGRESS


@pytest.mark.django_db
def test_asking_for_changes_forgets_the_approval_and_goes_back_to_accepted():
    request = request_in(RequestState.PROOF_SHARED, engraving_text="Ana", proof_text="Ana", kinds=["engraving"])
    flow.request_ask_changes(request=request, user=request.shopper, note="Use a script font")
    assert request.state == RequestState.ACCEPTED
    with pytest.raises(flow.RequestRefused):
        flow.request_start(request=request, user=request.artisan.user)


@pytest.mark.django_db
def test_an_expired_quote_reads_as_expired_and_cannot_be_accepted():
    request = request_in(RequestState.QUOTED, quote_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert request.shown_state == RequestState.EXPIRED
    with pytest.raises(flow.RequestRefused) as refused:
        flow.request_accept(request=request, user=request.shopper)
    assert refused.value.code == "quote_expired"
    assert flow.actions_open_to(request, request.shopper) == []


@pytest.mark.django_db
def test_the_system_expires_only_quotes_past_their_date():
    due = request_in(RequestState.QUOTED, quote_expires_on=timezone.localdate() - datetime.timedelta(days=1))
    fresh = request_in(RequestState.QUOTED)
    assert flow.requests_expire_due() == 1
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.state, fresh.state) == (RequestState.EXPIRED, RequestState.QUOTED)
    with pytest.raises(flow.RequestRefused):
        flow.request_expire(request=fresh)


@pytest.mark.django_db
def test_a_quote_must_stay_open_until_today_and_have_a_price():
    request = request_in(RequestState.SUBMITTED)
    with pytest.raises(flow.RequestRefused) as refused:
        flow.request_quote(
            request=request,
            user=request.artisan.user,
            price=-1,
            lead_days=3,
            message="x",
            expires_on=timezone.localdate(),
        )
    assert refused.value.messages == [flow.ERROR_NEGATIVE_PRICE]
    with pytest.raises(flow.RequestRefused) as refused:
        flow.request_quote(
            request=request,
            user=request.artisan.user,
            price=10,
            lead_days=3,
            message="x",
            expires_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert refused.value.messages == [flow.ERROR_EXPIRY_PAST]


@pytest.mark.django_db
def test_decline_withdraw_and_close_need_their_reason():
    request = request_in(RequestState.SUBMITTED)
    with pytest.raises(flow.RequestRefused):
        flow.request_decline(request=request, user=request.artisan.user, reason="  ")
    with pytest.raises(flow.RequestRefused):
        flow.request_ask_changes(request=request, user=request.shopper, note="")


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_two_parties_write_messages_and_only_while_open(actor):
    request = PersonalizationRequestFactory()
    user = actors_for(request)[actor]
    if actor in ("shopper", "artisan"):
        message = flow.request_message_send(request=request, user=user, body=" Hello ")
        assert message.body == "Hello"
    else:
        with pytest.raises(flow.RequestRefused):
            flow.request_message_send(request=request, user=user, body="Hello")


@pytest.mark.django_db
def test_a_closed_request_takes_no_messages():
    request = request_in(RequestState.DECLINED)
    with pytest.raises(flow.RequestRefused) as refused:
        flow.request_message_send(request=request, user=request.shopper, body="Why?")
    assert refused.value.messages == [flow.ERROR_MESSAGE_CLOSED]


@pytest.mark.django_db
def test_a_maker_cannot_request_from_themselves():
    request = PersonalizationRequestFactory()
    with pytest.raises(flow.RequestRefused):
        flow.request_submit(shopper=request.artisan.user, artisan=request.artisan, kinds=["sizing"])


@pytest.mark.django_db
def test_a_proof_refused_because_the_request_changed_meanwhile_leaves_no_file(media_root):
    request = request_in(RequestState.ACCEPTED, engraving_text="Ana", kinds=["engraving"])
    # The shopper withdraws in another tab; the maker's page still shows the accepted request.
    PersonalizationRequestFactory._meta.model.objects.filter(pk=request.pk).update(state=RequestState.WITHDRAWN)
    with pytest.raises(flow.RequestRefused) as refused:
        perform("share_proof", request, request.artisan.user)
    assert refused.value.code == "wrong_state"
    assert [path for path in media_root.rglob("*") if path.is_file()] == []
    request.refresh_from_db()
    assert (request.state, request.proof_image.name) == (RequestState.WITHDRAWN, "")
