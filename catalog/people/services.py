"""
The people room's writes: a person's display name, checked by the model's rules, made or changed in
one statement (a Profile is created the first time); and a shopper deleting their own account
(`account_delete`), in one transaction: what is only theirs removed, what others rely on kept
anonymised (docs/privacy.md says what and why).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from artisans.models import Artisan
from catalog.models import PersonalizationRequest, PieceReport, Profile
from catalog.personalization.flow import requests_shopper_left


def profile_set_display_name(*, user, display_name: str) -> Profile:
    """Store `display_name` ("" for the default, "Ada L.") as `user`'s; a ValidationError leaves nothing written."""
    candidate = Profile(user=user, display_name=display_name)
    candidate.clean_fields(exclude={"user"})
    candidate.validate_constraints()
    # update_or_create runs in its own transaction and copes with two first saves racing.
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    return profile


# --- Deleting an account ---------------------------------------------------------

ERROR_MAKER_ACCOUNT = (
    "A maker's account is closed by our staff, who settle its pieces and requests first: write to %(contact)s."
)


@dataclass(frozen=True)
class AccountDeleted:
    """What `account_delete` did, for the page that follows and the tests."""

    requests_withdrawn: int
    requests_kept: int
    reports_kept: int


def is_maker(user: AbstractBaseUser) -> bool:
    return Artisan.objects.filter(user=user).exists()


def account_delete(*, user: AbstractBaseUser, contact: str = "") -> AccountDeleted:
    """
    Delete `user`'s account and what is only theirs, in one transaction; keep, anonymised, what others
    rely on. Removed: the user, their profile, email addresses, saved pieces, follows, saved searches
    (all by the database's cascade). Kept: their personalization requests, each
    withdrawn first if still open (`requests_shopper_left`, so the maker is told and quotes no ghost),
    with the shopper and the shopper's messages' author set to null (the thread shows "a former
    shopper"); their reports of listings, with the reporter set to null (staff's reviews rest on them).

    A maker is refused (ValidationError, code "maker"): their pieces, requests and reviews are settled
    by staff, who delete the account in the admin. Anything failing rolls everything back.
    """
    if is_maker(user):
        raise ValidationError(ERROR_MAKER_ACCOUNT, code="maker", params={"contact": contact})
    with transaction.atomic():
        # Held until the commit: a second deletion (another tab) waits, then finds no user.
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        withdrawn = requests_shopper_left(shopper=user)
        kept = PersonalizationRequest.objects.filter(shopper=user).count()
        reports = PieceReport.objects.filter(reporter=user).count()
        # The foreign keys do the rest: CASCADE for what is only theirs, SET_NULL for what others keep
        # (PersonalizationRequest.shopper, RequestMessage.author, PieceReport.reporter).
        user.delete()
    # Their sessions on other devices are not searched for (the user's id is only inside each
    # session's encoded data, so finding them would read every session of the site): they sign
    # nobody in, since Django finds no user behind them, and expire with their cookies.
    return AccountDeleted(requests_withdrawn=withdrawn, requests_kept=kept, reports_kept=reports)
