"""What a piece index says, in plain values, and the index built from scratch to compare it with."""

from catalog.listing.index import PieceIndex

BUILD = PieceIndex.build.__func__


def said(index):
    """What an index answers, in plain values (an option with no piece is the same as no option)."""
    return {
        "universe": list(index.universe),
        "options": {
            name: {key: list(bitmap) for key, bitmap in options.items() if bitmap}
            for name, options in index.options.items()
        },
        "by_price": list(index.by_price.ids),
        "newest": list(index.newest.ids),
        "hours": {pk: index.hours[pk] for pk in index.universe},
    }


def fresh():
    """The index built from scratch, whatever a test counts or holds back of `current_index`'s builds."""
    return BUILD(PieceIndex)
