"""Which makers the public may see, and how maker rows are loaded."""

from django.db import models

from .choices import ArtisanStatus


class ArtisanQuerySet(models.QuerySet):
    def approved(self):
        """Makers whose pages and published pieces are public."""
        return self.filter(status=ArtisanStatus.APPROVED)

    def owned_by(self, user):
        """The maker profile of this user (none for anonymous visitors)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)
