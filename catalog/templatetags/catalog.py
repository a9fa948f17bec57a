"""Template helpers of the catalog: prices, and a maker's pieces for the maker page."""

import json
from decimal import Decimal

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import InvalidPage, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Piece

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def piece_cards(pieces):
    """The grid's cards as (piece, HTML) pairs, from the cache where it holds them (catalog.cards)."""
    from ..cards import card_bodies

    return card_bodies(pieces)


@register.simple_tag
def facet_option(block, option):
    """
    One option of the facet column: a real checkbox in its label, with its
    count; an option with no piece is dimmed, not hidden. Written here rather
    than in the template: the column has some 160 of them on every listing.
    """
    classes = ["facet__option"]
    if block.is_flag:
        classes.append("facet__option--flag")
    if not option.count and not option.checked:
        classes.append("facet__option--empty")
    title = format_html(' title="{}"', option.explanation) if option.explanation and not block.is_flag else ""
    return format_html(
        '<label class="{}"{}><input type="checkbox" name="{}" value="{}"{}>'
        '<span class="facet__label">{}</span> <span class="facet__count">{}</span></label>',
        " ".join(classes),
        title,
        block.name,
        "1" if block.is_flag else option.value,
        mark_safe(" checked") if option.checked else "",
        option.label,
        option.count,
    )


@register.filter
def money(amount):
    """'€1,240' for whole amounts, '€1,240.50' otherwise, in the site's currency."""
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    symbol = CURRENCY_SYMBOLS.get(settings.CURRENCY, settings.CURRENCY + " ")
    text = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    whole, _, cents = text.partition(".")
    return f"{symbol}{intcomma(int(whole))}" + (f".{cents}" if cents else "")


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
    through this tag rather than importing the catalog. 6 queries.
    """
    request = context["request"]
    paginator = Paginator(Piece.objects.published().filter(artisan=artisan).for_cards(), settings.PIECES_PER_PAGE)
    page_number = request.GET.get("page") or 1
    try:
        page = paginator.page(page_number)
    except InvalidPage as error:
        raise Http404(str(error)) from error
    return {"request": request, "page_obj": page, "pieces": page.object_list, "artisan": artisan}


@register.filter
def request_action_label(action):
    """How the history names a transition: 'sent a quote', 'approved the proof'."""
    from catalog.request_flow import TRANSITIONS

    if action == "submit":
        return "sent the request"
    row = TRANSITIONS.get(action)
    return row.label if row else ""
