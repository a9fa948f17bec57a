"""
People's public identity: the name makers and request threads show for a person, never their email
address (domain.md, "Words a page must never contradict").

`Profile` holds the display name a person chose; the user model stays Django's own. `public_name(user)`
is the one place that says what others see: the chosen display name, else the first name and the
initial of the last name ("Ada L."), else `NEUTRAL_NAME`; `FORMER_SHOPPER` for nobody (a request
whose shopper deleted their account). It never reads the email address or the
username (allauth makes usernames from the address). `name_clean` is the one rule for a name typed by a
person (the display name, and the first and last names at sign-up), used by the forms and, as a
validator, by the model.

Lists of requests read it without a query per row when they load `select_related("shopper__profile")`:
a person with no profile is then known to have none.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

DISPLAY_NAME_MAX_LENGTH = 40
PERSON_NAME_MAX_LENGTH = 50
NEUTRAL_NAME = "A shopper"
# Who a request or a message was from once its shopper deleted their account (the user is then None).
FORMER_SHOPPER = "A former shopper"

ERROR_NAME_BLANK = "Write the name makers will see you by."
ERROR_NAME_TOO_LONG = "Keep it to %(limit)d characters; this one has %(length)d."
ERROR_NAME_EMAIL = "Leave your email address out: makers see this name, and “@” is not allowed in it."
ERROR_NAME_UNPRINTABLE = "Use letters, digits, spaces and punctuation only: this name holds an invisible character."
ERROR_NAME_SPACES = "Put one space between words, and none before or after the name."


def name_clean(value: str, *, max_length: int = DISPLAY_NAME_MAX_LENGTH, required: bool = True) -> str:
    """The name as others will read it (runs of spaces, tabs and line breaks made one space), or a ValidationError."""
    name = " ".join((value or "").split())
    if not name:
        if required:
            raise ValidationError(ERROR_NAME_BLANK, code="required")
        return ""
    if len(name) > max_length:
        raise ValidationError(ERROR_NAME_TOO_LONG, code="max_length", params={"limit": max_length, "length": len(name)})
    # An address, or half of one, would be the very leak the display name exists to stop.
    if "@" in name or "＠" in name:
        raise ValidationError(ERROR_NAME_EMAIL, code="email")
    # Zero-width and control characters make two names look alike, or a name look empty.
    if not name.isprintable():
        raise ValidationError(ERROR_NAME_UNPRINTABLE, code="unprintable")
    return name


def validate_display_name(value: str) -> None:
    """The model's validator: a stored display name is exactly what `name_clean` would make of it."""
    if value and name_clean(value) != value:
        raise ValidationError(ERROR_NAME_SPACES, code="spaces")


class Profile(models.Model):
    """What a person shows of themselves to others: today, the display name they chose."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        validators=[validate_display_name],
        help_text="What makers and request threads show. Empty: the first name and the last name's initial.",
    )

    class Meta:
        verbose_name = "public name"
        constraints = [
            models.CheckConstraint(
                condition=~Q(display_name__contains="@"),
                name="profile_display_name_no_email",
                violation_error_code="email",
                violation_error_message=ERROR_NAME_EMAIL,
            )
        ]

    def __str__(self):
        return public_name(self.user)


def default_name(first_name: str, last_name: str) -> str:
    """The first name and the last name's initial ("Ada L."), or only the first name, or ""."""
    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first:
        return ""
    name = f"{first} {last[0].upper()}." if last else first
    return "" if "@" in name else name


def public_name(user) -> str:
    """The name others see for `user`: chosen, else "First L.", else NEUTRAL_NAME; never the email address."""
    if user is None:  # the row outlived its person: their account was deleted (catalog.people.services)
        return FORMER_SHOPPER
    # A missing profile raises RelatedObjectDoesNotExist, an AttributeError; select_related caches the miss.
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return default_name(getattr(user, "first_name", ""), getattr(user, "last_name", "")) or NEUTRAL_NAME
