"""
The one write of the people room: a person's display name, checked by the model's rules, made or
changed in one statement (a Profile is created the first time).
"""

from catalog.models import Profile


def profile_set_display_name(*, user, display_name: str) -> Profile:
    """Store `display_name` ("" for the default, "Ada L.") as `user`'s; a ValidationError leaves nothing written."""
    candidate = Profile(user=user, display_name=display_name)
    candidate.clean_fields(exclude={"user"})
    candidate.validate_constraints()
    # update_or_create runs in its own transaction and copes with two first saves racing.
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    return profile
