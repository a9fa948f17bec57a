"""
The listing's entry point for one request (`IndexedResult`): the filters
validated by catalog.listing.filters are answered from the in-memory index
(catalog.listing.index), `q` as catalog.listing.reading reads it and the
index's word postings match it (catalog.listing.search), the delivery time
in SQL; the result's page of cards comes from the cards' cache
(catalog.listing.cards). Views call this, and it calls down.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import QueryDict
from pyroaring import BitMap

from catalog.listing.cards import pieces_for_cards
from catalog.listing.facets import FACETS, FACETS_BY_NAME, facet_options_held
from catalog.listing.filters import PieceFilter, Sort
from catalog.listing.index import current_index
from catalog.listing.reading import Reading, relaxed
from catalog.listing.reads import ids_of
from catalog.listing.search import TextQuery
from catalog.listing.words import words
from catalog.models import PersonalizationRequest, Piece

# The sorts the index serves; every sort is served without ordering pieces in SQL.
INDEXED_SORTS = (Sort.NEWEST, Sort.PRICE, Sort.PRICE_DESC)

# Filters the index cannot answer, applied in SQL to the published pieces, once.
SQL_FILTERS = ("ships_within",)


@dataclass(frozen=True)
class SearchNote:
    """What the page says about the shopper's words: how they were read, and what was left out."""

    reading: Reading  # the shopper's words as read (the chips "from your words", the corrections)
    searched: str  # the text searched
    left_out: tuple[str, ...] = ()  # words (as typed) left out to find something
    near: tuple[tuple[str, str], ...] = ()  # (facet, value) close to words that found nothing
    none_found: bool = False  # no word of the text is in any piece: no piece is shown


class IndexedResult:
    """
    The listing's result for one request, read from the index: its pieces'
    ids, its facet counts, and its pages (a sequence the paginator slices:
    only the page's 24 pieces are loaded, by primary key). A `q` that reads
    as filters or holds a typo is not searched: `read_as` holds the listing's
    parameters of what it reads as, for the view to redirect to.
    """

    def __init__(self, filterset, index=None, *, counted=True, ids_in_sql=None):
        """
        `counted=False`: the ids only, no facet counts (a saved search's alert needs no column);
        `ids_in_sql`: how the ids under the filters answered in SQL are read (a caller reading many
        states keeps them per value rather than asking the database again for each state).
        """
        self.index = index = index or current_index()
        self.filterset = filterset
        self.selections = selections = filterset.selections
        q, typed = selections.get("q"), selections.get("words")
        self.sort = selections.get("sort") or (Sort.RELEVANCE if q else Sort.NEWEST)
        self.reader = index.reader()
        self.read_as, self.note, self.query = None, None, TextQuery()
        if q and not typed and (reading := self.reader.read(q)).changed:
            self.read_as = self._read_as(reading)
            self.ids, self.facet_counts = BitMap(), {}
            return
        base = index.universe
        if "price_min" in selections or "price_max" in selections:
            base = base & index.price_range(selections.get("price_min"), selections.get("price_max"))
        in_sql = [name for name in SQL_FILTERS if name in selections]
        if in_sql:
            base = base & (ids_in_sql or _ids_in_sql)(filterset, in_sql)
        chosen = {f.name: index.chosen(f, selections[f.name]) for f in FACETS if f.name in selections}
        if q or typed:
            base = self._searched(q, typed, base, chosen)
        self.ids = BitMap.intersection(base, *chosen.values()) if chosen else base
        if not counted:
            self.facet_counts = {}
            return
        state = tuple(sorted((name, _hashable(value)) for name, value in selections.items() if name != "sort"))
        self.facet_counts = index.facet_counts(chosen, base, state=state)

    # --- Reading q ------------------------------------------------------------------------

    def _read_as(self, reading):
        """
        The listing's parameters of what `reading` reads: the request's with its
        filters added and its text as `q`, the shopper's words in `words`. When
        all of it together finds nothing, the words whose absence finds the most
        are left out (reading.relaxed), filters and text alike.
        """
        parts = [*reading.read, *reading.query.words]

        def selections_of(kept):
            found = {name: list(value) if isinstance(value, list) else value for name, value in self.selections.items()}
            for part in kept:
                if part in reading.read:
                    found[part.facet] = sorted({*found.get(part.facet, []), *part.values})
            return found

        def count(kept):
            found = selections_of(kept)
            chosen = [self.index.chosen(FACETS_BY_NAME[name], found[name]) for name in found if name in FACETS_BY_NAME]
            within = BitMap.intersection(self.index.universe, *chosen) if chosen else self.index.universe
            words = tuple(part for part in kept if part not in reading.read)
            return bool(self.index.search.matches(TextQuery(words, reading.query.excluded), within))

        kept, _ = relaxed(parts, count)
        found = selections_of(kept)
        text = TextQuery(tuple(part for part in kept if part not in reading.read), reading.query.excluded).text
        found.update(q=text or None, words=reading.typed)
        return {name: value for name, value in found.items() if value not in (None, "", [])}

    def _searched(self, q, typed, base, chosen):
        """
        The pieces of `base` matching the text of `q` (as typed), words left
        out if no piece of the result has them all; the page's note.
        """
        reading = self.reader.read(q or "", as_typed=True)
        search, excluded = self.index.search, reading.query.excluded
        within_chosen = BitMap.intersection(*chosen.values()) if chosen else None

        def matched(kept):
            found = search.matches(TextQuery(tuple(kept), excluded), base)
            return found, bool(found) if within_chosen is None else found.intersect(within_chosen)

        found, anything = matched(reading.query.words)
        kept, left_out = list(reading.query.words), []
        if not anything:  # left out one at a time (reading.relaxed): only a search that finds nothing pays for it
            kept, left_out = relaxed(kept, lambda kept: matched(kept)[1])
            found = matched(kept)[0]
        self.query = TextQuery(tuple(kept), excluded)
        shown = self.reader.read(typed) if typed else reading
        left_out = [word.typed for word in left_out] + (self._dropped(shown, reading) if typed else [])
        near, none_found = (), bool(reading.query.words) and not kept
        if none_found:
            near = tuple(self.reader.near(left_out))
            found = BitMap()  # none of the words is near anything: no piece, rather than every piece
        self.note = SearchNote(shown, q or "", tuple(left_out), near, none_found)
        return found

    def _dropped(self, shown, searched):
        """The shopper's words (`shown`: as read) that the state neither filters by nor searches."""
        searched_words = {word for text in searched.text for word in words(text)}
        dropped = [
            each.typed
            for each in shown.read
            if not set(each.values) & set(self.selections.get(each.facet, ()))
            and not set(words(each.typed)) <= searched_words
        ]
        return dropped + [text for text in shown.text if not set(words(text)) <= searched_words]

    # --- Pages ----------------------------------------------------------------------------

    def count(self):
        return len(self.ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, page):
        """The pieces of a slice of the result, in the listing's order, ready for their cards."""
        start, stop = page.start or 0, page.stop
        if self.sort in INDEXED_SORTS:
            ids = self.index.page(self.ids, self.sort, start, stop - start)
        elif self.sort == Sort.REQUESTED:
            ids = self._requested_page(start, stop - start)
        elif self.query:
            ids = self._best_match_page(start, stop - start)
        else:
            ids = self.index.page(self.ids, Sort.NEWEST, start, stop - start)
        return pieces_for_cards(ids, Piece.objects.published())

    def _best_match_page(self, offset, limit):
        """One page of "Best match": the tiers of catalog.listing.search one after another, each newest first."""
        return self._tiers_page(self.index.search.best_match_tiers(self.query, self.ids), offset, limit)

    def _requested_page(self, offset, limit):
        """
        One page of "Most requested": the result's pieces that were asked for,
        most requests first (then newest first), then the others newest first.
        The requests are counted in SQL, one grouped row per piece asked for.
        """
        counts = (
            PersonalizationRequest.objects.filter(piece__in=Piece.objects.published())
            .order_by()
            .values_list("piece")
            .annotate(n=Count("pk"))
        )
        newest_key = self.index.newest.key
        asked = sorted(
            ((pk, n) for pk, n in counts if pk in self.ids), key=lambda row: (-row[1], newest_key[row[0]], -row[0])
        )
        asked_ids = [pk for pk, _ in asked]
        head = asked_ids[offset : offset + limit]
        if len(head) == limit:
            return head
        rest_offset = max(0, offset - len(asked_ids))
        return head + self.index.page(self.ids - BitMap(asked_ids), Sort.NEWEST, rest_offset, limit - len(head))

    def _tiers_page(self, tiers, offset, limit):
        ids = []
        for tier in tiers:
            if limit <= 0:
                break
            if offset >= len(tier):
                offset -= len(tier)
                continue
            found = self.index.page(tier, Sort.NEWEST, offset, limit)
            ids += found
            offset, limit = 0, limit - len(found)
        return ids


def _ids_in_sql(filterset, names):
    return ids_of(filterset.filtered(names))


def selected_ids(queries, *, index=None):
    """
    {query: BitMap}: the ids of the published pieces the listing shows at each
    of `queries` (canonical query strings, without the "?"), read as the page
    reads them: the same filters (a parameter or value the listing no longer
    understands is left out), `q` read the same way (a text that reads as
    filters is followed to what it reads as, as the page redirects to it).
    One parse and one intersection per query, no facet counts; the filters
    answered in SQL (`SQL_FILTERS`) cost one query per distinct value, not per
    query. For the alerts of saved searches (catalog.shoppers.alerts).
    """
    index = index or current_index()
    in_sql = {}

    def ids_in_sql(filterset, names):
        key = tuple((name, _hashable(filterset.selections[name])) for name in names)
        if key not in in_sql:
            in_sql[key] = _ids_in_sql(filterset, names)
        return in_sql[key]

    def result(params):
        filterset = PieceFilter(params, queryset=Piece.objects.published())
        return IndexedResult(filterset, index, counted=False, ids_in_sql=ids_in_sql)

    found = {}
    with facet_options_held():
        for query in queries:
            read = result(QueryDict(query))
            if read.read_as is not None:
                read = result(_params(read.read_as))
            found[query] = read.ids if read.read_as is None else BitMap()
    return found


def _params(selections):
    """A QueryDict of the listing's parameters `selections` ({name: value or [values]})."""
    params = QueryDict(mutable=True)
    for name, value in selections.items():
        params.setlist(name, [str(each) for each in (value if isinstance(value, list) else [value])])
    return params


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
