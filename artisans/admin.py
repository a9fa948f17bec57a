"""
Staff curation of makers: review applications, approve, refuse, suspend and verify.

"Applications to sell" is the approval queue: pending makers, the oldest
application first, with approve and refuse-with-a-reason actions; the maker
is emailed either way.

Every list page costs a fixed number of queries whatever its length: piece
counts are annotations, not a query per row.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter

from .choices import ArtisanStatus
from .models import Application, Artisan, ProcessPhoto
from .services import artisans_approve, artisans_refuse, artisans_suspend, artisans_verify

MESSAGE_APPROVED = "Approved %(count)d maker; their published pieces are now public."
MESSAGE_APPROVED_PLURAL = "Approved %(count)d makers; their published pieces are now public."
MESSAGE_SUSPENDED = "Suspended %(count)d maker; none of their pieces are shown."
MESSAGE_SUSPENDED_PLURAL = "Suspended %(count)d makers; none of their pieces are shown."
MESSAGE_VERIFIED = "Verified %(count)d maker."
MESSAGE_VERIFIED_PLURAL = "Verified %(count)d makers."
MESSAGE_REFUSED = "Refused %(count)d application; the maker was emailed the reason and can re-apply."
MESSAGE_REFUSED_PLURAL = "Refused %(count)d applications; the makers were emailed the reason and can re-apply."
MESSAGE_UNCHANGED = "%(count)d of the selected were already %(state)s; nothing changed for them."


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
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_("Sent to the maker as it is written: say what to change so the application can be approved."),
    )


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """The approval queue: pending makers, oldest application first."""

    list_display = ["name", "maker_type", "country", "workshop_size", "applied_at", "refused"]
    list_filter = ["maker_type", "workshop_size", ("country", CountryFilter)]
    search_fields = ["name", "user__email"]
    ordering = [F("applied_at").asc(nulls_last=True), "created_at"]
    actions = ["approve", "refuse"]
    approve = approve_makers
    inlines = [ProcessPhotoInline]
    readonly_fields = ["user", "applied_at", "refusal_reason", "refused_by", "refused_at"]
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

    @admin.display(description=_("refused, waiting for changes"), boolean=True)
    def refused(self, artisan):
        return artisan.is_refused

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
