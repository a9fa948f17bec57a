"""
The "Save" and "Follow" controls, drawn per visitor around cached HTML (cards, the piece sheet).

Each is a real form that works without JavaScript (a POST, then back to the page), which htmx
enhances: the form posts in place and the answer (`toggle_swap`) is the
new button alone, with the sentence its polite live region announces. The button carries the state
it asks for (`saved=1|0`, `following=1|0`), so a stale tab asks for what it shows. Written with
format_html rather than an included template: a grid draws 24 of them. The template tags
(catalog.templatetags.shoppers) and the toggle views (catalog.shoppers.views) call these.
"""

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Toggle:
    """
    One kind of control: what it posts to, the field carrying the wanted state (`1` or `0`), its
    words off and on, what its live region says after turning off and on, and the mark before them.
    """

    kind: str
    url_name: str
    field: str
    labels: tuple[str, str]
    announcements: tuple[str, str]
    marks: tuple[str, str] = ("", "")
    # How the object's name follows the label for screen readers ("Save: Hammered band", as the
    # compare button reads; "Follow Oficina Ferro").
    name_joiner: str = " "

    @property
    def css(self) -> str:
        return f"{self.kind}-toggle"


SAVE = Toggle(
    kind="save",
    url_name="shoppers:piece_save",
    field="saved",
    labels=("Save", "Saved"),
    announcements=(ANNOUNCE_UNSAVED, ANNOUNCE_SAVED),
    marks=("♡", "♥"),
    name_joiner=": ",
)
FOLLOW = Toggle(
    kind="follow",
    url_name="shoppers:maker_follow",
    field="following",
    labels=("Follow", "Following"),
    announcements=(ANNOUNCE_UNFOLLOWED, ANNOUNCE_FOLLOWING),
)


def toggle_button(toggle: Toggle, *, name: str, on: bool, form_id: str):
    """The button alone: it asks for the other state, and says which one its object is in."""
    mark = toggle.marks[on]
    return format_html(
        '<button class="{css}__button" id="{form_id}-button" type="submit" name="{field}" value="{value}"'
        ' aria-pressed="{pressed}">{mark}{label}<span class="visually-hidden">{joiner}{name}</span></button>',
        css=toggle.css,
        form_id=form_id,
        field=toggle.field,
        value="0" if on else "1",
        pressed="true" if on else "false",
        mark=format_html('<span class="{}__mark" aria-hidden="true">{}</span> ', toggle.css, mark) if mark else "",
        label=toggle.labels[on],
        joiner=toggle.name_joiner,
        name=name,
    )


def toggle_form(toggle: Toggle, *, request, token: str, target, name: str, on: bool):
    """
    The control of `target` (anything with pk and slug: a Piece, a cached sheet, an Artisan), for a
    visitor who may not be signed in (following leads them to sign in, then back).
    """
    form_id = control_id(request, toggle.kind, target.pk)
    return _form(
        css=toggle.css,
        action=reverse(toggle.url_name, kwargs={"slug": target.slug}),
        token=token,
        back=request.get_full_path(),
        form_id=form_id,
        button=toggle_button(toggle, name=name, on=on, form_id=form_id),
    )


def toggle_swap(toggle: Toggle, *, request, target, name: str, on: bool):
    """The htmx answer to a press: the new button, and the sentence for the live region already on the page."""
    form_id = swapped_id(request, toggle.kind, target.pk)
    return format_html(
        '{}<span id="{}-status" data-hx-swap-oob="innerHTML">{}</span>',
        toggle_button(toggle, name=name, on=on, form_id=form_id),
        form_id,
        toggle.announcements[on],
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
