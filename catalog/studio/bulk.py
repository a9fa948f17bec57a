"""
Many pieces at once, from the studio's list: the maker ticks pieces (or all those on the page) and
applies one change to them: publish, take off the site, archive, change the price by a percentage
or an amount, set the lead time, add a personalization option.

One form (`BulkChangeForm`) reads the choice and the change, in plain words when it cannot; the
list's view (`BulkChangesMixin`, mixed into catalog.studio.views.DashboardView) applies it through
one service of catalog.services per change, all or nothing, and shows the list again with the
reason and the boxes still ticked when it is refused. The row checkboxes sit in the table, outside
the form, and join it by their `form` attribute, so the page works as one form without JavaScript
(static/js/studio-bulk.js only ticks every box and shows the fields of the chosen change).

Part of the studio room: catalog.studio.views uses it; the writes are catalog.services'.
"""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from catalog.choices import PersonalizationKind, PieceStatus
from catalog.formats import money
from catalog.services import (
    ERROR_NOT_YOURS_SELECTED,
    pieces_add_option,
    pieces_publish_chosen,
    pieces_reprice,
    pieces_set_lead_time,
    pieces_set_status,
    titles_named,
)
from catalog.studio.forms import MAX_COUNTS, MAX_PRICE
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

ERROR_NOTHING_CHOSEN = "Choose at least one piece first: tick the box beside each piece to change."
ERROR_CHOICE_UNREADABLE = "The list of chosen pieces could not be read; reload the page and choose again."
ERROR_TOO_MANY_CHOSEN = "Choose at most %(max)s pieces at a time."
ERROR_NO_ACTION = "Choose what to do with the chosen pieces."
ERROR_PRICE_NUMBER = "Write the price change as a plain number above zero, such as 10 or 12.50, then choose up or down."
ERROR_PRICE_DIRECTION = "Choose whether the prices go up or down, and by a percentage or an amount."
ERROR_PERCENT_RANGE = "A price can go up by at most 1,000 % and down by at most 100 %."
ERROR_AMOUNT_RANGE = "A price can change by at most %(max)s."
ERROR_LEAD_TIME = "Give the lead time as a whole number of days, from 1 to %(max)s."
ERROR_OPTION_KIND = "Choose the kind of personalization to offer."
ERROR_OPTION_LIMIT = "Give the most letters an engraving can have, from 1 to %(max)s."
ERROR_OPTION_PRICE = "Give the extra price as a plain number from 0 to %(max)s, such as 20 or 12.50."
ERROR_OPTION_DAYS = "Give the extra days as a whole number from 0 to %(max)s."
ERROR_OPTION_NOTE = "Keep the note to %(max)s characters."

MESSAGE_UNCHANGED = "Nothing changed: the chosen pieces were already as you asked."
MESSAGE_PUBLISHED = "Published %(pieces)s."
MESSAGE_UNPUBLISHED = "%(pieces)s taken off the site: they are drafts again, which shoppers do not see."
MESSAGE_ARCHIVED = "Archived %(pieces)s."
MESSAGE_REPRICED = "Changed the price of %(pieces)s."
MESSAGE_LEAD_TIME = "Set a lead time of %(days)s days on %(pieces)s."
MESSAGE_LEAD_TIME_SKIPPED = "Left as they were, since they are not made to order: %(titles)s."
MESSAGE_OPTION = "Added %(kind)s to %(pieces)s."
MESSAGE_OPTION_SKIPPED = "Left as they were, since they already offer %(kind)s: %(titles)s."

# The changes, in the maker's words. A maker cannot hide a piece (staff's "hidden" status): taking
# it off the site makes it a draft again, which is what the single piece's "Unpublish" does.
ACTIONS = [
    ("publish", _("Publish")),
    ("unpublish", _("Take off the site (back to drafts)")),
    ("archive", _("Archive")),
    ("reprice", _("Change the price")),
    ("lead_time", _("Set the lead time (made-to-order pieces)")),
    ("add_option", _("Add a personalization option")),
]
STATUS_ACTIONS = {"publish", "unpublish", "archive"}
DIRECTIONS = [("up", _("Up")), ("down", _("Down"))]
UNITS = [("percent", _("per cent")), ("amount", _("in %(currency)s") % {"currency": settings.CURRENCY})]

# The most pieces one change takes: a page of the list holds 50, so this is "all on the page" with room.
MAX_CHOSEN = 200
# The keys of pieces: positive, and within a 64-bit column (10^20 is refused, not sent to the database).
MAX_KEY = 2**63 - 1
MAX_PERCENT_UP = Decimal("1000")
MAX_PERCENT_DOWN = Decimal("100")
MAX_ENGRAVING = 200
MAX_NOTE = 250
# A plain amount: digits, and at most two decimals after a point or a comma ("12,50" is 12.50).
PLAIN_NUMBER = re.compile(r"[0-9]{1,9}(?:[.,][0-9]{1,2})?")


def plain_number(text):
    """A positive or zero amount typed by a maker ("12.50", "12,50", "10"), or None when it is not one."""
    text = str(text or "").strip()
    if not PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def whole_number(text, *, low, high):
    text = str(text or "").strip()
    if not re.fullmatch(r"[0-9]{1,6}", text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def piece_keys(values):
    """Posted piece ids as numbers, or None when any is not a piece's id."""
    keys = set()
    for value in values:
        value = str(value).strip()
        if not re.fullmatch(r"[0-9]{1,19}", value) or not 1 <= int(value) <= MAX_KEY:
            return None
        keys.add(int(value))
    return keys


def pieces_phrase(count):
    return f"{count} piece" if count == 1 else f"{count} pieces"


class BulkChangeForm(forms.Form):
    """The chosen pieces and the one change to make to them; every number read as the maker typed it."""

    all_on_page = forms.BooleanField(required=False, label=_("All pieces on this page"))
    action = forms.ChoiceField(
        choices=[("", _("Choose what to do")), *ACTIONS],
        required=False,
        label=_("What to do with the chosen pieces"),
    )
    price_direction = forms.ChoiceField(choices=DIRECTIONS, required=False, label=_("Prices go"))
    price_value = forms.CharField(required=False, label=_("By"), max_length=20)
    price_unit = forms.ChoiceField(choices=UNITS, required=False, label=_("Counted"))
    lead_time_days = forms.CharField(required=False, label=_("Lead time in days"), max_length=10)
    option_kind = forms.ChoiceField(
        choices=[("", _("Choose a kind")), *PersonalizationKind.choices], required=False, label=_("Kind")
    )
    option_max_characters = forms.CharField(required=False, label=_("Most letters (engraving)"), max_length=10)
    option_extra_price = forms.CharField(required=False, label=_("Extra price"), max_length=20)
    option_extra_lead_days = forms.CharField(required=False, label=_("Extra days"), max_length=10)
    option_note = forms.CharField(required=False, label=_("What can be chosen"), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("price_value", "option_extra_price"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        for name in ("lead_time_days", "option_max_characters", "option_extra_lead_days"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.fields["option_note"].widget.attrs["maxlength"] = MAX_NOTE

    @property
    def chosen_keys(self):
        """The ids of the ticked pieces (every one of the page's with "all"), as posted; empty when unreadable."""
        if not self.is_bound:
            return set()
        keys = piece_keys(self.data.getlist("pieces")) or set()
        if self.data.get("all_on_page"):
            keys |= piece_keys(self.data.getlist("page_pieces")) or set()
        return keys

    def clean(self):
        data = super().clean()
        posted = self.data.getlist("pieces") + (self.data.getlist("page_pieces") if data.get("all_on_page") else [])
        keys = piece_keys(posted)
        if keys is None:
            raise ValidationError(ERROR_CHOICE_UNREADABLE, code="choice_unreadable")
        if not keys:
            raise ValidationError(ERROR_NOTHING_CHOSEN, code="nothing_chosen")
        if len(keys) > MAX_CHOSEN:
            raise ValidationError(ERROR_TOO_MANY_CHOSEN, code="too_many_chosen", params={"max": MAX_CHOSEN})
        data["keys"] = keys
        action = data.get("action")
        if not action:
            self.add_error("action", ValidationError(ERROR_NO_ACTION, code="no_action"))
        elif action == "reprice":
            self._clean_price(data)
        elif action == "lead_time":
            self._clean_lead_time(data)
        elif action == "add_option":
            self._clean_option(data)
        return data

    def _clean_price(self, data):
        value = plain_number(data.get("price_value"))
        if value is None or value <= 0:
            self.add_error("price_value", ValidationError(ERROR_PRICE_NUMBER, code="price_number"))
            return
        direction, unit = data.get("price_direction"), data.get("price_unit")
        if not direction or not unit:
            self.add_error("price_direction", ValidationError(ERROR_PRICE_DIRECTION, code="price_direction"))
            return
        if unit == "percent" and value > (MAX_PERCENT_UP if direction == "up" else MAX_PERCENT_DOWN):
            self.add_error("price_value", ValidationError(ERROR_PERCENT_RANGE, code="percent_range"))
            return
        if unit == "amount" and value > MAX_PRICE:
            self.add_error(
                "price_value",
                ValidationError(ERROR_AMOUNT_RANGE, code="amount_range", params={"max": money(MAX_PRICE)}),
            )
            return
        signed = value if direction == "up" else -value
        data["percent"], data["amount"] = (signed, None) if unit == "percent" else (None, signed)

    def _clean_lead_time(self, data):
        high = MAX_COUNTS["lead_time_days"]
        days = whole_number(data.get("lead_time_days"), low=1, high=high)
        if days is None:
            self.add_error("lead_time_days", ValidationError(ERROR_LEAD_TIME, code="lead_time", params={"max": high}))
        data["days"] = days

    def _clean_option(self, data):
        kind = data.get("option_kind")
        if not kind:
            self.add_error("option_kind", ValidationError(ERROR_OPTION_KIND, code="option_kind"))
        limit = None
        if kind == PersonalizationKind.ENGRAVING:
            limit = whole_number(data.get("option_max_characters"), low=1, high=MAX_ENGRAVING)
            if limit is None:
                self.add_error(
                    "option_max_characters",
                    ValidationError(ERROR_OPTION_LIMIT, code="option_limit", params={"max": MAX_ENGRAVING}),
                )
        price_text = data.get("option_extra_price") or "0"
        price = plain_number(price_text)
        if price is None or price > MAX_PRICE:
            self.add_error(
                "option_extra_price",
                ValidationError(ERROR_OPTION_PRICE, code="option_price", params={"max": money(MAX_PRICE)}),
            )
        high = MAX_COUNTS["lead_time_days"]
        days = whole_number(data.get("option_extra_lead_days") or "0", low=0, high=high)
        if days is None:
            self.add_error(
                "option_extra_lead_days", ValidationError(ERROR_OPTION_DAYS, code="option_days", params={"max": high})
            )
        note = (data.get("option_note") or "").strip()
        if len(note) > MAX_NOTE:
            self.add_error(
                "option_note", ValidationError(ERROR_OPTION_NOTE, code="option_note", params={"max": MAX_NOTE})
            )
        data["option"] = {
            "kind": kind,
            "max_characters": limit,
            "extra_price": price,
            "extra_lead_days": days,
            "note": note,
        }


def bulk_change(*, form, actor):
    """Apply the valid form's change to the chosen pieces, all or nothing; returns the messages to show."""
    data = form.cleaned_data
    action = data["action"]
    if action == "publish":
        return [changed_words(MESSAGE_PUBLISHED, pieces_publish_chosen(pieces=data["keys"], actor=actor))]
    if action in ("unpublish", "archive"):
        status = PieceStatus.DRAFT if action == "unpublish" else PieceStatus.ARCHIVED
        changed = pieces_set_status(pieces=data["keys"], status=status, actor=actor)
        return [changed_words(MESSAGE_UNPUBLISHED if action == "unpublish" else MESSAGE_ARCHIVED, changed)]
    if action == "reprice":
        changed = pieces_reprice(
            pieces=data["keys"], actor=actor, percent=data["percent"], amount=data["amount"], max_price=MAX_PRICE
        )
        return [changed_words(MESSAGE_REPRICED, changed)]
    if action == "lead_time":
        outcome = pieces_set_lead_time(pieces=data["keys"], days=data["days"], actor=actor)
        words = [changed_words(MESSAGE_LEAD_TIME, outcome.changed, days=data["days"])]
        if outcome.skipped:
            words.append(MESSAGE_LEAD_TIME_SKIPPED % {"titles": titles_named(outcome.skipped)})
        return words
    option = data["option"]
    outcome = pieces_add_option(pieces=data["keys"], actor=actor, **option)
    kind = PersonalizationKind(option["kind"]).label.lower()
    words = [changed_words(MESSAGE_OPTION, outcome.changed, kind=kind)]
    if outcome.skipped:
        words.append(MESSAGE_OPTION_SKIPPED % {"kind": kind, "titles": titles_named(outcome.skipped)})
    return words


def changed_words(message, count, **params):
    if not count:
        return MESSAGE_UNCHANGED
    words = message % {"pieces": pieces_phrase(count), **params}
    return words[0].upper() + words[1:]


class BulkChangesMixin:
    """
    The studio list's POST: one change to the chosen pieces. Done: back to the list (its filters kept,
    its first page) with what changed. Refused: the list again, the boxes still ticked, the reason at
    the top of the form (400; 403 when a chosen piece is not the maker's), nothing changed.
    """

    def bulk_form(self):
        return getattr(self, "_bulk_form", None) or BulkChangeForm()

    def post(self, request, *args, **kwargs):
        form = self._bulk_form = BulkChangeForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                limit_hit(
                    scope="studio-changes", key=request.user.pk, limit=settings.STUDIO_CHANGES_PER_MINUTE, window=60
                )
            except RateLimited as error:
                return too_many_requests(request, error)
            try:
                with transaction.atomic():
                    words = bulk_change(form=form, actor=request.user)
            except PermissionDenied as refusal:
                form.add_error(None, ValidationError(str(refusal) or ERROR_NOT_YOURS_SELECTED, code="refused"))
                status = 403
            except ValidationError as refusal:
                form.add_error(None, ValidationError(" ".join(refusal.messages), code="refused"))
            else:
                for line in words:
                    messages.success(request, line)
                return redirect(self.list_url())
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(), status=status)

    def list_url(self):
        """The list with its filters, on its first page (the change may have moved pieces off the page)."""
        query = {key: value for key, value in self.request.GET.items() if key != "page"}
        return self.request.path + (f"?{urlencode(query)}" if query else "")
