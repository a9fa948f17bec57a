"""
The header search box's suggestions: `/pieces/suggest/?q=sap` answers an HTML
fragment, a listbox of up to 8 options (facets' options with their counts,
makers, piece titles) that static/js/suggest.js shows under the box. A blank,
overlong or hostile `q` answers an empty listbox, never an error.

Each option carries where it leads: a facet's option to the listing filtered
by it (/pieces/?gemstone=sapphire), a maker to their page, a piece to its page.

Part of the pages room, routed by catalog.pages.urls: it calls the listing's
`suggestions` (catalog.listing.suggest, through the room's front door).
"""

from functools import cache
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from catalog.listing import suggestions

# A slug no page has, in whose place each maker's or piece's own goes: one `reverse` per kind and process.
_SLUG = "suggested-slug"


@cache
def _address(url_name):
    return reverse(url_name, args=[_SLUG])


def href(suggestion):
    """Where a suggestion leads."""
    if suggestion.kind == "option":
        return reverse("catalog:piece_list") + "?" + urlencode({suggestion.facet: suggestion.value})
    url_name = "artisans:artisan_detail" if suggestion.kind == "maker" else "catalog:piece_detail"
    return _address(url_name).replace(_SLUG, suggestion.slug)


@require_GET
def piece_suggest(request):
    """The suggestions for `q`: at most one query (two after the catalog changed), whatever its size."""
    found = suggestions(request.GET.get("q", ""))
    context = {"suggestions": [(suggestion, href(suggestion)) for suggestion in found]}
    response = render(request, "catalog/partials/_suggestions.html", context)
    # Keystrokes repeat prefixes: a browser may reuse an answer for a moment, never share it.
    patch_cache_control(response, private=True, max_age=30)
    return response
