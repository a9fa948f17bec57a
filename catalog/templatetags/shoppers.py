"""
Template tags of the shoppers room: the visitor's own "Save" and "Follow" controls, drawn around
cached HTML (cards, the piece sheet), never inside it. `{% load shoppers %}`; the maker pages of the
artisans app load it too, which keeps that app from importing the catalog.

Each tag reads the visitor's state once per request (catalog.shoppers.saves, .follows): a grid of
24 buttons costs one query for a signed-in shopper, none for a visitor who is not.
"""

from django import template

from catalog.shoppers import buttons, follows, saves

register = template.Library()


@register.simple_tag(takes_context=True)
def save_toggle(context, piece):
    """A piece's "Save" / "Saved" button (`piece`: a Piece, or anything with its pk, slug and title)."""
    request = context["request"]
    return buttons.toggle_form(
        buttons.SAVE,
        request=request,
        token=context.get("csrf_token", ""),
        target=piece,
        name=piece.title,
        on=saves.is_saved(request, piece),
    )


@register.simple_tag(takes_context=True)
def remove_saved(context, piece):
    """The "Remove" button of a saved piece no longer shown on Atelier."""
    return buttons.remove_form(request=context["request"], token=context.get("csrf_token", ""), piece=piece)


@register.simple_tag(takes_context=True)
def follow_toggle(context, artisan):
    """A maker's "Follow" / "Following" button."""
    request = context["request"]
    return buttons.toggle_form(
        buttons.FOLLOW,
        request=request,
        token=context.get("csrf_token", ""),
        target=artisan,
        name=artisan.name,
        on=artisan.pk in follows.followed_maker_ids(request),
    )
