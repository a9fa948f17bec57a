"""
Searching pieces by their words: the index's postings.

A search engine keeps, for every word, the documents having it (its posting
list); the listing does the same in memory, beside its facets' bitmaps
(catalog.listing.index): for every term (catalog.listing.words: accents and
case dropped, British spellings read as American, stemmed) the published
pieces having it, one bitmap per *weight class*, by the best place the piece
has it:

1. TITLE: the piece's title;
2. NAMES: its maker's name, its materials', techniques' and traditions' names;
3. TEXTS: its description and design story.

The postings are built in Python from the rows, the same on SQLite and
PostgreSQL (one query per source, streamed), so both databases find the same
pieces. A query's words (catalog.listing.reading: what was not read as a
filter) are matched here with bitmap operations: each `Word` is any of its
alternatives (a group of terms all present: "hand forged" is `hand` and `forg`,
or the joined `handforg`), the words are ANDed, `-word` is taken out.

"Best match" (the order of a search unless another is asked for) is by tiers,
each newest first (then by id, descending, as the newest order):
1. the pieces whose title alone has every word,
2. then those whose title and names have them,
3. then the others (matched through their description or design story).

The postings also keep the catalog's own words as written (`spellings`, from
titles and names), against which a shopper's typos are corrected, and answer
the suggestions' prefixes (`prefixed`).

Part of the listing room: below the index, above the words (catalog.listing.words).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from pyroaring import BitMap, FrozenBitMap

from catalog.listing.words import document_terms, term, terms_of_word, words
from catalog.models import Piece, PieceMaterial

# The weight classes of a term in a piece, by the best place it has it.
TITLE, NAMES, TEXTS = range(3)
_EMPTY = FrozenBitMap()

# The pieces read per pass of a build: their ids are collected per term, then made bitmaps.
BUILD_CHUNK = 50_000
# `spellings` also holds each hyphenated word's parts under its joined term, behind this mark (never a word).
COMPOUND = "-"
# A prefix of the suggestions unions the pieces of at most this many terms.
MAX_PREFIXED_TERMS = 64


@dataclass(frozen=True)
class Word:
    """
    One word of a query as the postings match it: `typed` as the shopper wrote
    it, `text` as it is searched (normalised, corrected), matched when a piece
    has all the terms of any of its `alternatives`.
    """

    typed: str
    alternatives: tuple[tuple[str, ...], ...]
    text: str = ""

    @classmethod
    def of(cls, word, typed=None):
        """A normalised word: its own terms (a hyphenated word's whole and parts)."""
        found = terms_of_word(word)
        if "-" in word:
            alternatives = tuple(group for group in ((found[0],), tuple(found[1:])) if group and all(group))
        else:
            alternatives = (tuple(found),) if found else ()
        return cls(typed or word, alternatives, word)

    @property
    def is_empty(self):
        """A stop word, or punctuation: no term to look for."""
        return not self.alternatives


@dataclass(frozen=True)
class TextQuery:
    """The words a piece must have (`words`) and must not have (`excluded`)."""

    words: tuple[Word, ...] = ()
    excluded: tuple[Word, ...] = ()

    def __bool__(self):
        return bool(self.words or self.excluded)

    @property
    def text(self):
        """The query as `q` says it: its words, then '-' and each excluded one."""
        return " ".join([word.text for word in self.words] + [f"-{word.text}" for word in self.excluded])


def _names(pieces):
    """(piece id, name) of the pieces' materials, techniques and traditions, in one query (UNION ALL)."""
    ids = pieces.values("pk")
    materials = PieceMaterial.objects.filter(piece__in=ids).values_list("piece_id", "material__name")
    techniques = Piece.techniques.through.objects.filter(piece__in=ids).values_list("piece_id", "technique__name")
    traditions = Piece.traditions.through.objects.filter(piece__in=ids).values_list("piece_id", "tradition__name")
    return materials.order_by().union(techniques.order_by(), traditions.order_by(), all=True)


class SearchPostings:
    """
    For every term of the published pieces, the pieces having it, by its best
    weight class there: (title, names, texts), disjoint bitmaps; and the
    catalog's words as written in titles and names (`spellings`: word → term).
    Never changed once made: `updated` returns a new one.
    """

    def __init__(self, lexemes, spellings, spelled_by_length=None):
        self.lexemes = lexemes  # {term: (BitMap, BitMap, BitMap)}
        self.spellings = spellings  # {normalised word of a title or name: its term}
        if spelled_by_length is not None:
            self.__dict__["spelled_by_length"] = spelled_by_length

    @classmethod
    def build(cls, pieces):
        """
        The postings of the pieces of `pieces` (a queryset): two streamed
        queries, the pieces' own texts and their related rows' names.
        """
        title, names, texts = (defaultdict(BitMap) for _ in range(3))
        spellings = {}
        rows = pieces.order_by().values_list("pk", "title", "artisan__name", "description", "design_story")
        pending = [_Pending(title, spellings), _Pending(names, spellings), _Pending(texts), _Pending(texts)]
        for pk, *texts_of_piece in rows.iterator(chunk_size=2000):
            for into, text in zip(pending, texts_of_piece, strict=True):
                into.add(pk, text)
        in_names = _Pending(names, spellings)
        for pk, name in _names(pieces.order_by()).iterator(chunk_size=2000):
            in_names.add(pk, name)
        for each in [*pending, in_names]:
            each.flush()
        lexemes = {}
        for found in set(title) | set(names) | set(texts):
            in_title = title.get(found, _EMPTY)
            in_names = names.get(found, _EMPTY) - in_title
            in_texts = texts.get(found, _EMPTY) - in_title - in_names
            lexemes[found] = tuple(_frozen(bitmap) for bitmap in (in_title, in_names, in_texts))
        return cls(lexemes, spellings)

    def updated(self, changed, fresh):
        """These postings with the pieces `changed` (a BitMap) taken out, then added back as `fresh` has them."""
        lexemes = dict(self.lexemes)
        for lexeme, classes in self.lexemes.items():
            if any(bitmap.intersect(changed) for bitmap in classes):
                lexemes[lexeme] = tuple(bitmap - changed if bitmap.intersect(changed) else bitmap for bitmap in classes)
        for lexeme, added in fresh.lexemes.items():
            current = lexemes.get(lexeme, (_EMPTY, _EMPTY, _EMPTY))
            lexemes[lexeme] = tuple(_frozen(old | new) if new else old for old, new in zip(current, added, strict=True))
        # A spelling whose pieces all went stays known: a correction towards it finds nothing and is left out.
        lexemes = {lexeme: classes for lexeme, classes in lexemes.items() if any(classes)}
        if fresh.spellings.keys() <= self.spellings.keys():
            return SearchPostings(lexemes, self.spellings, self.__dict__.get("spelled_by_length"))
        return SearchPostings(lexemes, self.spellings | fresh.spellings)

    def has(self, found):
        return found in self.lexemes

    def pieces(self, found, through=TEXTS):
        """The pieces having the term `found` with a weight class up to `through`."""
        classes = self.lexemes.get(found)
        if classes is None:
            return _EMPTY
        return classes[0] if through == TITLE else BitMap.union(*classes[: through + 1])

    def word_pieces(self, word, within, through=TEXTS):
        """The pieces of `within` having `word` (a Word): any of its alternatives, each all of its terms."""
        found = BitMap()
        for group in word.alternatives:
            found |= BitMap.intersection(within, *(self.pieces(each, through) for each in group))
        return found

    def matches(self, query, within, through=TEXTS):
        """The pieces of `within` having every word of `query` (a TextQuery) and none of its excluded ones."""
        result = within
        for word in query.words:
            result = self.word_pieces(word, result, through)
        for word in query.excluded:
            result = result - self.word_pieces(word, result, through)
        return BitMap(result)

    def best_match_tiers(self, query, result):
        """`result` (the pieces matching `query`) cut into the module's tiers of "Best match", best first."""
        in_title = self.matches(query, result, TITLE)
        in_names = self.matches(query, result - in_title, NAMES)
        return [in_title, in_names, result - in_title - in_names]

    def parts(self, found):
        """The terms of the parts of a hyphenated word of the catalog, by its joined term ('handforg' → hand, forg)."""
        parts = self.spellings.get(COMPOUND + found)
        return tuple(parts.split()) if parts else None

    def count(self, found):
        """How many pieces have the term `found`."""
        return sum(len(bitmap) for bitmap in self.lexemes.get(found, ()))

    @cached_property
    def spelled_by_length(self):
        """The catalog's words (`spellings`) by length, the words of the most pieces first: what typos become."""
        by_length = {}
        spelled = [word for word in self.spellings if not word.startswith(COMPOUND)]
        for word in sorted(spelled, key=lambda word: (-self.count(self.spellings[word]), word)):
            by_length.setdefault(len(word), []).append(word)
        return by_length

    @cached_property
    def sorted_terms(self):
        return sorted(self.lexemes)

    def prefixed(self, text, through=TITLE):
        """
        The pieces with a word (of weight up to `through`) starting with `text`
        ('sap' → the pieces titled 'Sapphire …'): the terms beginning like it,
        at most MAX_PREFIXED_TERMS of them.
        """
        typed = words(text)
        if not typed:
            return BitMap()
        prefixes = {typed[-1], term(typed[-1].replace("-", ""))} - {""}
        found = BitMap()
        for prefix in prefixes:
            start = bisect_left(self.sorted_terms, prefix)
            for each in self.sorted_terms[start : start + MAX_PREFIXED_TERMS]:
                if not each.startswith(prefix):
                    break
                found |= self.pieces(each, through)
        return found

    def memory(self):
        """The bitmaps' size in bytes (serialized: close to what they hold in memory)."""
        return sum(len(bitmap.serialize()) for classes in self.lexemes.values() for bitmap in classes if bitmap)


class _Pending:
    """Pieces' texts on their way into postings {term: BitMap}: ids collected per term, made bitmaps by chunks."""

    def __init__(self, postings, spellings=None):
        self.postings, self.spellings = postings, spellings
        self.ids = defaultdict(lambda: array("I"))
        self.seen = {}  # texts repeat (a maker's name, a material's): each read once
        self.read = 0

    def add(self, pk, text):
        if not text:
            return
        found = self.seen.get(text)
        if found is None:
            found = document_terms(text)
            if self.spellings is not None:
                for word in words(text):
                    for part in word.split("-"):
                        if (part_term := term(part)) and not part.isdigit():
                            self.spellings.setdefault(part, part_term)
                    if "-" in word and len(compound := terms_of_word(word)) > 2:
                        self.spellings.setdefault(COMPOUND + compound[0], " ".join(compound[1:]))
            if len(self.seen) < BUILD_CHUNK:
                self.seen[text] = found
        for each in found:
            self.ids[each].append(pk)
        self.read += 1
        if self.read % BUILD_CHUNK == 0:
            self.flush()

    def flush(self):
        for each, ids in self.ids.items():
            self.postings[each] |= BitMap(ids)
        self.ids.clear()


def _frozen(bitmap):
    """A bitmap as the postings keep it: compressed, never changed."""
    if not bitmap:
        return _EMPTY
    bitmap = BitMap(bitmap)
    bitmap.run_optimize()
    bitmap.shrink_to_fit()
    return FrozenBitMap(bitmap)
