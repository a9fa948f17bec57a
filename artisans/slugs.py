"""Slugs that stay unique: one rule for makers' and pieces' addresses."""

from django.utils.text import slugify


def unique_slug(queryset, text, *, max_length, fallback, exclude_pk=None):
    """A slug of `text` not yet taken in `queryset` (other than by `exclude_pk`): 'name', 'name-2', 'name-3'…"""
    base = slugify(text)[:max_length] or fallback
    slug, n = base, 1
    while queryset.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
