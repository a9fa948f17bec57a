"""
`{% load people %}`: `{{ user|display_name }}`, the name others see for a person (catalog.models.people's
`public_name`: the display name they chose, else "Ada L.", else "A shopper"), never their email address.

Escaped like any text: a display name is whatever its owner typed. In a list, load the people with
`select_related("shopper__profile")` (or the path to the user) so that no row costs a query.
"""

from django import template

from catalog.models.people import public_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return public_name(user)
