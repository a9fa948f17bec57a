"""Template helpers of the catalog: prices, the facet column, compare buttons, a maker's pieces."""

import functools
import json
from decimal import Decimal

from django import template
from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog.formats import money
from catalog.models import Piece

register = template.Library()
register.filter(money)

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def piece_cards(pieces):
    """The grid's cards as (piece, HTML) pairs, from the cache where it holds them (catalog.listing.cards)."""
    from catalog.listing import card_bodies

    return card_bodies(pieces)


@register.simple_tag
def facet_options(block):
    """
    A facet's options in the facet column: each a real checkbox in its label,
    with its count; an option with no piece is dimmed, not hidden. Written
    here rather than in the template: the column has some 160 of them on every
    listing. An option's markup is the same on every request but for its
    count, check and dimming, so the rest is escaped once (`_option_markup`).
    """
    html = []
    for option in block.options:
        head, middle, tail = _option_markup(block.name, block.is_flag, option.value, option.label, option.explanation)
        empty = " facet__option--empty" if not option.count and not option.checked else ""
        checked = " checked" if option.checked else ""
        html.append(f"{head}{empty}{middle}{checked}{tail}{int(option.count)}</span></label>")
    return mark_safe("".join(html))


@functools.lru_cache(maxsize=2048)
def _option_markup(name, is_flag, value, label, explanation):
    """An option's markup around its dimming, its check and its count, escaped."""
    title = format_html(' title="{}"', explanation) if explanation and not is_flag else ""
    return (
        format_html('<label class="facet__option{}', " facet__option--flag" if is_flag else ""),
        format_html('"{}><input type="checkbox" name="{}" value="{}"', title, name, "1" if is_flag else value),
        format_html('><span class="facet__label">{}</span> <span class="facet__count">', label),
    )


@register.simple_tag(takes_context=True)
def compare_toggle(context, piece):
    """
    A piece's compare button: a real button in a real form, which works
    without JavaScript, and comes back to the page it was pressed on. Written
    here rather than as an included template: a grid draws 24 of them.
    """
    in_tray = piece.slug in context.get("compare_tray", ())
    # The same for every button of the page: found once per page.
    if (shared := context.render_context.get(compare_toggle)) is None:
        shared = context.render_context[compare_toggle] = (
            reverse("catalog:compare_toggle"),
            context.get("csrf_token", ""),
            context["request"].get_full_path(),
        )
    action, token, back = shared
    return format_html(
        '<form class="compare-toggle" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="piece" value="{}"><input type="hidden" name="next" value="{}">'
        '<button class="compare-toggle__button" type="submit" aria-pressed="{}">{} '
        '<span class="visually-hidden">: {}</span></button></form>',
        action,
        token,
        piece.slug,
        back,
        "true" if in_tray else "false",
        "✓ In comparison" if in_tray else "Add to compare",
        piece.title,
    )


@register.filter
def percent_of(part, whole):
    """The share of part in whole as a number from 0 to 100, for a bar's width."""
    if not part or not whole:
        return 0
    return round(100 * Decimal(part) / Decimal(whole), 1)


@register.simple_tag
def json_ld(data):
    """A JSON-LD block, escaped like json_script so no text can close the script element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.inclusion_tag("catalog/partials/_maker_pieces.html", takes_context=True)
def maker_pieces(context, artisan):
    """
    The maker page's grid: the maker's published pieces, 24 a page.

    The catalog owns pieces, so the maker page (artisans app) reaches them
    through this tag rather than importing the catalog. The page's ids are
    counted and read (2 queries), then its cards come from the cache
    (catalog.listing.cards), with 4 more queries for the pieces whose cards it lacks.
    """
    from catalog.listing import pieces_for_cards

    request = context["request"]
    public = Piece.objects.published()
    paginator = Paginator(public.filter(artisan=artisan).values_list("pk", flat=True), settings.PIECES_PER_PAGE)
    page_number = request.GET.get("page") or 1
    try:
        page = paginator.page(page_number)
    except InvalidPage as error:
        raise Http404(str(error)) from error
    return {
        "request": request,
        "compare_tray": context.get("compare_tray", ()),
        "page_obj": page,
        "pieces": pieces_for_cards(list(page.object_list), public),
        "artisan": artisan,
    }


@register.filter
def request_action_label(action):
    """How the history names a transition: 'sent a quote', 'approved the proof'."""
    from catalog.personalization.flow import TRANSITIONS

    if action == "submit":
        return "sent the request"
    row = TRANSITIONS.get(action)
    return row.label if row else ""
