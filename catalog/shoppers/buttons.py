"""
The "Save" and "Follow" controls, drawn per visitor around cached HTML (cards, the piece sheet).

Each is a real form that works without JavaScript (a POST, then back to the page), which htmx
enhances: the form posts in place and the answer (`save_button_swap`, `follow_button_swap`) is the
new button alone, with the sentence its polite live region announces. The button carries the state
it asks for (`saved=1|0`, `following=1|0`), so a stale tab asks for what it shows. Written with
format_html rather than an included template: a grid draws 24 of them. The template tags
(catalog.templatetags.shoppers) and the toggle views (catalog.shoppers.views) call these.
"""

import re

from django.urls import reverse
from django.utils.html import format_html

# What the live region says after a change.
ANNOUNCE_SAVED = "Saved"
ANNOUNCE_UNSAVED = "Removed from saved"
ANNOUNCE_FOLLOWING = "Following"
ANNOUNCE_UNFOLLOWED = "No longer following"

# A control's id, as htmx sends it back in HX-Trigger: the kind, the object's pk, its place on the page.
CONTROL_ID = re.compile(r"^(save|follow)-\d{1,12}-\d{1,4}$")


def control_id(request, kind: str, pk: int) -> str:
    """An id unique on the page (a piece may be drawn twice), for htmx to keep the focus and find the live region."""
    count = request.__dict__.get("_shoppers_controls", 0) + 1
    request.__dict__["_shoppers_controls"] = count
    return f"{kind}-{pk}-{count}"


def swapped_id(request, kind: str, pk: int) -> str:
    """The id of the control an htmx request came from (its HX-Trigger), or a fresh one."""
    trigger = request.headers.get("HX-Trigger", "")
    if CONTROL_ID.match(trigger) and trigger.startswith(f"{kind}-{pk}-"):
        return trigger
    return f"{kind}-{pk}-1"


def _form(*, css, action, token, back, form_id, button):
    return format_html(
        '<form class="{css}" id="{form_id}" method="post" action="{action}" data-hx-post="{action}"'
        ' data-hx-target="find .{css}__button" data-hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        '<input type="hidden" name="next" value="{back}">{button}'
        '<span class="visually-hidden" id="{form_id}-status" role="status" aria-live="polite"></span></form>',
        css=css,
        form_id=form_id,
        action=action,
        token=token,
        back=back,
        button=button,
    )


def save_button(*, title: str, saved: bool, form_id: str):
    """The button alone: it asks for the other state, and says which one the piece is in."""
    return format_html(
        '<button class="save-toggle__button" id="{}-button" type="submit" name="saved" value="{}" aria-pressed="{}">'
        '<span class="save-toggle__mark" aria-hidden="true">{}</span> {}'
        '<span class="visually-hidden">: {}</span></button>',
        form_id,
        "0" if saved else "1",
        "true" if saved else "false",
        "♥" if saved else "♡",
        "Saved" if saved else "Save",
        title,
    )


def save_form(*, request, token: str, piece, saved: bool):
    """A piece's save control; `piece` is anything with pk, slug and title (a Piece, a cached sheet)."""
    form_id = control_id(request, "save", piece.pk)
    return _form(
        css="save-toggle",
        action=reverse("shoppers:piece_save", kwargs={"slug": piece.slug}),
        token=token,
        back=request.get_full_path(),
        form_id=form_id,
        button=save_button(title=piece.title, saved=saved, form_id=form_id),
    )


def save_button_swap(*, request, piece, saved: bool):
    """The htmx answer to a save: the new button, and the sentence for the live region already on the page."""
    form_id = swapped_id(request, "save", piece.pk)
    return format_html(
        '{}<span id="{}-status" data-hx-swap-oob="innerHTML">{}</span>',
        save_button(title=piece.title, saved=saved, form_id=form_id),
        form_id,
        ANNOUNCE_SAVED if saved else ANNOUNCE_UNSAVED,
    )


def remove_form(*, request, token: str, piece):
    """A saved piece that is no longer shown: a plain "Remove" form (no htmx: the page is drawn again without it)."""
    return format_html(
        '<form class="save-remove" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}"><input type="hidden" name="saved" value="0">'
        '<button class="save-remove__button" type="submit">Remove<span class="visually-hidden"> {}</span></button>'
        "</form>",
        reverse("shoppers:piece_save", kwargs={"slug": piece.slug}),
        token,
        request.get_full_path(),
        piece.title,
    )


def follow_button(*, name: str, following: bool, form_id: str):
    return format_html(
        '<button class="follow-toggle__button" id="{}-button" type="submit" name="following" value="{}"'
        ' aria-pressed="{}">{}<span class="visually-hidden"> {}</span></button>',
        form_id,
        "0" if following else "1",
        "true" if following else "false",
        "Following" if following else "Follow",
        name,
    )


def follow_form(*, request, token: str, artisan, following: bool):
    """A maker's follow control; for a visitor who is not signed in it leads to sign in, then back."""
    form_id = control_id(request, "follow", artisan.pk)
    return _form(
        css="follow-toggle",
        action=reverse("shoppers:maker_follow", kwargs={"slug": artisan.slug}),
        token=token,
        back=request.get_full_path(),
        form_id=form_id,
        button=follow_button(name=artisan.name, following=following, form_id=form_id),
    )


def follow_button_swap(*, request, artisan, following: bool):
    form_id = swapped_id(request, "follow", artisan.pk)
    return format_html(
        '{}<span id="{}-status" data-hx-swap-oob="innerHTML">{}</span>',
        follow_button(name=artisan.name, following=following, form_id=form_id),
        form_id,
        ANNOUNCE_FOLLOWING if following else ANNOUNCE_UNFOLLOWED,
    )
