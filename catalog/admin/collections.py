"""
Collections: staff's edited selections of pieces, with their entries in order.

Part of the admin room.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from catalog.admin.shared import Machinery, PrelabelledAutocompleteInline
from catalog.models import (
    Collection,
    CollectionPiece,
)


class CollectionPieceInline(PrelabelledAutocompleteInline, admin.TabularInline):
    """The pieces of a collection, in the order of their position: change the numbers to reorder."""

    model = CollectionPiece
    autocomplete_fields = ["piece"]
    related = ["collection"]  # read by CollectionPiece.__str__, shown on each row
    fields = ["piece", "position", "piece_status"]
    readonly_fields = ["piece_status"]
    ordering = ["position", "id"]
    extra = 0

    @admin.display(description=_("piece status"))
    def piece_status(self, entry):
        if entry.piece_id is None:
            return "—"
        return entry.piece.get_status_display()


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "featured", "pieces_count", "updated_at"]
    list_filter = ["is_published", "featured"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]
    fields = ["title", "slug", "description", ("is_published", "featured"), ("created_at", "updated_at")]
    inlines = [CollectionPieceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pieces_total=Count("entries"))

    @admin.display(description=_("pieces"), ordering="pieces_total")
    def pieces_count(self, collection):
        return collection.pieces_total


@admin.register(CollectionPiece)
class CollectionPieceAdmin(Machinery, admin.ModelAdmin):
    list_display = ["collection", "piece", "position"]
    list_filter = ["collection"]
    list_select_related = ["collection", "piece"]
    search_fields = ["collection__title", "piece__title"]
    autocomplete_fields = ["collection", "piece"]
    ordering = ["collection", "position", "id"]
