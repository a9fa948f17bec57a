"""
Staff curation of makers: review applications, approve, refuse, suspend and verify.

"Applications to sell" is the approval queue: pending makers, the oldest
application first, with approve and refuse-with-a-reason actions on the list
and as buttons on each application's page (POST only, through the same
services); the maker is emailed either way.

Every list page costs a fixed number of queries whatever its length: piece
counts are annotations, not a query per row.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from .choices import ArtisanStatus
from .models import Application, Artisan, ProcessPhoto
from .services import ERROR_REFUSAL_REASON, artisans_approve, artisans_refuse, artisans_suspend, artisans_verify

MESSAGE_APPROVED = "Approved %(count)d maker; their published pieces are now public."
MESSAGE_APPROVED_PLURAL = "Approved %(count)d makers; their published pieces are now public."
MESSAGE_SUSPENDED = "Suspended %(count)d maker; none of their pieces are shown."
MESSAGE_SUSPENDED_PLURAL = "Suspended %(count)d makers; none of their pieces are shown."
MESSAGE_VERIFIED = "Verified %(count)d maker."
MESSAGE_VERIFIED_PLURAL = "Verified %(count)d makers."
MESSAGE_REFUSED = "Refused %(count)d application; the maker was emailed the reason and can re-apply."
MESSAGE_REFUSED_PLURAL = "Refused %(count)d applications; the makers were emailed the reason and can re-apply."
MESSAGE_UNCHANGED = "%(count)d of the selected were already %(state)s; nothing changed for them."
# The buttons of one application's page.
MESSAGE_APPLICATION_APPROVED = "Approved “%(name)s”: they can publish their pieces now, and were emailed."
MESSAGE_APPLICATION_REFUSED = "Refused “%(name)s”: the maker was emailed your reason and can change the application."
MESSAGE_APPLICATION_DECIDED = "“%(name)s” is no longer waiting for a decision (%(status)s); nothing changed."
MESSAGE_APPLICATION_REFUSED_ALREADY = (
    "“%(name)s” was refused already on %(date)s and is waiting for the maker's changes; nothing changed."
)


def report_action(model_admin, request, *, changed, selected, singular, plural, state):
    """Tell staff how many rows an admin action changed, and how many were already in the `state` it sets."""
    model_admin.message_user(request, ngettext(singular, plural, changed) % {"count": changed}, messages.SUCCESS)
    if selected > changed:
        message = MESSAGE_UNCHANGED % {"count": selected - changed, "state": state}
        model_admin.message_user(request, message, messages.INFO)


def bulk_action(change, *, description, messages, state, permissions=None):
    """
    An admin action that applies `change(selected rows, actor)`, a service that
    returns how many rows it changed, and tells staff with `report_action`;
    `messages` are the singular and the plural of the success message.
    """
    singular, plural = messages

    def action(model_admin, request, queryset):
        changed = change(queryset, request.user)
        report_action(
            model_admin,
            request,
            changed=changed,
            selected=queryset.count(),
            singular=singular,
            plural=plural,
            state=state,
        )

    return admin.action(action, description=description, permissions=permissions)


def photo_preview(image_file, alt_text, *, width, height):
    """An <img> of a rendition, or a dash when there is no photo yet."""
    if not image_file:
        return "—"
    return format_html('<img src="{}" alt="{}" width="{}" height="{}">', image_file.url, alt_text, width, height)


class ProcessPhotoInline(admin.TabularInline):
    model = ProcessPhoto
    fields = ["preview", "image", "alt_text", "caption", "position"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description=_("preview"))
    def preview(self, photo):
        if not photo.pk or not photo.image:
            return "—"
        return photo_preview(photo.image_card, photo.alt_text, width=48, height=60)


# Shared by the makers' list and the applications queue (each names it `approve`).
approve_makers = bulk_action(
    lambda makers, actor: artisans_approve(artisans=makers, actor=actor),
    description=_("Approve the selected makers (emails them)"),
    messages=(MESSAGE_APPROVED, MESSAGE_APPROVED_PLURAL),
    state=_("approved"),
)


@admin.register(Artisan)
class ArtisanAdmin(admin.ModelAdmin):
    """Makers, with their piece counts (an annotation on the list query, never a query per row)."""

    list_display = [
        "name",
        "maker_type",
        "country",
        "workshop_size",
        "status",
        "is_verified",
        "pieces_count",
        "trust_history",
    ]
    list_filter = [
        "status",
        "maker_type",
        "workshop_size",
        ("country", CountryFilter),
        "is_verified",
    ]
    search_fields = ["name", "user__email"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["is_verified", "verified_by", "verified_at", "created_at", "updated_at"]
    actions = ["approve", "suspend", "verify"]
    approve = approve_makers
    inlines = [ProcessPhotoInline]
    fieldsets = [
        (None, {"fields": ["user", "name", "slug", "maker_type", "portrait"]}),
        (_("Story"), {"fields": ["bio", "statement"]}),
        (_("Workshop"), {"fields": ["country", "region", "founded_year", "workshop_size", "labor_practices"]}),
        (
            _("Review"),
            {
                "fields": ["status", "is_verified", "verified_by", "verified_at", "created_at", "updated_at"],
                "description": _("Verify a maker with the “Verify” action on the list, which records who and when."),
            },
        ),
    ]

    def get_queryset(self, request):
        # Pieces belong to the catalog app, which builds on this one: they are
        # reached here by relation and URL name only, never by importing catalog.
        return super().get_queryset(request).annotate(pieces_total=Count("pieces"))

    @admin.display(description=_("pieces"), ordering="pieces_total")
    def pieces_count(self, artisan):
        url = reverse("admin:catalog_piece_changelist") + f"?artisan__id__exact={artisan.pk}"
        return format_html('<a href="{}">{}</a>', url, artisan.pieces_total)

    @admin.display(description=_("trust history"))
    def trust_history(self, artisan):
        """The maker's audit trail (kept by the catalog's review queue), reached by URL name only."""
        url = reverse("admin:catalog_trustevent_changelist") + f"?artisan__id__exact={artisan.pk}"
        return format_html('<a href="{}">{}</a>', url, _("history"))

    suspend = bulk_action(
        lambda makers, actor: artisans_suspend(artisans=makers, actor=actor),
        description=_("Suspend the selected makers"),
        messages=(MESSAGE_SUSPENDED, MESSAGE_SUSPENDED_PLURAL),
        state=_("suspended"),
    )
    verify = bulk_action(
        lambda makers, actor: artisans_verify(artisans=makers, actor=actor),
        description=_("Verify the selected makers (records you and the time)"),
        messages=(MESSAGE_VERIFIED, MESSAGE_VERIFIED_PLURAL),
        state=_("verified"),
    )


@admin.register(ProcessPhoto)
class ProcessPhotoAdmin(admin.ModelAdmin):
    list_display = ["preview", "__str__", "artisan", "position"]
    list_display_links = ["preview", "__str__"]
    list_select_related = ["artisan"]
    search_fields = ["alt_text", "caption", "artisan__name"]
    autocomplete_fields = ["artisan"]

    @admin.display(description=_("preview"))
    def preview(self, photo):
        return photo_preview(photo.image_card, photo.alt_text, width=48, height=60)


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        error_messages={"required": ERROR_REFUSAL_REASON},
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("Sent to the maker as it is written: say what to change so the application can be approved."),
    )


class ApplicationPhotoInline(admin.StackedInline):
    """An application's process photos, as staff judge them: large enough to see, read-only."""

    model = ProcessPhoto
    fields = ["preview", "alt_text", "caption"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("process photo")
    verbose_name_plural = _("process photos: the workshop, tools or hands at work")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, photo):
        return photo_preview(photo.image_card, photo.alt_text, width=160, height=200)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """
    The approval queue: pending makers, oldest application first.

    Each application's page has Approve and Refuse (with a reason) above the
    application; both are POSTs to their own URL, through `artisans_approve`
    and `artisans_refuse`, and sending one twice changes nothing the second time.
    """

    list_display = ["name", "maker_type", "country", "workshop_size", "applied", "waiting_for"]
    list_filter = ["maker_type", "workshop_size", ("country", CountryFilter)]
    search_fields = ["name", "user__email"]
    ordering = [F("applied_at").asc(nulls_last=True), "created_at"]
    actions = ["approve", "refuse"]
    approve = approve_makers
    inlines = [ApplicationPhotoInline]
    readonly_fields = ["user", "applied_at", "refusal_reason", "refused_by", "refused_at"]
    change_form_template = "admin/artisans/application/change_form.html"

    class Media:
        css = {"all": ["css/admin-review.css"]}

    fieldsets = [
        (None, {"fields": ["user", "name", "maker_type", "applied_at"]}),
        (_("Story"), {"fields": ["bio", "statement"]}),
        (_("Workshop"), {"fields": ["country", "region", "workshop_size", "labor_practices"]}),
        (_("Last refusal"), {"fields": ["refusal_reason", "refused_by", "refused_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ArtisanStatus.PENDING).select_related("user")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("applied"), ordering="applied_at")
    def applied(self, artisan):
        # The day is enough to order the queue by; a full timestamp would push the last column out of view.
        return date_format(timezone.localtime(artisan.applied_at), "j M Y") if artisan.applied_at else "—"

    @admin.display(description=_("waiting for"))
    def waiting_for(self, artisan):
        return _("the maker's changes") if artisan.is_refused else _("staff")

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("<path:object_id>/approve/", view(self.approve_view), name="artisans_application_approve"),
            path("<path:object_id>/refuse/", view(self.refuse_view), name="artisans_application_refuse"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "refusal_form": RefusalForm(auto_id="refusal_%s")}
        return super().change_view(request, object_id, form_url, extra_context)

    def _application(self, request, object_id):
        """The maker behind `object_id` whatever their status (a second click finds them decided), for staff only."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Artisan, pk=object_id)

    def _decided_already(self, request, artisan):
        """A redirect to the queue with a word, when the application is no longer waiting for staff."""
        if artisan.status != ArtisanStatus.PENDING:
            message = MESSAGE_APPLICATION_DECIDED % {"name": artisan.name, "status": artisan.get_status_display()}
        elif artisan.is_refused:
            message = MESSAGE_APPLICATION_REFUSED_ALREADY % {
                "name": artisan.name,
                "date": f"{artisan.refused_at:%d %b %Y}",
            }
        else:
            return None
        self.message_user(request, message, messages.INFO)
        return HttpResponseRedirect(reverse("admin:artisans_application_changelist"))

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        artisan = self._application(request, object_id)
        if artisan.status != ArtisanStatus.PENDING:
            return self._decided_already(request, artisan)
        artisans_approve(artisans=[artisan], actor=request.user)
        self.message_user(request, MESSAGE_APPLICATION_APPROVED % {"name": artisan.name}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:artisans_application_changelist"))

    def refuse_view(self, request, object_id):
        """GET: the reason's form alone; POST: refuse, or the form again with the error beside the reason."""
        artisan = self._application(request, object_id)
        if request.method == "POST" and (decided := self._decided_already(request, artisan)):
            return decided
        form = RefusalForm(request.POST if request.method == "POST" else None, auto_id="refusal_%s")
        if form.is_valid():
            try:
                artisans_refuse(artisans=[artisan], reason=form.cleaned_data["reason"], actor=request.user)
            except ValidationError as error:
                form.add_error("reason", error.message_dict.get("reason"))
            else:
                self.message_user(request, MESSAGE_APPLICATION_REFUSED % {"name": artisan.name}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:artisans_application_changelist"))
        if form.errors:
            # The page opens at the reason, with its error above it and the cursor in it.
            form.fields["reason"].widget.attrs["autofocus"] = True
        return TemplateResponse(
            request,
            "admin/artisans/application/refuse.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuse the application of %(name)s") % {"name": artisan.name},
                "opts": self.model._meta,
                "form": form,
                "applications": [artisan],
                "application": artisan,
            },
        )

    @admin.action(description=_("Refuse the selected applications with a reason…"))
    def refuse(self, request, queryset):
        form = RefusalForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                changed = artisans_refuse(artisans=queryset, reason=form.cleaned_data["reason"], actor=request.user)
            except ValidationError as error:
                form.add_error("reason", error.message_dict.get("reason"))
            else:
                message = ngettext(MESSAGE_REFUSED, MESSAGE_REFUSED_PLURAL, changed) % {"count": changed}
                self.message_user(request, message, messages.SUCCESS)
                return None
        # The intermediate page: the reason, then back to this action with the same selection.
        return TemplateResponse(
            request,
            "admin/artisans/application/refuse.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuse applications"),
                "opts": self.model._meta,
                "form": form,
                "applications": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
