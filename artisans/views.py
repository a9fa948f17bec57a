"""The public maker page."""

from django.views.generic import DetailView

from .models import Artisan


class ArtisanDetailView(DetailView):
    """An approved maker: who they are, how they work, and (through a catalog tag) their pieces."""

    queryset = Artisan.objects.approved().prefetch_related("process_photos", "techniques", "traditions")
    template_name = "artisans/artisan_detail.html"
    context_object_name = "artisan"
