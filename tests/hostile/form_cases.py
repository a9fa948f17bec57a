"""
Every form of the site as one `FormCase`: where it posts, who may post it, who
may not, and a payload a browser would send that the form accepts. The fuzzing
and injection tests start from these payloads and spoil them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from catalog.choices import Availability, PersonalizationKind, ReportReason
from catalog.models import Category
from catalog.tests.factories import CertificationFactory, MaterialFactory
from catalog.tests.studio_helpers import (
    application_data,
    application_files,
    existing_formsets,
    management,
    piece_data,
    piece_files,
)

from .world import World, accepted, future


def no_files():
    return {}


@dataclass
class FormCase:
    name: str
    url: Callable[[World], str]
    user: Callable[[World], object]
    data: Callable[[World], dict]
    files: Callable[[], dict] = no_files
    # Who must be turned away (404, 403 or sign-in) with nothing written: (who, the user) pairs.
    intruders: list[tuple[str, Callable[[World], object]]] = field(default_factory=list)
    # Where an accepted form redirects, for the forms that say nothing on success.
    success_url: str | None = None
    # The free-text fields, which store what they are given and show it back (the injection tests fill them).
    text_fields: tuple[str, ...] = ()

    def __str__(self):
        return self.name

    def accepted(self, response) -> bool:
        if self.success_url:
            return response.status_code == 302 and response.url == reverse(self.success_url)
        return accepted(response)


def _option(world, kind):
    return str(world.piece.personalization_options.get(kind=kind).pk)


def _request_for_piece(world):
    return {
        "options": [_option(world, PersonalizationKind.ENGRAVING), _option(world, PersonalizationKind.SIZING)],
        "engraving_text": "A & J 2026",
        "size": "52",
        "material_choice": "",
        "details": "Inside the band, please.",
        "budget": "300",
        "needed_by": future(),
    }


def _commission(world):
    return {"kinds": [PersonalizationKind.CUSTOM_DESIGN], "details": "A ring like my grandmother's.", "budget": "500"}


def _profile(world):
    return {
        **{key: value for key, value in application_data().items() if not key.startswith("photos-")},
        "founded_year": "2011",
        **management("photos", 0),
    }


# Made to order, so that every text field of the piece form is one the piece may have (a one-of-a-kind
# piece has no variation note, and refuses one).
MADE_TO_ORDER = {"availability": Availability.MADE_TO_ORDER, "lead_time_days": "21"}


def _new_piece(world):
    silver = MaterialFactory(name="Silver", slug="silver")
    return piece_data(category=Category.objects.get(slug="rings"), material=silver, **MADE_TO_ORDER)


def _piece_edit(world):
    data = piece_data(category=world.piece.category, material=world.piece.materials.first().material, **MADE_TO_ORDER)
    return {**data, **existing_formsets(world.piece)}


def _certification_claim(world):
    fairmined = CertificationFactory(name="Fairmined", slug="fairmined")
    return {"certification": str(fairmined.pk), "certificate_number": "FM-2026-0042"}


def _quote(world):
    return {"price": "240.00", "lead_days": "21", "expires_on": future(10), "message": "Happy to make it."}


def _signup(world):
    return {
        "first_name": "Ana",
        "last_name": "Silva",
        "display_name": "Ana from Porto",
        "email": "new.shopper@example.com",
        "password1": "a-long-Secret-42",
        "password2": "a-long-Secret-42",
    }


PIECE_TEXT_FIELDS = (
    "title",
    "description",
    "variation_note",
    "care_instructions",
    "design_story",
    "materials-0-origin",
    "photos-0-alt_text",
)


def _maker(world):
    return world.maker.user


VISITOR = ("visitor", lambda w: None)
THE_MAKER = ("the maker", _maker)
OTHER_MAKER = ("another maker", lambda w: w.other_maker.user)
A_SHOPPER = ("a shopper", lambda w: w.shopper)
OTHER_SHOPPER = ("another shopper", lambda w: w.other_shopper)


FORM_CASES = [
    FormCase(
        "request for a piece",
        lambda w: reverse("requests:create_for_piece", args=[w.piece.slug]),
        lambda w: w.shopper,
        _request_for_piece,
        intruders=[VISITOR],
        text_fields=("size", "material_choice", "details"),
    ),
    FormCase(
        "commission from a maker",
        lambda w: reverse("requests:create_for_artisan", args=[w.maker.slug]),
        lambda w: w.other_shopper,
        _commission,
        intruders=[VISITOR],
        text_fields=("size", "material_choice", "details"),
    ),
    FormCase(
        "application to sell",
        lambda w: reverse("studio:apply"),
        lambda w: w.newcomer,
        lambda w: application_data(),
        application_files,
        intruders=[VISITOR, THE_MAKER],
        text_fields=("name", "region", "bio", "statement", "labor_practices", "photos-0-alt_text"),
    ),
    FormCase(
        "maker profile",
        lambda w: reverse("studio:profile"),
        _maker,
        _profile,
        intruders=[VISITOR, A_SHOPPER],
        text_fields=("name", "region", "bio", "statement", "labor_practices"),
    ),
    FormCase(
        "new piece",
        lambda w: reverse("studio:piece_create"),
        _maker,
        _new_piece,
        piece_files,
        intruders=[VISITOR, A_SHOPPER],
        text_fields=PIECE_TEXT_FIELDS,
    ),
    FormCase(
        "piece edit",
        lambda w: reverse("studio:piece_update", args=[w.piece.pk]),
        _maker,
        _piece_edit,
        intruders=[VISITOR, OTHER_MAKER, A_SHOPPER],
        text_fields=PIECE_TEXT_FIELDS,
    ),
    FormCase(
        "publish a draft",
        lambda w: reverse("studio:piece_action", args=[w.draft.pk, "publish"]),
        _maker,
        lambda w: {"next": "piece"},
        intruders=[VISITOR, OTHER_MAKER],
    ),
    FormCase(
        "quote",
        lambda w: reverse("studio:request_action", args=[w.request.pk, "quote"]),
        _maker,
        _quote,
        intruders=[VISITOR, OTHER_MAKER, A_SHOPPER],
        text_fields=("message",),
    ),
    FormCase(
        "decline",
        lambda w: reverse("studio:request_action", args=[w.request.pk, "decline"]),
        _maker,
        lambda w: {"note": "The stone is not available any more."},
        intruders=[OTHER_MAKER, A_SHOPPER],
        text_fields=("note",),
    ),
    FormCase(
        "maker's message",
        lambda w: reverse("studio:request_action", args=[w.request.pk, "message"]),
        _maker,
        lambda w: {"body": "Which finger is it for?"},
        intruders=[OTHER_MAKER],
        text_fields=("body",),
    ),
    FormCase(
        "shopper's message",
        lambda w: reverse("requests:action", args=[w.request.pk, "message"]),
        lambda w: w.shopper,
        lambda w: {"body": "The ring finger, left hand."},
        intruders=[VISITOR, OTHER_SHOPPER, THE_MAKER],
        text_fields=("body",),
    ),
    FormCase(
        "withdraw",
        lambda w: reverse("requests:action", args=[w.request.pk, "withdraw"]),
        lambda w: w.shopper,
        lambda w: {},
        intruders=[OTHER_SHOPPER, THE_MAKER],
    ),
    FormCase(
        "report a listing",
        lambda w: reverse("catalog:piece_report", args=[w.piece.slug]),
        lambda w: w.other_shopper,
        lambda w: {"reason": ReportReason.values[0], "details": "The same photo is in another shop."},
        intruders=[VISITOR],
        text_fields=("details",),
    ),
    FormCase(
        "appeal a rejected claim",
        lambda w: reverse("studio:review_appeal", args=[w.rejected_review.pk]),
        _maker,
        lambda w: {"text": "Here are photos of the ring on my bench."},
        intruders=[VISITOR, OTHER_MAKER, A_SHOPPER],
        text_fields=("text",),
    ),
    FormCase(
        "claim a certification",
        lambda w: reverse("studio:certifications"),
        _maker,
        _certification_claim,
        intruders=[VISITOR, A_SHOPPER],
        text_fields=("certificate_number",),
    ),
    FormCase(
        "withdraw a certification claim",
        lambda w: reverse("studio:certification_withdraw", args=[w.waiting_claim.pk]),
        _maker,
        lambda w: {},
        intruders=[VISITOR, OTHER_MAKER, A_SHOPPER],
    ),
    FormCase(
        "compare tray",
        lambda w: reverse("catalog:compare_toggle"),
        lambda w: None,
        lambda w: {"piece": w.piece.slug, "next": reverse("catalog:piece_list")},
        success_url="catalog:piece_list",
        text_fields=("piece", "next"),
    ),
    FormCase(
        "compare remove",
        lambda w: reverse("catalog:compare_remove"),
        lambda w: None,
        lambda w: {"piece": w.piece.slug},
        success_url="catalog:compare",
        text_fields=("piece",),
    ),
    FormCase(
        "compare clear",
        lambda w: reverse("catalog:compare_clear"),
        lambda w: None,
        lambda w: {},
        success_url="catalog:compare",
    ),
    FormCase(
        "sign up",
        lambda w: reverse("account_signup"),
        lambda w: None,
        _signup,
        text_fields=("email", "first_name", "last_name", "display_name"),
    ),
    FormCase(
        "display name",
        lambda w: reverse("people:name"),
        lambda w: w.shopper,
        lambda w: {"display_name": "Ana S."},
        intruders=[VISITOR],
        success_url="people:name",
        text_fields=("display_name",),
    ),
    FormCase(
        "sign in",
        lambda w: reverse("account_login"),
        lambda w: None,
        lambda w: {"login": w.shopper.email, "password": "a-long-test-password"},
        text_fields=("login", "password"),
    ),
    FormCase(
        "password reset",
        lambda w: reverse("account_reset_password"),
        lambda w: None,
        lambda w: {"email": w.shopper.email},
        success_url="account_reset_password_done",
        text_fields=("email",),
    ),
]
