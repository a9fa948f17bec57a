"""
Trust: the review queue (approve, reject with a note, clear copy flags) and the audit trail.

Part of the admin room: every decision is a service of catalog.trust.services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.admin.shared import ReadOnlyAdmin
from catalog.choices import ReviewState
from catalog.models import (
    CopyFlag,
    DescriptionBand,
    PhotoCropHash,
    Piece,
    PieceReport,
    Review,
    TrustEvent,
)
from catalog.querysets import card_photos
from catalog.trust.services import copy_flags_clear, review_decide

MESSAGE_APPROVED_REVIEW = "Approved: %(subject)s. The maker was emailed your note."
MESSAGE_REJECTED_REVIEW = "Rejected: %(subject)s. The maker was emailed your note and may appeal once."
MESSAGE_FLAGS_CLEARED = "Cleared %(count)d copy flags on “%(piece)s”."
# How many of the maker's other pieces the review page shows beside the one reviewed.
OTHER_PIECES_SHOWN = 12


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")), ("clear", _("Clear"))])
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Sent to the maker as written; required to reject: say what evidence would convince you."),
    )


class ReviewStateFilter(admin.SimpleListFilter):
    """The queue opens on what is waiting; decided items, or all, on request."""

    title = _("state")
    parameter_name = "state"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*ReviewState.choices, (self.ALL, _("All"))]

    def chosen(self):
        return self.value() if self.value() in {*ReviewState.values, self.ALL} else ReviewState.WAITING

    def choices(self, changelist):
        # No "All" meaning "no filter" (that is "waiting" here): every option sets the parameter.
        for value, label in self.lookup_choices:
            yield {
                "selected": self.chosen() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        chosen = self.chosen()
        return queryset if chosen == self.ALL else queryset.filter(state=chosen)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """
    The review queue: pieces and certification claims waiting for staff, oldest first.

    The list shows waiting items unless another state is chosen; each row
    carries its count of open reports and copy flags (subqueries of the list
    query). An item's page shows the evidence side by side and takes the
    decision. Both pages cost a fixed number of queries (see test_trust_admin).
    """

    list_display = ["__str__", "artisan", "reason", "state", "open_reports", "open_flags", "opened_at"]
    list_filter = [ReviewStateFilter, "reason"]
    search_fields = ["piece__title", "artisan__name"]
    ordering = ["opened_at", "id"]
    change_form_template = "admin/catalog/review/review.html"

    def get_queryset(self, request):
        return super().get_queryset(request).for_queue()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("open reports"), ordering="open_reports")
    def open_reports(self, review):
        return review.open_reports

    @admin.display(description=_("copy flags"), ordering="open_flags")
    def open_flags(self, review):
        return review.open_flags

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        if review is None or not self.has_view_or_change_permission(request, review):
            raise Http404
        form = ReviewDecisionForm(request.POST or None)
        if request.method == "POST" and self.has_change_permission(request, review) and form.is_valid():
            done = self._decide(request, review, form)
            if done is not None:
                return done
        return TemplateResponse(
            request,
            self.change_form_template,
            {
                **self.admin_site.each_context(request),
                **review_context(review),
                "title": str(review),
                "opts": self.model._meta,
                "form": form,
                "can_decide": self.has_change_permission(request, review) and review.state == ReviewState.WAITING,
            },
        )

    def _decide(self, request, review, form):
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        try:
            if decision == "clear":
                if review.piece is None:
                    raise ValidationError(_("Only pieces carry copy flags."))
                count = copy_flags_clear(piece=review.piece, actor=request.user, note=note)
                self.message_user(request, MESSAGE_FLAGS_CLEARED % {"count": count, "piece": review.piece})
                return HttpResponseRedirect(request.path)
            review_decide(review=review, approve=decision == "approve", note=note, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("note" if "note" in getattr(error, "error_dict", {}) else None, message)
            return None
        message = MESSAGE_APPROVED_REVIEW if decision == "approve" else MESSAGE_REJECTED_REVIEW
        self.message_user(request, message % {"subject": review.subject}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_review_changelist"))


def review_context(review):
    """
    What an item's page shows, in a fixed number of queries: the piece with its
    photos and steps, the claim, the maker's other pieces with their evidence,
    the matching pieces with their photos, the reports and the history.
    """
    context = {"review": review, "claim": review.material_claim or review.maker_claim}
    piece = review.piece
    if piece is not None:
        piece = Piece.objects.for_detail().get(pk=piece.pk)
        flags = list(
            CopyFlag.objects.filter(piece=piece)
            .select_related("other__artisan", "cleared_by")
            .prefetch_related(Prefetch("other__images", queryset=card_photos()))
        )
        context.update(
            piece=piece,
            flags=flags,
            has_open_flags=any(flag.cleared_at is None for flag in flags),
            reports=list(PieceReport.objects.filter(piece=piece, resolved_at__isnull=True)),
        )
    context["other_pieces"] = list(
        Piece.objects.filter(artisan_id=review.artisan_id)
        .exclude(pk=review.piece_id or 0)
        .for_thumbnails()
        .order_by("-evidence_level", "-id")[:OTHER_PIECES_SHOWN]
    )
    history = TrustEvent.objects.select_related("actor")
    context["history"] = list(
        history.filter(piece=piece) if piece is not None else history.filter(artisan_id=review.artisan_id)
    )[:50]
    context["appeal_of"] = review.appeal_of
    return context


@admin.register(TrustEvent)
class TrustEventAdmin(ReadOnlyAdmin):
    """The audit trail, read per piece (?piece__id__exact=) or per maker (?artisan__id__exact=)."""

    list_display = ["created_at", "action", "piece", "artisan", "actor", "note"]
    list_filter = ["action", ("artisan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["piece", "artisan", "actor"]
    search_fields = ["piece__title", "artisan__name", "note"]
    date_hierarchy = "created_at"


@admin.register(PieceReport)
class PieceReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "piece", "reason", "reporter", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["piece", "reporter"]
    search_fields = ["piece__title", "details"]


@admin.register(CopyFlag)
class CopyFlagAdmin(ReadOnlyAdmin):
    list_display = ["piece", "other", "kind", "score", "created_at", "cleared_at"]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["piece", "other"]
    search_fields = ["piece__title", "other__title"]


@admin.register(PhotoCropHash)
class PhotoCropHashAdmin(ReadOnlyAdmin):
    """Copy detection's hashes of the photos' centre crops; listed only so that staff can see what they hold."""

    list_display = ["image", "crop", "phash"]
    list_select_related = ["image"]


@admin.register(DescriptionBand)
class DescriptionBandAdmin(ReadOnlyAdmin):
    """Copy detection's index of descriptions; listed only so that staff can see what it holds."""

    list_display = ["piece", "band", "value"]
    list_select_related = ["piece"]
