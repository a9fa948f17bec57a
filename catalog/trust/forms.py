"""
The forms of trust: a maker's appeal (text and an evidence file), a maker's
certification claim (a certificate number and/or an evidence file) and a
shopper's report of a listing.

An evidence file is a photo (run through the image pipeline, so no upload
skips it) or a PDF (recognised by its first bytes, never its name), within
the site's upload limit.

Part of the trust room: the report page (catalog.trust.views) and the studio's reviews and claims
use them.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from artisans.images import image_clean
from catalog.choices import ReportReason
from catalog.models import Certification

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


class EvidenceField(forms.FileField):
    """An optional evidence file, checked by `evidence_clean`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Evidence file (PDF or photo)"))
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"})
        )
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return evidence_clean(upload) if upload else None


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("What your new evidence shows"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    evidence = EvidenceField()


class MakerClaimForm(forms.Form):
    """A certification the maker holds; whether number or file is given is the service's rule (`maker_claim_add`)."""

    certification = forms.ModelChoiceField(
        label=_("Certification"), queryset=Certification.objects.order_by("name"), empty_label=_("Choose one")
    )
    certificate_number = forms.CharField(
        label=_("Certificate or member number"),
        max_length=100,
        required=False,
        help_text=_("As printed on the certificate, or your member number in the scheme's public register."),
    )
    evidence = EvidenceField(
        label=_("The certificate (PDF or photo)"),
        help_text=_("Needed if you give no number; it helps staff check a number too."),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong"), choices=ReportReason.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Details (optional)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Where else you saw the photos, or what the piece is really made of."),
    )
