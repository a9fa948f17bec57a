"""
The personalization request form (from a piece page, or a commission from a
maker's page) and the small forms of the request's actions.

Everything a shopper picks is checked against the piece's own options: a kind
the piece does not offer, another piece's option id, engraving text past the
option's limit or outside the character set, a past date, a negative budget
and more than `MAX_PHOTOS` photos are refused with a message.

Part of the personalization room: the request views (catalog.personalization.views) use them.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from artisans.images import ACCEPT_ATTRIBUTE, CleanImageFormField, image_clean
from catalog.choices import PersonalizationKind

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
    engraving_text = forms.CharField(max_length=80, required=False, label="Engraving text")
    size = forms.CharField(max_length=40, required=False)
    material_choice = forms.CharField(max_length=120, required=False, label="Metal or stone")
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False)
    budget = forms.DecimalField(max_digits=10, decimal_places=2, required=False)
    needed_by = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Needed by")
    photos = ReferencePhotosField(label="Reference photos (up to 5)")

    def __init__(self, *args, piece=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.piece = piece
        if piece is not None:
            self.piece_options = list(piece.personalization_options.all())
            self.fields["options"].queryset = piece.personalization_options.all()
            self.fields["options"].label_from_instance = lambda option: option.get_kind_display()
            del self.fields["kinds"]
            engraving = self.engraving_option
            if engraving is None:
                del self.fields["engraving_text"]
            else:
                self.fields["engraving_text"].max_length = engraving.max_characters
                self.fields["engraving_text"].widget.attrs.update(
                    {"maxlength": engraving.max_characters, "data-count-limit": engraving.max_characters}
                )
                self.fields["engraving_text"].help_text = f"Up to {engraving.max_characters} characters."
        else:
            self.piece_options = []
            del self.fields["options"]
            self.fields["engraving_text"].widget.attrs["data-count-limit"] = 80

    @property
    def engraving_option(self):
        return next((o for o in self.piece_options if o.kind == PersonalizationKind.ENGRAVING), None)

    def clean_engraving_text(self):
        text = " ".join(self.cleaned_data["engraving_text"].split())
        if not text:
            return text
        limit = self.engraving_option.max_characters if self.piece is not None else 80
        if len(text) > limit:
            raise ValidationError(
                ERROR_ENGRAVING_TOO_LONG, code="engraving_too_long", params={"limit": limit, "count": len(text)}
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
        return data


class QuoteForm(forms.Form):
    price = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    lead_days = forms.IntegerField(min_value=1, max_value=365, label="Lead time (days)")
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Quote open until")
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ProofForm(forms.Form):
    # The pipeline's own field, so that every refusal (an empty file included) gives the pipeline's message.
    image = CleanImageFormField(label="Proof image (sketch, render or engraving layout)")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Message")
