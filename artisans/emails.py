"""
Email to makers about their application, as HTML with a text part.

Queued in the transaction that made the decision: EMAIL_BACKEND is the outbox
(catalog.outbox, named only in the settings), which keeps the email with the
decision and sends it once committed, so a rollback never leaves a maker told
something that did not happen, and a mail server down loses nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, to: str, template: str, context: dict) -> None:
    """Send templates/<template>_subject.txt, _message.txt and _message.html as one email."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}_message.html", context), "text/html")
    message.send()


def application_decision_send(*, artisan, approved: bool) -> None:
    """Tell the maker that staff approved or refused their application (with the reason)."""
    template = "artisans/email/application_approved" if approved else "artisans/email/application_refused"
    send_templated_email(to=artisan.user.email, template=template, context={"artisan": artisan})
