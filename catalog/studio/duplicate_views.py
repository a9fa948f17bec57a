"""
A piece duplicated as a new draft (POST /studio/pieces/<pk>/duplicate/), from the studio's list or
the piece form: the copy opens in the piece form, to change what differs.

Part of the studio room: the write is catalog.services.piece_duplicate.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.views.generic import View

from catalog.services import piece_duplicate
from catalog.studio.views import StudioMixin, refusal_words
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

MESSAGE_DUPLICATED = (
    "This is a copy of “%(title)s”, saved as a draft with its steps, materials, photos and options. "
    "Change what differs, then publish it."
)


class PieceDuplicateView(StudioMixin, View):
    """Copy one of the maker's pieces (another maker's is a 404) and open the copy."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        piece = self.get_piece()
        try:
            limit_hit(scope="studio-changes", key=request.user.pk, limit=settings.STUDIO_CHANGES_PER_MINUTE, window=60)
        except RateLimited as error:
            return too_many_requests(request, error)
        try:
            with transaction.atomic():
                copy = piece_duplicate(piece=piece, actor=request.user)
        except (PermissionDenied, ValidationError) as refusal:
            messages.error(request, refusal_words(refusal))
            if request.POST.get("next") == "piece":
                return redirect("studio:piece_update", pk=piece.pk)
            return redirect("studio:dashboard")
        messages.success(request, MESSAGE_DUPLICATED % {"title": piece.title})
        return redirect("studio:piece_update", pk=copy.pk)
