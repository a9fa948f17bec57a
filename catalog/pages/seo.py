"""
What search engines and link previews read of a piece: its page's title and description, and schema.org data.

Part of the pages room: the sheets (catalog.pages.sheets) render it into the piece page's head.
"""

from django.conf import settings
from django.utils.text import Truncator

from catalog.choices import Availability

SCHEMA_AVAILABILITY = {
    Availability.MADE_TO_ORDER: "https://schema.org/MadeToOrder",
}


def page_title(piece):
    """The piece page's <title>, before the site's name."""
    return f"{piece.title} by {piece.artisan.name}"


def page_description(piece):
    """The piece page's meta description: how it is made, what and by whom, and the start of its description."""
    return (
        f"{piece.get_production_method_display()} {piece.category.name.lower()} by {piece.artisan.name}, "
        f"{piece.artisan.country.name}. {Truncator(piece.description).words(30, truncate=' …')}"  # as truncatewords:30
    )


def product_structured_data(piece, request):
    """A schema.org `Product` for the piece page's JSON-LD block."""
    cover = piece.cover
    availability = SCHEMA_AVAILABILITY.get(
        piece.availability,
        "https://schema.org/InStock" if piece.stock else "https://schema.org/OutOfStock",
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": piece.title,
        "description": piece.description,
        "url": request.build_absolute_uri(piece.get_absolute_url()),
        "category": piece.category.name,
        "brand": {"@type": "Brand", "name": piece.artisan.name},
        "material": ", ".join(str(material) for material in piece.materials.all()),
        "offers": {
            "@type": "Offer",
            "price": f"{piece.price:.2f}",
            "priceCurrency": settings.CURRENCY,
            "availability": availability,
        },
    }
    if cover:
        data["image"] = request.build_absolute_uri(cover.image_display.url)
    return data
