"""
Personalization requests as staff see them: filters, the read-only thread, closing a request with a note.

Part of the admin room: closing a request is a transition of catalog.personalization.flow.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from artisans.admin import report_action
from catalog.admin.shared import Machinery, ReadOnlyAdmin
from catalog.models import (
    PersonalizationRequest,
    RequestMessage,
    RequestPhoto,
)
from catalog.models.people import FORMER_SHOPPER
from catalog.personalization.flow import RequestRefused, request_close

MESSAGE_CLOSE_NEEDS_NOTE = "Write a note in the box next to the action: both parties read it."


class RequestMessageInline(admin.TabularInline):
    """The thread, read-only: staff read it; only the two parties write to it."""

    model = RequestMessage
    fields = ["created_at", "author", "action", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CloseRequestForm(ActionForm):
    note = forms.CharField(required=False, label=_("Note (for closing)"))


@admin.register(PersonalizationRequest)
class PersonalizationRequestAdmin(admin.ModelAdmin):
    """Requests with filters by state and maker; the state changes only through the close action (with a note)."""

    list_display = ["__str__", "state", "artisan", "shopper_or_former", "budget", "needed_by", "created_at"]
    list_filter = ["state", ("artisan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["piece", "artisan", "shopper"]
    search_fields = ["pk", "shopper__email", "artisan__name", "piece__title"]
    readonly_fields = [f.name for f in PersonalizationRequest._meta.fields]
    inlines = [RequestMessageInline]
    action_form = CloseRequestForm
    actions = ["close_requests"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("shopper"), ordering="shopper")
    def shopper_or_former(self, obj):
        # A request outlives its shopper's account (catalog.people.services.account_delete).
        return obj.shopper if obj.shopper_id else FORMER_SHOPPER

    @admin.action(description=_("Close the selected requests (with the note below)"), permissions=["change"])
    def close_requests(self, request, queryset):
        note = request.POST.get("note", "").strip()
        if not note:
            self.message_user(request, MESSAGE_CLOSE_NEEDS_NOTE, messages.ERROR)
            return
        closed = 0
        for item in queryset.select_related("artisan"):
            try:
                request_close(request=item, user=request.user, note=note)
            except RequestRefused:
                continue
            closed += 1
        report_action(
            self,
            request,
            changed=closed,
            selected=queryset.count(),
            singular="Closed %(count)d request.",
            plural="Closed %(count)d requests.",
            state="finished or closed",
        )


@admin.register(RequestMessage)
class RequestMessageAdmin(Machinery, ReadOnlyAdmin):
    list_display = ["request", "author", "action", "created_at"]
    list_select_related = ["request__piece", "author"]
    list_filter = ["action"]


@admin.register(RequestPhoto)
class RequestPhotoAdmin(ReadOnlyAdmin):
    list_display = ["request", "image"]
    list_select_related = ["request__piece"]
