"""
Trust: the review queue (approve, reject with a note, clear copy flags) and the audit trail.

An item's page puts a possible copy side by side with each piece it matched,
with their makers and publication dates, and says which was published first;
it shows why Approve is unavailable and what a rejection does to the public
page; a refused decision opens at the note, with its error. The tables copy
detection keeps for itself are left out of the admin's index (`Machinery`).

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
from django.utils.translation import ngettext

from catalog.admin.shared import Machinery, ReadOnlyAdmin
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
from catalog.trust.services import copy_flags_clear, rejection_effects, review_decide

MESSAGE_APPROVED_REVIEW = "Approved: %(subject)s. The maker was emailed your note."
MESSAGE_REJECTED_REVIEW = "Rejected: %(subject)s. The maker was emailed your note and may appeal once."
MESSAGE_FLAGS_CLEARED = "Cleared %(count)d copy flags on “%(piece)s”."
# Why Approve is unavailable, shown beside the disabled button.
APPROVE_BLOCKED_FLAGGED = (
    "Approve is unavailable while this piece has open copy flags. If it is not a copy (its maker's own photo, "
    "or the piece published first), clear its flags first; if it is a copy, reject it."
)
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
        if form.errors.get("note"):
            # The page opens at the note, with its error above it and the cursor in it (a fragment in the
            # form's action would scroll there too, but browsers skip autofocus when a URL has one).
            form.fields["note"].widget.attrs["autofocus"] = True
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
        has_open_flags = any(flag.cleared_at is None for flag in flags)
        context.update(
            piece=piece,
            flags=flags,
            matches=[{"flag": flag, "order": publication_order(piece, flag.other)} for flag in flags],
            has_open_flags=has_open_flags,
            approve_blocked=APPROVE_BLOCKED_FLAGGED if has_open_flags else "",
            rejection_effects=rejection_effects(piece, flagged=has_open_flags),
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


def appeared(piece):
    """When the piece appeared on the site, and the verb for it: published, or only created (never published)."""
    if piece.published_at:
        return piece.published_at, "published"
    return piece.created_at, "created (never published)"


def gap_in_words(delta) -> str:
    """The time between two publications in the unit a curator counts in: "40 minutes", "3 hours", "12 days"."""
    days, minutes = delta.days, max(1, int(delta.total_seconds() // 60))
    if days >= 90:
        return ngettext("%d month", "%d months", days // 30) % (days // 30)
    if days:
        return ngettext("%d day", "%d days", days) % days
    if minutes >= 60:
        return ngettext("%d hour", "%d hours", minutes // 60) % (minutes // 60)
    return ngettext("%d minute", "%d minutes", minutes) % minutes


def publication_order(piece, other) -> str:
    """
    Which of a possible copy and the piece it matched appeared first, in words:
    "“Moth band” (Oficina Ferro) was published first, 12 days before the piece
    under review." The first one is usually the original.
    """
    (mine, my_verb), (theirs, their_verb) = appeared(piece), appeared(other)
    other_name = f"“{other.title}” ({other.artisan.name})"
    if abs(mine - theirs).total_seconds() < 60:
        return f"The piece under review and {other_name} appeared at the same time: compare the photos and the makers."
    if theirs < mine:
        gap = gap_in_words(mine - theirs)
        return (
            f"{other_name} was {their_verb} first, {gap} before the piece under review was {my_verb}: "
            "the piece under review may be the copy."
        )
    gap = gap_in_words(theirs - mine)
    return (
        f"The piece under review was {my_verb} first, {gap} before {other_name} was {their_verb}: "
        "it is likely the original. If so, clear its flags rather than reject it."
    )


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
class PhotoCropHashAdmin(Machinery, ReadOnlyAdmin):
    """Copy detection's hashes of the photos' centre crops: out of the index, reachable by URL to see what they hold."""

    list_display = ["image", "crop", "phash"]
    list_select_related = ["image"]


@admin.register(DescriptionBand)
class DescriptionBandAdmin(Machinery, ReadOnlyAdmin):
    """Copy detection's index of descriptions: out of the index, reachable by URL to see what it holds."""

    list_display = ["piece", "band", "value"]
    list_select_related = ["piece"]
