"""
/sell/ and the studio dashboard.

Every studio view reaches pieces through `Piece.objects.owned_by(user)` and
the maker through `Artisan.objects.owned_by(user)`, in `StudioMixin`, so that
another maker, a shopper or staff get a 404 for a piece that is not theirs and
an anonymous visitor is sent to sign in. Staff manage pieces in the admin.

The forms with lists of rows (the piece form, and the application and profile with the maker's
process photos) share one way to change their rows: a row button (add, remove, move a row) posts
the form and gets it back with the row changed, in place with htmx, writing nothing
(`RowButtonsMixin`).

The piece form saves nothing until a Save, Publish, Unpublish or Archive
button is pressed: each of those saves what is on the page first, and the
status change runs in the same transaction, so a status button never drops an
unsaved edit.

Part of the studio room: the pieces' writes are catalog.services (`piece_save`, `piece_publish`,
`piece_set_status`).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import ListView, TemplateView, View

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from catalog.choices import PieceStatus
from catalog.models import Piece
from catalog.querysets import card_photos, needing_details_condition
from catalog.services import (
    CHECKLIST,
    NEEDS_MATERIAL,  # noqa: F401 (the words the studio's tests read here)
    NEEDS_PHOTO,  # noqa: F401
    artisan_application_submit,
    piece_checklist,
    piece_publish,
    piece_save,
    piece_set_status,
)
from catalog.studio.bulk import BulkChangesMixin
from catalog.studio.forms import (
    MAKER_FORMSETS,
    PIECE_FORMSETS,
    ApplicationForm,
    PieceForm,
    ProfileForm,
    row_action,
    rows_change,
)
from catalog.trust.services import STAFF_EVIDENCE_LEVELS
from marketplace.storage import StorageUnavailable

MESSAGE_APPLIED = "Thank you: your application is with our staff. You can draft pieces while you wait."
MESSAGE_SAVED = "Saved “%(title)s”."
MESSAGE_EVIDENCE_DROPPED = (
    "You changed how “%(title)s” is made, so its evidence level went back to “documented” until staff look again."
)
MESSAGE_PUBLISHED = "“%(title)s” is published."
MESSAGE_UNPUBLISHED = "“%(title)s” is a draft again; shoppers no longer see it."
MESSAGE_ARCHIVED = "“%(title)s” is archived."
MESSAGE_PROFILE_SAVED = "Your profile is saved."
MESSAGE_NOTHING_SAVED = "Nothing was saved or published: %(reason)s"

# What publishing needs, in words, beside the section of the form where it is done; the rule
# itself is catalog.services (`CHECKLIST`, `pieces_publish`: ERROR_INCOMPLETE, ERROR_MAKER_NOT_APPROVED).
NEEDS_APPROVAL = "Staff approve your maker profile"


def publish_checklist(*, artisan, piece):
    """
    The piece's checklist as (words, done, the form's section, needed to publish), as last saved,
    with the maker's approval first: what publishing needs, then what the studio advises.
    """
    missing = {item.code for item in piece_checklist(piece)}
    return [
        (NEEDS_APPROVAL, artisan.status == ArtisanStatus.APPROVED, "", True),
        *((item.words, item.code not in missing, item.section, item.blocks_publishing) for item in CHECKLIST),
    ]


def piece_status_change(*, piece, action, actor):
    """Publish, unpublish or archive the piece; raises PermissionDenied or ValidationError when refused."""
    if action == "publish":
        return piece_publish(piece=piece, actor=actor)
    status = PieceStatus.DRAFT if action == "unpublish" else PieceStatus.ARCHIVED
    return piece_set_status(piece=piece, status=status, actor=actor)


def refusal_words(refusal):
    return " ".join(getattr(refusal, "messages", None) or [str(refusal)])


def nothing_saved(refusal):
    """Why the piece form's save (and its status change) was undone, in words that say nothing was saved."""
    if isinstance(refusal, StorageUnavailable):
        return refusal.message  # it says so itself
    return MESSAGE_NOTHING_SAVED % {"reason": refusal_words(refusal)}


STATUS_MESSAGES = {
    "publish": MESSAGE_PUBLISHED,
    "unpublish": MESSAGE_UNPUBLISHED,
    "archive": MESSAGE_ARCHIVED,
}


def signed_in_maker(request):
    """
    The signed-in user's maker profile, or None; kept on the user, since the
    header reads `user.artisan` and would otherwise ask the database again.
    """
    artisan = Artisan.objects.owned_by(request.user).first()
    if artisan is not None:
        request.user.artisan = artisan
    return artisan


class StudioMixin(LoginRequiredMixin):
    """The signed-in user's maker profile and pieces; no profile yet sends them to /sell/."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.artisan = signed_in_maker(request)
            if self.artisan is None:
                return redirect("studio:apply")
        return super().dispatch(request, *args, **kwargs)

    def get_pieces(self):
        return Piece.objects.owned_by(self.request.user)

    def get_piece(self):
        return get_object_or_404(self.get_pieces(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(artisan=self.artisan, **kwargs)


class RowButtonsMixin:
    """
    A form whose lists of rows (`row_formsets`, by prefix; in the context as `formsets`) change
    with row buttons: a post with `row` ("photos:add", "steps:up:2") gets the form back with the
    row changed, nothing validated or saved. The view's get_context_data takes the posted `data`.
    """

    row_formsets = {}

    def row_owner(self):
        """The piece or maker whose rows these are."""
        raise NotImplementedError

    def row_lists(self, data, files):
        """The form's formsets, by prefix, bound to `data` (None: as saved)."""
        owner = self.row_owner()
        return {name: formset(data, files, instance=owner, prefix=name) for name, formset in self.row_formsets.items()}

    def rows_changed(self):
        """The form again with one row added, removed or moved; nothing is validated or saved."""
        action = row_action(self.request.POST["row"], formsets=self.row_formsets)
        data, focus, error = self.request.POST, None, None
        if action is not None:
            data, focus, error = rows_change(
                data, None, formsets=self.row_formsets, instance=self.row_owner(), action=action
            )
        context = self.get_context_data(data=data, row_error=error, row_prefix=action and action[0])
        context["form"].quiet()
        for formset in context["formsets"].values():
            formset.quiet()
        if focus:
            prefix, what, index = focus
            context["formsets"][prefix].focus(what, index)
        # A file chosen before a row button was pressed without JavaScript must be chosen again.
        for formset in context["formsets"].values():
            for row in formset.forms:
                row.file_dropped = "image" in row.fields and row.add_prefix("image") in self.request.FILES
        return self.render_to_response(context, status=400 if error or action is None else 200)


class MakerFormMixin(RowButtonsMixin):
    """The maker's profile fields and process photos: the application and the profile page."""

    form_class = None
    row_formsets = MAKER_FORMSETS

    def row_owner(self):
        return self.artisan

    def get_context_data(self, **kwargs):
        data = kwargs.pop("data", self.request.POST if self.request.method == "POST" else None)
        files = self.request.FILES if data is not None else None
        kwargs.setdefault("form", self.form_class(data, files, instance=self.artisan))
        kwargs.setdefault("formsets", self.row_lists(data, files))
        return super().get_context_data(**kwargs)


class ApplyView(MakerFormMixin, LoginRequiredMixin, TemplateView):
    """The application to sell; a pending maker edits it and sends it again."""

    template_name = "studio/apply.html"
    form_class = ApplicationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.artisan = Artisan.objects.owned_by(request.user).first() or Artisan()
            if self.artisan.pk and self.artisan.status != ArtisanStatus.PENDING:
                return redirect("studio:dashboard")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(artisan=self.artisan, **kwargs)

    def post(self, request, *args, **kwargs):
        if "row" in request.POST:
            return self.rows_changed()
        context = self.get_context_data()
        form, photos = context["form"], context["formsets"]["photos"]
        if form.is_valid() and photos.is_valid():
            try:
                with transaction.atomic():
                    artisan_application_submit(
                        artisan=form.save(commit=False),
                        user=request.user,
                        techniques=form.cleaned_data["techniques"],
                        traditions=form.cleaned_data["traditions"],
                        photo_formset=photos,
                    )
                    # The application places new photos after the saved ones; the order on the page wins.
                    photos.save_order()
            except ValidationError as error:
                form.add_error(None, error)
            except StorageUnavailable as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, MESSAGE_APPLIED)
                return redirect("studio:dashboard")
        return self.render_to_response(context)


class DashboardView(BulkChangesMixin, StudioMixin, ListView):
    """
    The maker's pieces, newest first, filterable by status; a fixed number of queries a page. A POST
    changes the chosen pieces at once (catalog.studio.bulk).
    """

    template_name = "studio/dashboard.html"
    context_object_name = "pieces"
    paginate_by = 50

    def get_status(self):
        status = self.request.GET.get("status", "")
        return status if status in PieceStatus.values else ""

    def needs_details(self):
        """Whether the list shows only the pieces whose checklist is not empty (`?details=needed`)."""
        return self.request.GET.get("details") == "needed"

    def get_queryset(self):
        pieces = (
            self.get_pieces()
            .select_related("category")
            .prefetch_related(Prefetch("images", queryset=card_photos()))
            .prefetch_related("production_steps")
            .with_requests_count()
            .with_views_count()
            .with_saves_count()
            .order_by("-updated_at", "-id")
        )
        if status := self.get_status():
            pieces = pieces.filter(status=status)
        if self.needs_details():
            pieces = pieces.needing_details()
        # Each row says whether it needs details: subqueries of the one list query.
        return pieces.with_checklist()

    def get_context_data(self, **kwargs):
        # One query: each status's count, and how many of each need details.
        rows = (
            self.get_pieces()
            .order_by()
            .values("status")
            .annotate(n=Count("id"), needing=Count("id", filter=needing_details_condition()))
        )
        counts = {row["status"]: row["n"] for row in rows}
        statuses = [(value, label, counts.get(value, 0)) for value, label in PieceStatus.choices]
        bulk_form = self.bulk_form()
        kwargs.setdefault("bulk_form", bulk_form)
        kwargs.setdefault("chosen_keys", bulk_form.chosen_keys)
        return super().get_context_data(
            statuses=statuses,
            current_status=self.get_status(),
            needs_details=self.needs_details(),
            needing_details_count=sum(row["needing"] for row in rows),
            **kwargs,
        )


class PieceFormView(RowButtonsMixin, StudioMixin, TemplateView):
    """
    Create or edit a piece with its steps, materials, photos and options, saved all or nothing;
    a status button (`then`) saves first and changes the status in the same transaction.
    """

    template_name = "studio/piece_form.html"
    row_formsets = PIECE_FORMSETS

    def row_owner(self):
        return self.piece

    def get_object(self):
        return Piece(artisan=self.artisan)

    def get_context_data(self, **kwargs):
        piece = self.piece
        data = kwargs.pop("data", self.request.POST if self.request.method == "POST" else None)
        files = self.request.FILES if data is not None else None
        kwargs.setdefault("form", PieceForm(data, files, instance=piece))
        kwargs.setdefault("formsets", self.row_lists(data, files))
        return super().get_context_data(
            piece=piece,
            evidence_is_staff_raised=piece.evidence_level in STAFF_EVIDENCE_LEVELS,
            checklist=publish_checklist(artisan=self.artisan, piece=piece),
            can_publish=self.artisan.status == ArtisanStatus.APPROVED and piece.status != PieceStatus.HIDDEN,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        self.piece = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.piece = self.get_object()
        if "row" in request.POST:
            return self.rows_changed()
        then = request.POST.get("then", "")
        if then not in STATUS_MESSAGES:
            then = ""
        level_before = self.piece.evidence_level
        context = self.get_context_data()
        form, formsets = context["form"], context["formsets"]
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                with transaction.atomic():
                    piece = piece_save(piece_form=form, formsets=formsets, actor=request.user)
                    if then:
                        piece_status_change(piece=piece, action=then, actor=request.user)
            except (PermissionDenied, ValidationError, StorageUnavailable) as refusal:
                # The save is undone with the refusal: the form again as it was posted, with the reason.
                self.piece = self.get_object()
                context = self.get_context_data(refusal=nothing_saved(refusal))
                return self.render_to_response(context, status=400)
            messages.success(request, (STATUS_MESSAGES[then] if then else MESSAGE_SAVED) % {"title": piece.title})
            if level_before in STAFF_EVIDENCE_LEVELS and piece.evidence_level not in STAFF_EVIDENCE_LEVELS:
                messages.warning(request, MESSAGE_EVIDENCE_DROPPED % {"title": piece.title})
            return redirect("studio:piece_update", pk=piece.pk)
        # Nothing is saved when any part is wrong; uploaded files must be chosen again.
        return self.render_to_response(context, status=400)


class PieceCreateView(PieceFormView):
    pass


class PieceUpdateView(PieceFormView):
    def get_object(self):
        # The checklist's flags come with the piece, in its one query.
        return get_object_or_404(self.get_pieces().with_checklist(), pk=self.kwargs["pk"])


class PiecePreviewView(StudioMixin, TemplateView):
    """The piece as shoppers will see it, whatever its status."""

    template_name = "studio/piece_preview.html"

    def get_context_data(self, **kwargs):
        piece = get_object_or_404(self.get_pieces().for_detail(), pk=self.kwargs["pk"])
        return super().get_context_data(piece=piece, **kwargs)


class PieceActionView(StudioMixin, View):
    """Publish, unpublish or archive one of the maker's pieces (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = self.kwargs["action"]
        if action not in STATUS_MESSAGES:
            raise Http404
        piece = self.get_piece()
        try:
            with transaction.atomic():
                piece_status_change(piece=piece, action=action, actor=request.user)
        except (PermissionDenied, ValidationError) as refusal:
            messages.error(request, refusal_words(refusal))
        else:
            messages.success(request, STATUS_MESSAGES[action] % {"title": piece.title})
        # Back to where the button was: the piece's own page or the list (never a posted URL).
        if request.POST.get("next") == "piece":
            return redirect("studio:piece_update", pk=piece.pk)
        return redirect("studio:dashboard")


class ProfileView(MakerFormMixin, StudioMixin, TemplateView):
    """The maker's profile and process photos."""

    template_name = "studio/profile.html"
    form_class = ProfileForm

    def post(self, request, *args, **kwargs):
        if "row" in request.POST:
            return self.rows_changed()
        context = self.get_context_data()
        form, photos = context["form"], context["formsets"]["photos"]
        if form.is_valid() and photos.is_valid():
            try:
                with transaction.atomic():
                    artisan = form.save()
                    artisan.techniques.set(form.cleaned_data["techniques"])
                    artisan.traditions.set(form.cleaned_data["traditions"])
                    photos.save()
            except StorageUnavailable as error:
                form.add_error(None, error.message)
                return self.render_to_response(context, status=400)
            messages.success(request, MESSAGE_PROFILE_SAVED)
            return redirect("studio:profile")
        return self.render_to_response(context, status=400)
