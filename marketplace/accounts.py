"""
The account emails (django-allauth's) in Atelier's name.

Without django.contrib.sites, allauth names the site after the request's host, so its emails
said "Hello from 127.0.0.1:8000!". Every account email is given the site's name from the
settings instead (SITE_NAME, and SITE_URL's host as the domain), as the site's own emails are
(`artisans.emails.send_templated_email`); templates/account/email/ words them, text and HTML alike.

Part of the shared infrastructure: it imports no app. Named by ACCOUNT_ADAPTER.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class SiteName:
    """What allauth's templates read as `current_site`: the site's name, and its host from SITE_URL."""

    name: str
    domain: str


def site_name() -> SiteName:
    return SiteName(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_NAME)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The links in the email (activate_url, password_reset_url) are still built from the
        # request, so that they lead back to the host the person is using.
        super().send_mail(
            template_prefix, email, {"current_site": site_name(), "SITE_NAME": settings.SITE_NAME, **context}
        )
