"""
The reads behind /saved/ and /following/: the visitor's saved pieces newest first, each with its
card while it is public and a plain line when it is not; the pieces and makers a shopper follows.
Each read is a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.safestring import SafeString

from artisans.models import Artisan
from catalog.listing import card_bodies, pieces_for_cards
from catalog.models import Piece, SavedPiece
from catalog.shoppers.saves import session_saved_ids


@dataclass(frozen=True)
class SavedEntry:
    """One saved piece on /saved/: its card while it is shown on Atelier, None once it is not."""

    piece: Piece
    card: SafeString | None

    @property
    def shown(self) -> bool:
        return self.card is not None


def saved_ids_newest_first(request):
    """The ids of the visitor's saved pieces, newest saved first: their rows' (a lazy queryset), or the session's."""
    if request.user.is_authenticated:
        return (
            SavedPiece.objects.filter(shopper=request.user)
            .order_by("-saved_at", "-id")
            .values_list("piece_id", flat=True)
        )
    return session_saved_ids(request.session)


def saved_entries(ids: list[int]) -> list[SavedEntry]:
    """
    The entries of one page of saved pieces, in the order of `ids`: one query says which pieces
    still exist and are public, then the public ones' cards come from the cache (catalog.listing.cards;
    4 queries for those it lacks). A piece deleted since (only a session can still name one) is left out.
    """
    public = Piece.objects.published()
    rows = {
        piece.pk: piece
        for piece in Piece.objects.filter(pk__in=ids)
        .only("pk", "slug", "title")
        .annotate(is_public=Exists(public.filter(pk=OuterRef("pk"))))
    }
    shown_ids = [pk for pk in ids if pk in rows and rows[pk].is_public]
    cards = {piece.pk: (piece, card) for piece, card in card_bodies(pieces_for_cards(shown_ids, public))}
    entries = []
    for pk in ids:
        if pk in cards:
            entries.append(SavedEntry(*cards[pk]))
        elif pk in rows:
            entries.append(SavedEntry(rows[pk], None))
    return entries


def following_piece_ids(shopper):
    """The ids of the published pieces of the makers `shopper` follows, newest published first (a lazy queryset)."""
    return (
        Piece.objects.published()
        .filter(artisan__followers__shopper=shopper)
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)
    )


def followed_makers(shopper) -> list[Artisan]:
    """
    The makers `shopper` follows, by name: one no longer shown (its `is_public` false) stays on the
    list, so it can be unfollowed. One query.
    """
    return list(Artisan.objects.filter(followers__shopper=shopper).order_by("name", "pk"))
