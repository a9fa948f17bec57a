"""
Public catalog pages: home, the listing, the piece page and collections.

Each view reads through the PieceQuerySet vocabulary, so that only published
pieces of approved makers are ever shown and each page costs a fixed number
of queries.

Part of the pages room, routed by catalog.pages.urls: the views call the listing's entry points
(catalog.listing.result, catalog.listing.state) and the sheets (catalog.pages.sheets), and, for
the home page and the makers' directory, the listing's cards, filters and facets.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from artisans.models import Artisan
from catalog.choices import PieceStatus, ProductionMethod
from catalog.listing import (
    ARTISAN_FACETS,
    MAKERS,
    ArtisanFilter,
    IndexedResult,
    ListingState,
    PieceFilter,
    pieces_for_cards,
    querystring,
)
from catalog.models import Collection, CollectionPiece, Piece
from catalog.pages import compare
from catalog.pages import sheets as pages
from catalog.pages.guide import guide_figures
from catalog.pages.view_counts import record_view
from catalog.querysets import card_photos
from catalog.shoppers.recent import cookie_value as recent_cookie
from catalog.shoppers.recent import recently_viewed, remember_view
from catalog.shoppers.saves import saved_marker
from catalog.versions import request_catalog_version


class HomeView(TemplateView):
    """
    Featured pieces and featured collections: 4 queries once the featured
    pieces' cards are cached (catalog.listing.cards), 8 before.
    """

    template_name = "catalog/home.html"
    featured_count = 8
    collection_covers = 3

    def get_context_data(self, **kwargs):
        public = Piece.objects.published()
        featured = list(public.filter(featured=True).values_list("pk", flat=True)[: self.featured_count])
        return super().get_context_data(
            featured_pieces=pieces_for_cards(featured, public),
            collections=Collection.objects.filter(is_published=True, featured=True).prefetch_related(
                Prefetch(
                    "entries",
                    # The teaser shows its first covers only: the prefetch reads no more entries than that.
                    queryset=CollectionPiece.objects.filter(piece__in=public).select_related("piece")[
                        : self.collection_covers
                    ],
                    to_attr="teaser_entries",
                ),
                Prefetch("teaser_entries__piece__images", queryset=card_photos()),
            )[:3],
            methods=list(ProductionMethod),
            **kwargs,
        )


class PieceListView(ListView):
    """
    The listing as a pipeline: validate the filters → find the result and its
    facet counts in the in-memory index (catalog.listing.index) → the page's 24
    cards from the cache, and the pieces of the others by primary key
    (catalog.listing.cards). No query once the page's cards are cached; at most 6
    whatever the filters and the size of the catalog (the page, photos,
    materials, steps; the ids of a delivery time, or the check of a quoted
    phrase in `q`, whose words the index's word postings answer; the facet
    options, which are cached), plus the index's rebuild after the catalog changed.
    """

    paginate_by = settings.PIECES_PER_PAGE
    template_name = "catalog/piece_list.html"

    def get(self, request, *args, **kwargs):
        self.filterset = PieceFilter(request.GET or None, queryset=Piece.objects.published())
        self.result = IndexedResult(self.filterset)
        if self.result.read_as is not None:
            # The shopper's words read as filters or corrected: the listing's own URL of what they read as.
            return HttpResponseRedirect(request.path + querystring(self.result.read_as))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.result

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = ListingState(self.filterset, path=self.request.path, counts=self.result.facet_counts)
        page = context["page_obj"]
        canonical = listing.canonical_query
        if page.number > 1:
            canonical += ("&" if canonical else "?") + f"page={page.number}"
        context.update(
            filter=self.filterset,
            listing=listing,
            canonical_query=canonical,
            swapped=self.swaps_listing,
            search=listing.search_note(self.result.note),
            # The empty state offers the pieces the visitor opened last (catalog.shoppers.recent).
            recently_viewed=recently_viewed(self.request) if not page.paginator.count else [],
        )
        return context

    @property
    def swaps_listing(self):
        """An htmx request swaps the results and the facet column, not the page; its history restore wants the page."""
        return bool(self.request.htmx) and not self.request.htmx.history_restore_request

    def get_template_names(self):
        return ["catalog/partials/_listing.html"] if self.swaps_listing else [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
        if self.swaps_listing:
            # The address bar shows the canonical URL of the new state, ready to share.
            response["HX-Push-Url"] = self.request.path + context["canonical_query"]
        return response


class PieceDetailView(TemplateView):
    """
    Every dimension of the piece that it has data for. Its sheet comes from the
    cache (catalog.pages.sheets): no query when it is there, 10 when it is rendered.
    """

    template_name = "catalog/piece_detail.html"

    def get(self, request, *args, **kwargs):
        sheet = pages.piece_sheet(request, kwargs["slug"])
        recent = recently_viewed(request, exclude=sheet.pk)
        response = self.render_to_response(self.get_context_data(sheet=sheet, recently_viewed=recent))
        record_view(request, piece_id=sheet.pk, maker_user_id=sheet.maker_user_id)
        remember_view(request, response, piece_id=sheet.pk)
        return response


def piece_etag(request, slug):
    """
    The piece page's ETag, for conditional GET: a page changes when the catalog
    does (its version), and with who is looking (their account, compare tray,
    CSRF cookie, pending messages, recently viewed and saved pieces), so a 304 never serves another visitor's page.
    """
    visitor = [
        str(request.user.pk or ""),
        ",".join(compare.tray(request.session)),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.COOKIES.get("messages", ""),
        recent_cookie(request),  # the recently viewed row (catalog.shoppers.recent)
        saved_marker(request),  # the piece's save button (catalog.shoppers.saves)
    ]
    version = request_catalog_version(request)  # the one the sheet is then read at (catalog.pages.sheets)
    digest = hashlib.blake2b("\n".join([slug, str(version), *visitor]).encode(), digest_size=12)
    return digest.hexdigest()


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


class ArtisanDirectoryView(ListView):
    """
    Approved makers, filtered by country, kind, workshop size, technique and
    tradition, with counts. It lives in the catalog because it filters on the
    catalog's techniques and traditions. At most 8 queries.
    """

    paginate_by = settings.PIECES_PER_PAGE
    template_name = "catalog/artisan_list.html"

    def get_queryset(self):
        self.filterset = ArtisanFilter(self.request.GET or None, queryset=Artisan.objects.approved())
        public = Q(pieces__status=PieceStatus.PUBLISHED)
        return (
            self.filterset.qs.annotate(piece_count=Count("pieces", filter=public))
            .prefetch_related("process_photos", "techniques")
            .order_by("name", "pk")  # makers may share a name: pages must not overlap
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = ListingState(self.filterset, path=self.request.path, facets=ARTISAN_FACETS, groups=[MAKERS])
        return {**context, "filter": self.filterset, "listing": listing}


class GuideView(TemplateView):
    """The guide's live figures; cached until the catalog changes. At most 2 queries."""

    template_name = "catalog/guide.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(figures=guide_figures(), **kwargs)


class CompareView(TemplateView):
    """
    2 to 4 pieces side by side: `?pieces=a,b,c`, or the visitor's compare tray.
    Unknown, hidden and surplus pieces are left out with a note. The pieces'
    columns come from the cache (catalog.pages.sheets): no query when all are there,
    at most 8 otherwise.
    """

    template_name = "catalog/compare.html"

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("pieces")
        shared = raw is not None
        slugs = compare.requested_slugs(raw[:2000]) if shared else compare.tray(self.request.session)
        candidates = [slug for slug in slugs[: compare.MAX_COMPARED] if compare.is_slug(slug)]
        by_slug = pages.compare_columns(candidates)
        columns = [by_slug[slug] for slug in slugs if slug in by_slug]
        dropped = [slug for slug in slugs[: compare.MAX_COMPARED] if slug not in by_slug]
        shown = [column.slug for column in columns]
        return super().get_context_data(
            pieces=columns,
            # Each piece's heading with, for a shared link, the address of the comparison without it (a
            # link: nothing stored changes); the visitor's own tray is changed by POST forms instead.
            heads=[(column, compare.without(shown, column.slug) if shared else "") for column in columns],
            shared=shared,
            letters=compare.LETTERS[: len(columns)],
            rows=compare.comparison(columns) if len(columns) >= compare.MIN_COMPARED else [],
            dropped=dropped,
            surplus=slugs[compare.MAX_COMPARED :],
            **kwargs,
        )


@require_POST
def compare_toggle(request):
    """Put a piece in the compare tray or take it out, then go back where the visitor was."""
    slug = request.POST.get("piece", "")
    if not compare.is_slug(slug) or not Piece.objects.published().filter(slug=slug).exists():
        raise Http404("No such piece to compare.")
    if not compare.tray_toggle(request.session, slug):
        messages.warning(request, compare.MESSAGE_TRAY_FULL)
    back = request.POST.get("next", "")
    # Only a path of this site; anything else (another host, or a word that `redirect`
    # would take for a view name) goes to the comparison.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("catalog:compare")
    return HttpResponseRedirect(back)


@require_POST
def compare_remove(request):
    """Take one piece out of the visitor's compare tray (even one no longer on show), then back to the comparison."""
    slug = request.POST.get("piece", "")
    if not compare.is_slug(slug):
        raise Http404("No such piece to remove.")
    compare.tray_remove(request.session, slug)
    return HttpResponseRedirect(reverse("catalog:compare"))


@require_POST
def compare_clear(request):
    """Empty the visitor's compare tray."""
    compare.tray_clear(request.session)
    messages.success(request, compare.MESSAGE_TRAY_CLEARED)
    return HttpResponseRedirect(reverse("catalog:compare"))


def robots_txt(request):
    """Crawl the public catalog; keep out of accounts, studios, the admin and per-visitor pages."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /studio/",
        "Disallow: /sell/apply/",
        "Disallow: /compare/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
