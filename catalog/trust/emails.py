"""
Email about trust decisions: the maker hears staff's decision and note, and
each shopper who reported the piece hears the outcome.

Called by `catalog.trust.services` inside the decision's transaction: the email is queued in
the outbox (catalog.outbox) with it, so nobody is told of a decision that was rolled back, and
nobody misses one that committed.

Part of the trust room: called by its services only.
"""

from django.urls import reverse

from artisans.emails import send_templated_email


def review_decision_send(*, review) -> None:
    """Tell the maker what staff decided about their piece or claim, with the note."""
    user = review.artisan.user
    if not user.email:
        return
    send_templated_email(
        to=user.email,
        template="emails/review_decision",
        context={"review": review, "name": review.artisan.name, "link": reverse("studio:reviews")},
    )


def report_outcome_send(*, report, review) -> None:
    """Tell a shopper what came of their report (nobody to tell once they deleted their account)."""
    if report.reporter is None or not report.reporter.email:
        return
    send_templated_email(
        to=report.reporter.email,
        template="emails/report_outcome",
        context={
            "report": report,
            "review": review,
            "name": report.reporter.get_full_name() or "there",
            "link": report.piece.get_absolute_url(),
        },
    )
