"""
What shoppers keep (saved pieces, followed makers, saved searches), for staff to read when a shopper
asks for help, never to curate: each row is the shopper's own, written only by them (catalog.shoppers).
Read-only and left out of the admin's index (`Machinery`); a shopper's rows go with their account
(`catalog.people.services.account_delete`), so staff may delete them, or the user's deletion page
would refuse for want of that permission.
"""

from django.contrib import admin

from catalog.admin.shared import Machinery, ReadOnlyAdmin
from catalog.models import Follow, SavedPiece, SavedSearch


class ShoppersRowAdmin(Machinery, ReadOnlyAdmin):
    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(SavedPiece)
class SavedPieceAdmin(ShoppersRowAdmin):
    list_display = ["shopper", "piece", "saved_at"]
    list_select_related = ["shopper", "piece"]
    search_fields = ["shopper__email"]


@admin.register(Follow)
class FollowAdmin(ShoppersRowAdmin):
    list_display = ["shopper", "artisan", "followed_at"]
    list_select_related = ["shopper", "artisan"]
    search_fields = ["shopper__email"]


@admin.register(SavedSearch)
class SavedSearchAdmin(ShoppersRowAdmin):
    list_display = ["name", "shopper", "frequency", "alerted_until"]
    list_select_related = ["shopper"]
    list_filter = ["frequency"]
    search_fields = ["shopper__email", "name"]
