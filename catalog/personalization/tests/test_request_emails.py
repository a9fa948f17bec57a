"""Every transition and every message emails the other party, as HTML and text, with a link to the request."""

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import RequestState
from catalog.personalization import flow
from catalog.tests.factories import PersonalizationRequestFactory
from catalog.tests.request_helpers import actors_for, perform, request_in

pytestmark = pytest.mark.django_db

# (state, action, actor, who is told)
CASES = [
    (RequestState.SUBMITTED, "quote", "artisan", "shopper"),
    (RequestState.QUOTED, "accept", "shopper", "artisan"),
    (RequestState.ACCEPTED, "share_proof", "artisan", "shopper"),
    (RequestState.PROOF_SHARED, "approve_proof", "shopper", "artisan"),
    (RequestState.PROOF_SHARED, "request_changes", "shopper", "artisan"),
    (RequestState.PROOF_APPROVED, "start", "artisan", "shopper"),
    (RequestState.IN_PROGRESS, "complete", "artisan", "shopper"),
    (RequestState.QUOTED, "decline", "artisan", "shopper"),
    (RequestState.ACCEPTED, "withdraw", "shopper", "artisan"),
    (RequestState.IN_PROGRESS, "close", "staff", "both"),
]


def link(request, party):
    if party == "shopper":
        return "http://127.0.0.1:8000" + reverse("requests:detail", args=[request.pk])
    return "http://127.0.0.1:8000" + reverse("studio:request_detail", args=[request.pk])


@pytest.mark.parametrize(("state", "action", "actor", "told"), CASES)
def test_each_transition_emails_the_other_party(
    state, action, actor, told, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    request = request_in(state)
    with django_capture_on_commit_callbacks(execute=True):
        perform(action, request, actors_for(request)[actor])
    parties = ["shopper", "artisan"] if told == "both" else [told]
    emails = {"shopper": request.shopper.email, "artisan": request.artisan.user.email}
    assert [m.to for m in mail.outbox] == [[emails[p]] for p in parties]
    for message, party in zip(mail.outbox, parties, strict=True):
        assert link(request, party) in message.body
        html, mime = message.alternatives[0]
        assert mime == "text/html" and f'href="{link(request, party)}"' in html
        assert f"#{request.pk}" in message.subject


def test_a_new_request_emails_the_maker(django_capture_on_commit_callbacks):
    request = PersonalizationRequestFactory()
    with django_capture_on_commit_callbacks(execute=True):
        new = flow.request_submit(
            shopper=request.shopper, artisan=request.artisan, piece=request.piece, kinds=["sizing"]
        )
    assert [m.to for m in mail.outbox] == [[request.artisan.user.email]]
    assert reverse("studio:request_detail", args=[new.pk]) in mail.outbox[0].body


@pytest.mark.parametrize(("sender", "told"), [("shopper", "artisan"), ("artisan", "shopper")])
def test_a_message_emails_the_other_party_with_its_text_escaped_in_html(
    sender, told, django_capture_on_commit_callbacks
):
    request = PersonalizationRequestFactory()
    users = actors_for(request)
    with django_capture_on_commit_callbacks(execute=True):
        flow.request_message_send(request=request, user=users[sender], body="<b>Hi</b> & thanks")
    assert [m.to for m in mail.outbox] == [[users[told].email]]
    assert "<b>Hi</b> & thanks" in mail.outbox[0].body
    assert "&lt;b&gt;Hi&lt;/b&gt; &amp; thanks" in mail.outbox[0].alternatives[0][0]


def test_a_refused_transition_sends_nothing(django_capture_on_commit_callbacks):
    request = request_in(RequestState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(flow.RequestRefused):
        flow.request_accept(request=request, user=request.shopper)
    assert mail.outbox == []


def test_the_quote_email_says_what_the_price_means_in_both_parts(django_capture_on_commit_callbacks):
    request = request_in(RequestState.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        perform("quote", request, request.artisan.user)
    (email,) = mail.outbox
    html = email.alternatives[0][0]
    for part in (email.body, html):
        assert "€250: the total for the piece as you asked it, ready 14 days after you accept." in part
