"""
sitemap.xml: every public page a search engine should know.

Part of the pages room: marketplace.urls serves `SITEMAPS`.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from artisans.models import Artisan
from catalog.models import Collection, Piece


class PieceSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Piece.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, piece):
        return piece.updated_at


class ArtisanSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Artisan.objects.approved().only("slug", "updated_at").order_by("pk")

    def lastmod(self, artisan):
        return artisan.updated_at


class CollectionSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Collection.objects.filter(is_published=True).only("slug", "updated_at").order_by("pk")

    def lastmod(self, collection):
        return collection.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["catalog:home", "catalog:piece_list", "catalog:artisan_list", "catalog:guide"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "pieces": PieceSitemap,
    "makers": ArtisanSitemap,
    "collections": CollectionSitemap,
}
