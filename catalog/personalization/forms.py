"""
The personalization request form (from a piece page, or a commission from a
maker's page) and the small forms of the request's actions.

Everything a shopper picks is checked against the piece's own options: a kind
the piece does not offer, another piece's option id, engraving text past the
option's limit (never cut: the page counts, the server refuses) or outside the
character set, a size or a metal for an option not ticked, a past date, a
negative budget and more than `MAX_PHOTOS` photos are refused with a message.
The form asks only for what the piece offers (no size field for a piece that
cannot be resized), and labels each option with its extra price and days.

Accepting a quote goes through its summary page: `AcceptForm` needs the signed
confirmation that page carries (`accept_confirmation`), bound to the quote's terms.

Part of the personalization room: the request views (catalog.personalization.views) use them.
"""

import re

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from artisans.images import ACCEPT_ATTRIBUTE, CleanImageFormField, image_clean
from catalog.choices import PersonalizationKind
from catalog.formats import money
from catalog.models import PersonalizationRequest
from catalog.personalization.terms import currency_symbol, option_terms

MAX_PHOTOS = 5
# Letters of any alphabet, digits, spaces and the punctuation engravers cut.
ENGRAVING_CHARACTERS = re.compile(r"^[^\W_]*(?:[\s.,'’&+\-!?:/#()♥][^\W_]*)*$")

ERROR_ENGRAVING_TOO_LONG = "The engraving can have at most %(limit)s characters; this one has %(count)s."
ERROR_ENGRAVING_CHARACTERS = "Engravings can use letters, digits, spaces and . , ' & + - ! ? : / # ( ) ♥."
ERROR_ENGRAVING_NOT_OFFERED = "This piece is not offered with engraving."
ERROR_PAST_DATE = "Choose a date after today."
ERROR_NO_KIND = "Choose at least one kind of personalization."
ERROR_TOO_MANY_PHOTOS = "Add at most %(limit)s reference photos; you chose %(count)s."
ERROR_NEGATIVE_BUDGET = "A budget cannot be negative."
ERROR_SIZE_NOT_CHOSEN = "You gave a size: tick “Sizing” above, or leave the size empty."
ERROR_MATERIAL_NOT_CHOSEN = "You named a metal or stone: tick its choice above, or leave this empty."
ERROR_CONFIRM_FIRST = "Check the quote's summary first, then accept it there."
ERROR_QUOTE_CHANGED = "The quote changed since you looked at its summary; check it again before accepting."

# The most an engraving may hold whatever an option says: the request's own column.
ENGRAVING_CEILING = PersonalizationRequest._meta.get_field("engraving_text").max_length
MATERIAL_KINDS = {PersonalizationKind.METAL_CHOICE, PersonalizationKind.STONE_CHOICE}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReferencePhotosField(forms.FileField):
    """Up to MAX_PHOTOS photos, each through the image pipeline."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": ACCEPT_ATTRIBUTE, "multiple": True})

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                ERROR_TOO_MANY_PHOTOS, code="too_many_photos", params={"limit": MAX_PHOTOS, "count": len(uploads)}
            )
        return [image_clean(upload) for upload in uploads]


def option_label(option) -> str:
    """'Engraving (+€40 · 5 more days)': the checkbox says what ticking it adds."""
    return f"{option.get_kind_display()} ({option_terms(option)})"


class RequestForm(forms.Form):
    options = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="What would you like?"
    )
    kinds = forms.MultipleChoiceField(
        choices=PersonalizationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What would you like?",
    )
    # No max_length: an engraving past its limit is refused with a message (clean_engraving_text), never cut.
    engraving_text = forms.CharField(required=False, label="Engraving text", strip=False)
    size = forms.CharField(max_length=40, required=False)
    material_choice = forms.CharField(max_length=120, required=False, label="Metal or stone")
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False)
    budget = forms.DecimalField(max_digits=10, decimal_places=2, required=False)
    needed_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Needed by")
    photos = ReferencePhotosField(label="Reference photos (up to 5)")

    def __init__(self, *args, piece=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.piece = piece
        self.fields["budget"].label = f"Your budget ({currency_symbol()})"
        if piece is None:
            self.piece_options = []
            del self.fields["options"]
            self._engraving_field(ENGRAVING_CEILING)
            return
        self.piece_options = list(piece.personalization_options.all())
        self.fields["options"].queryset = piece.personalization_options.all()
        self.fields["options"].label_from_instance = option_label
        self.fields["budget"].help_text = (
            "Optional. For comparison, the piece alone is listed at "
            f"{money(piece.price)}; each option adds what its line says."
        )
        del self.fields["kinds"]
        offered = {option.kind: option for option in self.piece_options}
        if PersonalizationKind.ENGRAVING in offered:
            self._engraving_field(min(offered[PersonalizationKind.ENGRAVING].max_characters, ENGRAVING_CEILING))
        else:
            del self.fields["engraving_text"]
        if PersonalizationKind.SIZING in offered:
            self.fields["size"].help_text = offered[PersonalizationKind.SIZING].note
        else:
            del self.fields["size"]
        materials = [offered[kind] for kind in PersonalizationKind if kind in MATERIAL_KINDS and kind in offered]
        if materials:
            labels = {PersonalizationKind.METAL_CHOICE: "metal", PersonalizationKind.STONE_CHOICE: "stone"}
            self.fields["material_choice"].label = "Which " + " and ".join(labels[o.kind] for o in materials) + "?"
            self.fields["material_choice"].help_text = " ".join(o.note for o in materials if o.note)
        else:
            del self.fields["material_choice"]

    def _engraving_field(self, limit):
        self.engraving_limit = limit
        field = self.fields["engraving_text"]
        # The live counter (static/js/request-form.js) writes into the paragraph the template gives the id "…_count".
        name = self.add_prefix("engraving_text")
        described = f"{self.auto_id % name}_helptext {self.auto_id % name}_count" if self.auto_id else None
        field.widget.attrs.update({"data-count-limit": limit, "autocomplete": "off"})
        if described:
            field.widget.attrs["aria-describedby"] = described
        field.help_text = f"Up to {limit} characters, spaces included."

    def clean_engraving_text(self):
        text = " ".join(self.cleaned_data["engraving_text"].split())
        if not text:
            return text
        if len(text) > self.engraving_limit:
            raise ValidationError(
                ERROR_ENGRAVING_TOO_LONG,
                code="engraving_too_long",
                params={"limit": self.engraving_limit, "count": len(text)},
            )
        if not ENGRAVING_CHARACTERS.match(text):
            raise ValidationError(ERROR_ENGRAVING_CHARACTERS, code="engraving_characters")
        return text

    def clean_needed_by(self):
        date = self.cleaned_data["needed_by"]
        if date and date <= timezone.localdate():
            raise ValidationError(ERROR_PAST_DATE, code="past_date")
        return date

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        if budget is not None and budget < 0:
            raise ValidationError(ERROR_NEGATIVE_BUDGET, code="negative_budget")
        return budget

    def clean(self):
        data = super().clean()
        if self.piece is not None:
            data["kinds"] = [option.kind for option in data.get("options") or []]
        kinds = data.get("kinds") or []
        if not kinds and not self.errors:
            raise ValidationError(ERROR_NO_KIND, code="no_kind")
        if data.get("engraving_text") and PersonalizationKind.ENGRAVING not in kinds:
            self.add_error("engraving_text", ValidationError(ERROR_ENGRAVING_NOT_OFFERED, code="engraving_not_chosen"))
        if self.piece is not None:
            if data.get("size") and PersonalizationKind.SIZING not in kinds:
                self.add_error("size", ValidationError(ERROR_SIZE_NOT_CHOSEN, code="size_not_chosen"))
            if data.get("material_choice") and not MATERIAL_KINDS.intersection(kinds):
                self.add_error(
                    "material_choice", ValidationError(ERROR_MATERIAL_NOT_CHOSEN, code="material_not_chosen")
                )
        return data


class ActionForm(forms.Form):
    """The form of one action on a request (`item`), as `catalog.personalization.views.ACTIONS` names it."""

    def __init__(self, *args, item=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.user = item, user


class QuoteForm(ActionForm):
    price = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, label="Total price")
    lead_days = forms.IntegerField(min_value=1, max_value=365, label="Ready in (days after the shopper accepts)")
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Quote open until")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


def _quote_key(item) -> str:
    return f"{item.pk}:{item.quote_price}:{item.quote_lead_days}:{item.quote_expires_on}"


def _confirmation_signer(user):
    return signing.Signer(salt=f"requests.accept.{user.pk}")


def accept_confirmation(item, user) -> str:
    """What the quote's summary page gives its Accept button: these terms, signed for this shopper."""
    return _confirmation_signer(user).sign(_quote_key(item))


class AcceptForm(ActionForm):
    """Accepting needs the summary page's confirmation of the very terms on the request now."""

    confirmation = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_confirmation(self):
        token = self.cleaned_data["confirmation"]
        try:
            confirmed = _confirmation_signer(self.user).unsign(token)
        except signing.BadSignature:
            raise ValidationError(ERROR_CONFIRM_FIRST, code="confirm_first") from None
        if confirmed != _quote_key(self.item):
            raise ValidationError(ERROR_QUOTE_CHANGED, code="quote_changed")
        return token


class NoteForm(ActionForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ProofForm(ActionForm):
    # The pipeline's own field, so that every refusal (an empty file included) gives the pipeline's message.
    image = CleanImageFormField(label="Proof image (sketch, render or engraving layout)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)


class MessageForm(ActionForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Message")
