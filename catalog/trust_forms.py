"""
The forms of trust: a maker's appeal (text and an evidence file) and a
shopper's report of a listing.

An evidence file is a photo (run through the image pipeline, so no upload
skips it) or a PDF (recognised by its first bytes, never its name), within
the site's upload limit.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from artisans.images import image_clean

from .choices import ReportReason

ERROR_EVIDENCE_TYPE = "Attach the evidence as a PDF or as a JPEG, PNG or WebP photo."
ERROR_EVIDENCE_SIZE = "The file is %(size)s; evidence files can be at most %(limit)s."
MAX_TEXT = 3000


def evidence_clean(upload):
    """A PDF as it is, or a photo re-encoded by the image pipeline; anything else is refused."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(
            ERROR_EVIDENCE_SIZE,
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
        )
    upload.seek(0)
    if upload.read(5) == b"%PDF-":
        upload.seek(0)
        return upload
    try:
        return image_clean(upload)
    except ValidationError:
        raise ValidationError(ERROR_EVIDENCE_TYPE, code="evidence_type") from None


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("What your new evidence shows"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = forms.FileField(
        label=_("Evidence file (PDF or photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        return evidence_clean(upload) if upload else None


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong"), choices=ReportReason.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Details (optional)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Where else you saw the photos, or what the piece is really made of."),
    )
