"""
`{% load people %}`: `{{ user|display_name }}`, the name others see for a person (catalog.models.people's
`public_name`: the display name they chose, else "Ada L.", else "A shopper"), never their email address.

Escaped like any text: a display name is whatever its owner typed. In a list, load the people with
`select_related("shopper__profile")` (or the path to the user) so that no row costs a query.
"""

from django import template

from catalog.models.people import FORMER_SHOPPER, public_name
from catalog.personalization.roles import SHOPPER, STAFF

register = template.Library()


@register.filter
def display_name(user) -> str:
    return public_name(user)


@register.filter
def request_author(entry, item) -> str:
    """
    Who wrote a line of request `item`'s history (`{{ entry|request_author:item }}`). A line with no
    author is the system's (an expired quote), staff's whose account is gone, or, once the shopper
    deleted their account, the former shopper's: the action's actor in the state machine's table
    tells which, and a plain message is only ever the shopper's or the maker's (whose requests go
    with their account).
    """
    if entry.author_id is not None:
        if entry.author_id == item.shopper_id:
            return public_name(item.shopper)
        if entry.author_id == item.artisan.user_id:
            return item.artisan.name
        return "Atelier staff"
    from catalog.personalization.flow import TRANSITIONS

    row = TRANSITIONS.get(entry.action)
    actor = row.actor if row else SHOPPER  # "submit" and plain messages ("") are a party's, never the system's
    if actor == SHOPPER and item.shopper_id is None:
        return FORMER_SHOPPER
    return "Atelier staff" if actor == STAFF else "Atelier"
