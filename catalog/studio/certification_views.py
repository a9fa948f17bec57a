"""
The maker's certification claims: the list with each claim's status and
staff's note, a new claim, and withdrawing one staff have not decided yet.

Claims are reached only through the signed-in maker's own profile
(`StudioMixin.artisan`), so another maker, a shopper or staff get a 404 and an
anonymous visitor is sent to sign in. A claim goes into the review queue like
any other (`catalog.trust.services.maker_claim_add`); badges and filters count it only
once staff verified it.

Part of the studio room.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView, View

from artisans.choices import ArtisanStatus
from catalog.models import MakerCertification, Review
from catalog.studio.views import StudioMixin
from catalog.trust.forms import MakerClaimForm
from catalog.trust.services import maker_claim_add, maker_claim_withdraw

MESSAGE_CLAIMED = "Your claim to %(certification)s is with our staff; we will email you their decision."
MESSAGE_WITHDRAWN = "You withdrew your claim to %(certification)s."


def claims_of(artisan):
    """The maker's claims with their latest item in the queue (state, note, when): one query, however many."""
    latest = Review.objects.filter(maker_claim=OuterRef("pk")).order_by("-opened_at", "-id")
    return (
        MakerCertification.objects.filter(artisan=artisan)
        .select_related("certification")
        .annotate(
            review_state=Subquery(latest.values("state")[:1]),
            review_note=Subquery(latest.values("note")[:1]),
            review_decided_at=Subquery(latest.values("decided_at")[:1]),
        )
        .order_by("certification__name")
    )


class CertificationListView(StudioMixin, TemplateView):
    """The list and, for an approved maker, the form of a new claim (which posts here)."""

    template_name = "studio/certifications.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", MakerClaimForm())
        return super().get_context_data(
            claims=claims_of(self.artisan), can_claim=self.artisan.status == ArtisanStatus.APPROVED, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = MakerClaimForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                claim = maker_claim_add(
                    artisan=self.artisan,
                    actor=request.user,
                    certification=form.cleaned_data["certification"],
                    certificate_number=form.cleaned_data["certificate_number"],
                    evidence=form.cleaned_data["evidence"],
                )
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(request, MESSAGE_CLAIMED % {"certification": claim.certification.name})
                return redirect("studio:certifications")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CertificationWithdrawView(StudioMixin, View):
    """Withdraw one of the maker's claims still waiting for staff (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        claim = get_object_or_404(
            MakerCertification.objects.filter(artisan=self.artisan).select_related("certification"), pk=kwargs["pk"]
        )
        try:
            maker_claim_withdraw(claim=claim, actor=request.user)
        except (PermissionDenied, ValidationError) as refusal:
            messages.error(request, " ".join(getattr(refusal, "messages", None) or [str(refusal)]))
        else:
            messages.success(request, MESSAGE_WITHDRAWN % {"certification": claim.certification.name})
        return redirect("studio:certifications")
