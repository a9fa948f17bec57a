"""
A person's own data, as one JSON document they download from /accounts/data/: everything Atelier
holds about them, and nothing about anyone else.

`account_export(user=..., absolute=...)` gathers, for the signed-in person only (there is no id in
the URL: whose data it is comes from the request): the profile (display name, names, dates), their
email addresses (allauth's `EmailAddress`), saved pieces, followed makers, saved searches, the
personalization requests they sent, each with its whole thread (their messages and the maker's
answers to them) and the addresses of its photos (reference photos, the proof), and the listings they
reported. At most `EXPORT_QUERIES` queries whatever the number of rows: each kind of row is one query,
the requests' messages and photos one prefetch each.

Part of the people room: `views.DataDownloadView` calls it.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from catalog.models import (
    Follow,
    PersonalizationRequest,
    PieceReport,
    RequestMessage,
    SavedPiece,
    SavedSearch,
)
from catalog.models.people import public_name

EXPORT_QUERIES = 9
FORMAT_VERSION = 1


def _when(moment):
    return moment.isoformat() if moment else None


def _money(amount):
    return str(amount) if amount is not None else None


def account_export(*, user, absolute) -> dict:
    """
    Everything Atelier holds about `user`, as plain JSON values. `absolute` turns a path or a stored
    file's URL into a full address (`request.build_absolute_uri`).
    """
    # Read once, and kept on the user for `public_name` (a missing profile raises an AttributeError).
    profile = getattr(user, "profile", None)
    requests = (
        PersonalizationRequest.objects.filter(shopper=user)
        .select_related("piece", "artisan__user")
        .prefetch_related(Prefetch("messages", queryset=RequestMessage.objects.order_by("created_at", "id")), "photos")
        .order_by("created_at", "id")
    )
    return {
        "format": FORMAT_VERSION,
        "site": settings.SITE_NAME,
        "exported_at": _when(timezone.now()),
        "profile": {
            "display_name": profile.display_name if profile else "",
            "shown_to_makers_as": public_name(user),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "saved_pieces": [
            {
                "title": saved.piece.title,
                "url": absolute(saved.piece.get_absolute_url()),
                "saved_at": _when(saved.saved_at),
            }
            for saved in SavedPiece.objects.filter(shopper=user).select_related("piece")
        ],
        "followed_makers": [
            {
                "maker": follow.artisan.name,
                "url": absolute(follow.artisan.get_absolute_url()),
                "followed_at": _when(follow.followed_at),
            }
            for follow in Follow.objects.filter(shopper=user).select_related("artisan")
        ],
        "saved_searches": [
            {
                "name": search.name,
                "query": search.query,
                "url": absolute("/pieces/" + (f"?{search.query}" if search.query else "")),
                "alerts": search.frequency,
                "alerts_shown_as": str(search.get_frequency_display()),
                "created_at": _when(search.created_at),
            }
            for search in SavedSearch.objects.filter(shopper=user)
        ],
        "personalization_requests": [_request(item, user=user, absolute=absolute) for item in requests],
        "reports": [
            {
                "piece": report.piece.title,
                "url": absolute(report.piece.get_absolute_url()),
                "reason": report.reason,
                "reason_shown_as": str(report.get_reason_display()),
                "details": report.details,
                "created_at": _when(report.created_at),
                "resolved_at": _when(report.resolved_at),
            }
            for report in PieceReport.objects.filter(reporter=user).select_related("piece")
        ],
    }


def _request(item, *, user, absolute) -> dict:
    def author(message):
        if message.author_id == user.pk:
            return "you"
        if message.author_id is not None and message.author_id == item.artisan.user_id:
            return item.artisan.name
        return settings.SITE_NAME

    return {
        "number": item.pk,
        "maker": item.artisan.name,
        "piece": item.piece.title if item.piece_id else None,
        "piece_url": absolute(item.piece.get_absolute_url()) if item.piece_id else None,
        "state": item.shown_state,
        "state_shown_as": str(item.get_shown_state_display()),
        "kinds": item.kinds,
        "engraving_text": item.engraving_text,
        "size": item.size,
        "material_choice": item.material_choice,
        "details": item.details,
        "budget": _money(item.budget),
        "needed_by": _when(item.needed_by),
        "quote": {
            "price": _money(item.quote_price),
            "lead_days": item.quote_lead_days,
            "message": item.quote_message,
            "expires_on": _when(item.quote_expires_on),
        }
        if item.quote_price is not None
        else None,
        "proof": {
            "image_url": absolute(item.proof_image.url) if item.proof_image else None,
            "note": item.proof_note,
            "text": item.proof_text,
            "approved_text": item.approved_text,
        }
        if item.proof_image or item.proof_note
        else None,
        "reference_photos": [absolute(photo.image.url) for photo in item.photos.all()],
        "created_at": _when(item.created_at),
        "messages": [
            {"from": author(message), "action": message.action, "body": message.body, "at": _when(message.created_at)}
            for message in item.messages.all()
        ],
    }
