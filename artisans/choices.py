"""
Choices about makers, and the helper that gives every choice a plain-language
explanation.

Labels and explanations are written for shoppers: the same text appears in
the filters, on the pages, in the admin and in the makers' forms.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def explained(**explanations):
    """
    Attach a one-sentence explanation to each member of a TextChoices class.

    Used as a class decorator; fails at import time when a member has no
    explanation or an explanation names no member, so a new choice cannot be
    added without saying what it means.
    """

    def decorate(choices):
        names = {member.name for member in choices}
        if names != set(explanations):
            raise TypeError(
                f"{choices.__name__}: explain exactly its members; "
                f"missing {sorted(names - set(explanations))}, "
                f"unknown {sorted(set(explanations) - names)}"
            )
        for member in choices:
            member.explanation = explanations[member.name]

        def field_help(cls):
            """The explanations as one help text for a form or admin field."""
            return " ".join(f"{member.label}: {member.explanation}" for member in cls)

        choices.field_help = classmethod(field_help)
        return choices

    return decorate


@explained(
    INDEPENDENT=_("One person designs and makes the pieces in their own workshop."),
    STUDIO=_("A small team of makers working together under one name."),
    BRAND=_("A company whose pieces are designed in-house and made in larger runs, often by partners."),
)
class MakerType(models.TextChoices):
    INDEPENDENT = "independent", _("Independent artisan")
    STUDIO = "studio", _("Studio")
    BRAND = "brand", _("Brand")


@explained(
    SOLO=_("One maker does all the work."),
    SMALL_TEAM=_("Between 2 and 10 people work in the workshop."),
    STUDIO=_("Between 11 and 50 people work in the workshop."),
    FACTORY=_("More than 50 people; production is organised at scale."),
)
class WorkshopSize(models.TextChoices):
    SOLO = "solo", _("Solo maker")
    SMALL_TEAM = "small_team", _("Small team (2–10)")
    STUDIO = "studio", _("Studio (11–50)")
    FACTORY = "factory", _("Factory (50+)")


@explained(
    PENDING=_("Applied to sell; staff have not reviewed the application yet."),
    APPROVED=_("Reviewed by staff; the maker's published pieces are public."),
    SUSPENDED=_("Stopped by staff; none of the maker's pieces are shown."),
)
class ArtisanStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")
