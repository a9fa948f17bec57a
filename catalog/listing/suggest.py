"""
Suggestions while typing: what the header's search box offers under the
shopper's first letters ("sap" → "Sapphire, gemstone, 18 pieces").

Three kinds, up to `MAX_SUGGESTIONS` in all:
- the facets' options that hold at least one published piece, with their
  counts from the listing's index (`index.options[facet][value]`, a bitmap);
- the approved makers with published pieces, with how many;
- up to `MAX_TITLES` piece titles, the newest of those with a title word
  starting with the typed text (the index's search postings, `prefixed`).

Matching: the typed text, read as words the way search reads them
(catalog.listing.words: accents dropped, case folded), is a prefix of the
whole label ("sterling s" → "Sterling silver") or of one of its words
("silv" → "Sterling silver"). Ordering: the labels that start with the text
first, then the others; within each, the most pieces first.

Cost: the options' and makers' labels and words are kept in two sorted lists
(`_Table`), made once per index, that is once per catalog version (the makers
in one query); a request bisects them, so its work grows with the matches of
its prefix, never with the catalog, and a prefix that many labels share has
its best ones kept once found. The titles are one bitmap lookup per typed
word, one page of the index's "newest" order, and one query by primary key
for the 3 titles. So a request makes at most one query (two when the table is
made), whatever the number of pieces and makers.

Part of the listing room, at the top of its flow beside the entry points
(catalog.listing.result): it reads the index, the facets and the words; the
pages' suggestion view (catalog.pages.suggest) calls `suggestions`.
"""

from __future__ import annotations

import heapq
import threading
import weakref
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count
from django.utils.translation import ngettext

from artisans.models import Artisan
from catalog.choices import PieceStatus
from catalog.listing.facets import FACETS, FLAG_KEY, facet_options
from catalog.listing.filters import Sort
from catalog.listing.index import current_index
from catalog.listing.search import TITLE
from catalog.listing.words import words
from catalog.models import Piece
from marketplace.compiled_query import CompiledQuery
from marketplace.db_router import PRIMARY

MAX_SUGGESTIONS = 8
MAX_TITLES = 3
# A longer text is no one typing: no suggestion (the listing's own field stops at the same length).
MAX_QUERY = 200
# The titles' words looked up: each is one bitmap lookup and intersection.
MAX_TITLE_WORDS = 4
# A prefix matching more labels than this has its best ones kept, rather than ranked at every keystroke.
CROWDED = 64
# Beyond the highest of any character: a key that sorts after every word starting with a prefix.
_AFTER = "\U0010ffff"

OPTION, MAKER, PIECE = "option", "maker", "piece"


@dataclass(frozen=True)
class Suggestion:
    """
    One suggestion: a facet's option (`facet`, `value`), a maker (`slug`) or
    a piece (`slug`); `kind_label` names what it is ("gemstone", "maker").
    """

    kind: str
    label: str
    kind_label: str
    count: int = 0
    facet: str = ""
    value: str = ""
    slug: str = ""

    @property
    def pieces(self):
        """'18 pieces': the count as read out, or '' for a piece."""
        if self.kind == PIECE:
            return ""
        return ngettext("%(count)s piece", "%(count)s pieces", self.count) % {"count": f"{self.count:,}"}

    @property
    def spoken(self):
        """'Sapphire, gemstone, 18 pieces': the whole option as a screen reader says it."""
        return ", ".join(part for part in (self.label, self.kind_label, self.pieces) if part)


def typed(q):
    """The words of `q` as suggestions match them, joined by one space: '  Sterling SIL ' → 'sterling sil'."""
    if not q or len(q) > MAX_QUERY:
        return ""
    return " ".join(words(q))


def suggestions(q):
    """
    Up to MAX_SUGGESTIONS `Suggestion`s for the text `q`: options and makers,
    then titles (module docstring); none for a blank or overlong `q`.
    """
    text = typed(q)
    if not text:
        return []
    index = current_index()
    titles = _titles(index, text)
    return [*_table(index).best(text, MAX_SUGGESTIONS - len(titles)), *titles]


# --- Options and makers -----------------------------------------------------------------


class _Table:
    """
    Labelled suggestions (options and makers) found by prefix: their whole
    labels and their words, each in a sorted list beside the suggestion's
    rank (its position in `ranked`: most pieces first).
    """

    def __init__(self, entries):
        self.ranked = sorted(entries, key=lambda entry: (-entry.count, entry.label))
        labels, parts = [], set()
        for rank, entry in enumerate(self.ranked):
            whole, found = _keys(entry.label)
            labels.append((whole, rank))
            parts.update((word, rank) for word in found)
        labels.sort()
        parts = sorted(parts)
        self.label_keys, self.label_ranks = [key for key, _ in labels], [rank for _, rank in labels]
        self.word_keys, self.word_ranks = [key for key, _ in parts], [rank for _, rank in parts]
        self._crowded = {}

    @staticmethod
    def _between(keys, ranks, text):
        low = bisect_left(keys, text)
        return ranks[low : bisect_left(keys, text + _AFTER, low)]

    def best(self, text, limit):
        """The best `limit` entries for `text`: whole labels starting with it first, then by their words."""
        if limit <= 0:
            return []
        if (kept := self._crowded.get(text)) is not None:
            return kept[:limit]
        whole = set(self._between(self.label_keys, self.label_ranks, text))
        by_word = set(self._between(self.word_keys, self.word_ranks, text)) - whole
        ranks = heapq.nsmallest(MAX_SUGGESTIONS, whole)
        if len(ranks) < MAX_SUGGESTIONS:
            ranks += heapq.nsmallest(MAX_SUGGESTIONS - len(ranks), by_word)
        found = [self.ranked[rank] for rank in ranks]
        if len(whole) + len(by_word) > CROWDED:
            self._crowded[text] = found
        return found[:limit]


@lru_cache(maxsize=65536)
def _keys(label):
    """(the label's words joined, its words and hyphenated words' parts): kept, as labels outlive versions."""
    found = words(label)
    return " ".join(found), frozenset([*found, *(part for word in found if "-" in word for part in word.split("-"))])


def _option_entries(index):
    """The facets' options holding published pieces, counted by the index."""
    options = facet_options()
    entries = []
    for facet in FACETS:
        bitmaps = index.options.get(facet.name, {})
        if facet.is_flag:
            choices, kind = [(FLAG_KEY, str(facet.label))], "filter"
        else:
            choices, kind = [(option.value, option.label) for option in options.get(facet.name, [])], None
        for value, label in choices:
            if count := len(bitmaps.get(value, ())):
                entries.append(
                    Suggestion(OPTION, str(label), kind or str(facet.label).lower(), count, facet.name, value)
                )
    return entries


def _maker_entries():
    """The approved makers with published pieces, with how many: one query."""
    makers = (
        Artisan.objects.using(PRIMARY)  # as the index: never a replica behind the version
        .approved()
        .filter(pieces__status=PieceStatus.PUBLISHED)
        .annotate(published=Count("pieces"))
        .order_by()
        .values_list("name", "slug", "published")
    )
    return [Suggestion(MAKER, name, "maker", count, slug=slug) for name, slug, count in makers]


_lock = threading.Lock()
_current = (None, None)  # (a weak reference to the index, its table)


def warm_suggestions(index):
    """Make the table of `index` now (catalog.listing.warm: in gunicorn's master, before its workers fork)."""
    _table(index)


def _table(index):
    """The options' and makers' table of `index`: made once per index, so once per catalog version."""
    global _current
    of, table = _current
    if of is not None and of() is index:
        return table
    with _lock:
        of, table = _current
        if of is None or of() is not index:
            # A weak reference: the table never keeps an index the worker has replaced alive.
            table = _Table([*_option_entries(index), *_maker_entries()])
            _current = (weakref.ref(index), table)
        return table


# --- Titles -----------------------------------------------------------------------------

# The titles and slugs of 1 to MAX_TITLES pieces by id, compiled once per process (marketplace.compiled_query):
# the ORM's compiling would cost as much as the rest of the request. Negative ids are no piece's: markers.
_MARKERS = tuple(range(-1, -MAX_TITLES - 1, -1))
_TITLES_OF = {
    count: CompiledQuery(
        lambda ids=_MARKERS[:count]: Piece.objects.using(PRIMARY).only("title", "slug").filter(pk__in=ids),
        *_MARKERS[:count],
    )
    for count in range(1, MAX_TITLES + 1)
}


def _titles(index, text):
    """The newest MAX_TITLES published pieces with a title word starting with each typed word: one query."""
    postings = index.search
    found = None
    for word in text.split()[:MAX_TITLE_WORDS]:
        pieces = postings.prefixed(word, through=TITLE)
        found = pieces if found is None else found & pieces
        if not found:
            return []
    ids = [int(pk) for pk in index.page(found, Sort.NEWEST, 0, MAX_TITLES)]
    if not ids:
        return []
    # From the primary, as the index: a piece the index holds is there.
    pieces = {piece.pk: piece for piece in _TITLES_OF[len(ids)].run(*ids)}
    return [Suggestion(PIECE, pieces[pk].title, "piece", slug=pieces[pk].slug) for pk in ids if pk in pieces]
