"""
A shopper reports a listing from the piece page: signed in, at most
`REPORTS_PER_HOUR` reports an hour, one open report per piece. The report joins
the piece's item in the review queue and the shopper is emailed the outcome.

Part of the trust room: its URL is in the public pages' URLs (catalog.pages.urls,
`catalog:piece_report`).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView

from catalog.models import Piece
from catalog.trust.forms import ReportForm
from catalog.trust.services import piece_report
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

REPORTS_PER_HOUR = 5
MESSAGE_REPORTED = "Thank you: staff will look at this listing, and we will email you what they find."


class PieceReportView(LoginRequiredMixin, FormView):
    template_name = "catalog/piece_report.html"
    form_class = ReportForm

    def dispatch(self, request, *args, **kwargs):
        # Only public pieces can be reported; anything else is a 404, as on the piece page.
        self.piece = get_object_or_404(Piece.objects.published().select_related("artisan"), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(piece=self.piece, **kwargs)

    def form_valid(self, form):
        try:
            limit_hit(scope="report", key=self.request.user.pk, limit=REPORTS_PER_HOUR, window=3600)
            piece_report(
                piece=self.piece,
                reporter=self.request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except RateLimited as error:
            return too_many_requests(self.request, error)
        except ValidationError as refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        messages.success(self.request, MESSAGE_REPORTED)
        return redirect(self.piece)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
