"""
People's public names for staff: the user's admin page carries their Profile (the display name makers
see) as an inline, and "Public names" lists every chosen name, to find the account behind a name a
maker quotes. Django's own UserAdmin is kept, with the inline added; staff still find people by email.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from catalog.models import Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    verbose_name = "public name"
    verbose_name_plural = "public name"
    fields = ["display_name"]


class UserWithProfileAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline]


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
