"""
The maker's side of the review queue: their own decisions with staff's notes,
and the one appeal of a rejection.

Reviews are reached only through `Review.objects.for_maker(user)`, so another
maker, a shopper or staff get a 404 and an anonymous visitor is sent to sign in.

Part of the studio room, on the trust room's services and forms.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView, TemplateView

from catalog.models import Review
from catalog.studio.views import StudioMixin
from catalog.trust.forms import AppealForm
from catalog.trust.services import review_appeal

MESSAGE_APPEALED = "Your appeal is with our staff; we will email you their decision."


class ReviewListView(StudioMixin, ListView):
    """The maker's reviews, newest first; a fixed number of queries a page."""

    template_name = "studio/reviews.html"
    context_object_name = "reviews"
    paginate_by = 50

    def get_queryset(self):
        return (
            Review.objects.for_maker(self.request.user)
            .select_related(
                "piece",
                "material_claim__piece",
                "material_claim__material",
                "material_claim__certification",
                "maker_claim__certification",
                "appeal",
            )
            .order_by("-opened_at", "-id")
        )


class ReviewAppealView(StudioMixin, TemplateView):
    template_name = "studio/review_appeal.html"

    def get_review(self):
        return get_object_or_404(Review.objects.for_maker(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.review = self.get_review()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", AppealForm())
        return super().get_context_data(review=self.review, **kwargs)

    def post(self, request, *args, **kwargs):
        self.review = self.get_review()
        form = AppealForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                review_appeal(
                    review=self.review,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    evidence=form.cleaned_data["evidence"],
                )
            except (PermissionDenied, ValidationError) as refusal:
                form.add_error(None, refusal if isinstance(refusal, ValidationError) else str(refusal))
            else:
                messages.success(request, MESSAGE_APPEALED)
                return redirect("studio:reviews")
        return self.render_to_response(self.get_context_data(form=form), status=400)
