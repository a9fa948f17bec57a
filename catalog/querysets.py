"""
The catalog's query vocabulary: which pieces the public may see, whose pieces
a user owns, and how pieces are loaded for cards and for the piece page.

Templates read only what these methods prefetch, so that a page costs a fixed
number of queries whatever the number of pieces it shows.
"""

from django.db import models
from django.db.models import Prefetch

from artisans.choices import ArtisanStatus

from .choices import PieceStatus


class PieceQuerySet(models.QuerySet):
    def published(self):
        """Pieces the public may see: published, by an approved maker."""
        return self.filter(status=PieceStatus.PUBLISHED, artisan__status=ArtisanStatus.APPROVED)

    def owned_by(self, user):
        """The pieces of this user's maker profile (none for anonymous visitors)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(artisan__user=user)

    def for_cards(self):
        """Eager-loads what a card shows: maker, category, photos, materials. 5 queries a page."""
        from .models import PieceImage, PieceMaterial

        return self.select_related("artisan", "category").prefetch_related(
            Prefetch("images", queryset=PieceImage.objects.filter(is_process_photo=False)),
            Prefetch("materials", queryset=PieceMaterial.objects.select_related("material")),
            "production_steps",
        )

    def for_detail(self):
        """Eager-loads every section of the piece page."""
        from .models import PieceMaterial

        return self.select_related("artisan", "category", "evidence_raised_by").prefetch_related(
            "images",
            Prefetch(
                "materials",
                queryset=PieceMaterial.objects.select_related("material", "certification"),
            ),
            "production_steps",
            "techniques",
            "traditions",
            "styles",
            "personalization_options",
        )
