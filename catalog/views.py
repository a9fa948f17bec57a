"""
Public catalog pages: home, the listing, the piece page and collections.

Each view reads through the PieceQuerySet vocabulary, so that only published
pieces of approved makers are ever shown and each page costs a fixed number
of queries.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from .choices import ProductionMethod
from .filters import PieceFilter
from .models import Collection, CollectionPiece, Piece


class HomeView(TemplateView):
    """Featured pieces and featured collections. At most 9 queries."""

    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            featured_pieces=Piece.objects.published().filter(featured=True).for_cards()[:8],
            collections=Collection.objects.filter(is_published=True, featured=True).prefetch_related(
                Prefetch(
                    "entries",
                    queryset=CollectionPiece.objects.filter(piece__in=Piece.objects.published())
                    .select_related("piece")
                    .prefetch_related("piece__images"),
                )
            )[:3],
            methods=list(ProductionMethod),
            **kwargs,
        )


class PieceListView(FilterView):
    """The listing: filter → order → paginate, 24 cards a page. At most 9 queries."""

    filterset_class = PieceFilter
    queryset = Piece.objects.published().for_cards()
    paginate_by = settings.PIECES_PER_PAGE
    template_name = "catalog/piece_list.html"
    # Invalid values are ignored (and reported) rather than emptying the page.
    strict = False


class PieceDetailView(DetailView):
    """Every dimension of the piece that it has data for. At most 12 queries."""

    queryset = Piece.objects.published().for_detail()
    template_name = "catalog/piece_detail.html"
    context_object_name = "piece"

    def get_context_data(self, **kwargs):
        piece = self.object
        return super().get_context_data(
            more_from_maker=Piece.objects.published()
            .filter(artisan=piece.artisan)
            .exclude(pk=piece.pk)
            .for_cards()[:4],
            **kwargs,
        )


class CollectionDetailView(DetailView):
    """A staff-curated collection, its published pieces in the curated order."""

    template_name = "catalog/collection_detail.html"
    context_object_name = "collection"

    def get_object(self, queryset=None):
        return get_object_or_404(Collection, is_published=True, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        pieces = (
            Piece.objects.published()
            .filter(collection_entries__collection=self.object)
            .order_by("collection_entries__position", "collection_entries__id")
            .for_cards()
        )
        return super().get_context_data(pieces=pieces, **kwargs)
