"""
People's public names for staff: the user's admin page carries their Profile (the display name makers
see) as an inline, and "Public names" lists every chosen name, to find the account behind a name a
maker quotes. Django's own UserAdmin is kept, with the inline added; staff still find people by email.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from catalog.models import Profile
from catalog.people.services import account_delete, is_maker

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name = "public name"
    verbose_name_plural = "public name"
    fields = ["display_name"]


class UserWithProfileAdmin(UserAdmin):
    """
    Deleting a shopper here goes through `account_delete`, as their own deletion would: open requests
    withdrawn (the maker told), requests and reports kept without them. A maker's account is deleted by
    Django's own cascade, once their pieces are gone: while they have any (Piece.artisan is PROTECT),
    the confirmation page lists them as protected and deletes nothing.
    """

    inlines = [*UserAdmin.inlines, ProfileInline]

    def delete_model(self, request, obj):
        if is_maker(obj):
            super().delete_model(request, obj)
        else:
            account_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            self.delete_model(request, user)


# django.contrib.auth registered Django's own UserAdmin first (it comes before catalog in INSTALLED_APPS).
admin.site.unregister(User)
admin.site.register(User, UserWithProfileAdmin)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "user__email"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    fields = ["user", "display_name"]
