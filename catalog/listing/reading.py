"""
How the listing reads what a shopper types in `q`.

1. **Words.** `q` is cut into words (catalog.listing.words); "quoted words"
   are searched as typed, `-word` is left out of the result; only the first
   `MAX_WORDS` are read (the rest are named on the page).
2. **Typos.** A word the catalog does not know (no piece and no facet has its
   term) is corrected to the nearest word of the catalog's own vocabulary:
   the words of its titles and names (catalog.listing.search: `spellings`)
   and of its facets (catalog.listing.vocabulary), within one edit for words
   of 5 letters or more and two for 9 or more (rapidfuzz's optimal string
   alignment distance: two letters swapped are one edit, "neckalce" is
   "necklace"; among equals, the word of the most pieces).
3. **Filters.** The longest runs of words that name a facet option
   (catalog.listing.vocabulary) become that filter: "handmade silver
   earrings" is Handcrafted · Silver · Earrings.
4. **Text.** What is left is matched in the index's postings
   (catalog.listing.search), two neighbouring words also as one ("hand
   forged" finds "handforged") and an unknown word also in two ("handforged"
   finds "hand forged").

The view redirects a `q` whose reading changed something (a filter, a
correction) to the listing's ordinary URL of what was read, with the
shopper's words kept in `words`; a `q` beside `words` is searched as it is,
never read again (the page's "search for exactly …" and chip links).

`relaxed` is the listing's "never a dead end": when every word together
finds nothing, the words are left out one at a time, the one whose absence
finds the most pieces first, until something is found.

Part of the listing room: under its entry point (catalog.listing.result), above the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rapidfuzz.process import extract, extractOne

from catalog.listing.search import TextQuery, Word
from catalog.listing.vocabulary import phrase_keys
from catalog.listing.words import normalised, term, words

# Words of a query read; the rest are left out, and the page says so.
MAX_WORDS = 12
# A word is corrected within one edit from this many letters, two from the second.
ONE_TYPO_FROM, TWO_TYPOS_FROM = 5, 9
# An unknown word is tried in two known parts, each at least this long.
SHORTEST_PART = 3
# Queries remembered per reader.
MEMO_SIZE = 2048
# Options offered when nothing is found: labels this close to a word (rapidfuzz's ratio, 0 to 100), this many.
NEAR_SCORE, MAX_NEAR = 60, 6
# "Quoted words", -excluded, or a plain word.
TOKEN = re.compile(r'"([^"]*)"?|(-?)([^\s"]+)')


@dataclass(frozen=True)
class Read:
    """Words of the query read as a filter: `typed` as written, naming `values` of `facet`."""

    typed: str
    facet: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What `q` was read as: filters, corrections, and the text left to search."""

    typed: str
    read: tuple[Read, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()  # (as typed, as corrected)
    query: TextQuery = field(default_factory=TextQuery)  # the words searched as text, corrected
    not_read: tuple[str, ...] = ()  # words past MAX_WORDS

    @property
    def changed(self):
        """Whether the listing's URL should say what was read: a filter or a correction."""
        return bool(self.read or self.corrections)

    @property
    def text(self):
        """The words searched as text, each as `q` says it."""
        return self.query.text.split()

    def filters(self):
        """{facet: [values]} of what was read."""
        found = {}
        for each in self.read:
            found.setdefault(each.facet, [])
            found[each.facet] += [value for value in each.values if value not in found[each.facet]]
        return found

    @property
    def corrected(self):
        """The shopper's words with the corrections made ('sapphire ring' for 'saphire ring')."""
        text = self.typed
        for typed, correct in self.corrections:
            text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", correct, text, count=1, flags=re.IGNORECASE)
        return text


@dataclass
class _Token:
    typed: str  # as written
    word: str  # normalised, corrected
    kind: str  # "plain", "quoted" or "excluded"


class Reader:
    """Reads queries against the catalog's postings and the facets' vocabulary."""

    def __init__(self, postings, vocabulary):
        self.postings = postings
        self.vocabulary = vocabulary
        self._memo = {}

    def read(self, q, *, as_typed=False):
        """`q`'s Reading (`reading`), remembered for this reader: one per index and vocabulary."""
        key = (q, as_typed)
        if key not in self._memo:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = self.reading(q, as_typed=as_typed)
        return self._memo[key]

    def reading(self, q, *, as_typed=False):
        """
        The Reading of `q`; `as_typed`: no filter and no correction (the words
        beside `words` in the URL), only the text's matching.
        """
        tokens, not_read = _tokens(q)
        corrections = []
        if not as_typed:
            for token in tokens:
                if token.kind == "plain" and (correct := self.correction(token.word)):
                    corrections.append((token.typed, correct))
                    token.word = correct
        read, used = ([], set()) if as_typed else self._filters(tokens)
        # Stop words are no text to search ("the", "of"): left out of `q`.
        text_tokens = [
            token
            for index, token in enumerate(tokens)
            if index not in used and (token.kind != "plain" or term_of(token))
        ]
        return Reading(
            typed=q,
            read=tuple(read),
            corrections=tuple(corrections),
            query=self._query(text_tokens),
            not_read=tuple(not_read),
        )

    # --- Typos ----------------------------------------------------------------------------

    def knows(self, word):
        found = term(word.replace("-", ""))
        return not found or self.postings.has(found) or found in self.vocabulary.terms or _splits(self, word)

    def correction(self, word):
        """The catalog's word nearest to an unknown `word`, or None (known, too short, or nothing near)."""
        if len(word) < ONE_TYPO_FROM or word.isdigit() or self.knows(word):
            return None
        edits = 2 if len(word) >= TWO_TYPOS_FROM else 1
        best = None  # (distance, the catalog's words first, word)
        for length in range(len(word) - edits, len(word) + edits + 1):
            for rank, candidates in enumerate((self.postings.spelled_by_length, self.vocabulary.spelled_by_length)):
                found = extractOne(word, candidates.get(length, ()), scorer=OSA.distance, score_cutoff=edits)
                if found and (best is None or (found[1], rank) < best[:2]):
                    best = (found[1], rank, found[0])
        return best[2] if best else None

    def near(self, typed):
        """Facet options whose labels are close to the words `typed` (for a search that found nothing)."""
        found = []
        for word in typed[:MAX_WORDS]:
            for label, _score, _key in extract(
                normalised(word), self.vocabulary.label_words, scorer=fuzz.ratio, score_cutoff=NEAR_SCORE, limit=3
            ):
                for option in self.vocabulary.options_with_word(label):
                    if option not in found:
                        found.append(option)
        return found[:MAX_NEAR]

    # --- Filters --------------------------------------------------------------------------

    def _filters(self, tokens):
        """(the Reads, the indexes of the tokens they used): longest phrases first, left to right."""
        keyed = [index for index, token in enumerate(tokens) if token.kind == "plain" and term_of(token)]
        read, used, start = [], set(), 0
        while start < len(keyed):
            for length in range(min(self.vocabulary.longest, len(keyed) - start), 0, -1):
                first, last = keyed[start], keyed[start + length - 1]
                span = tokens[first : last + 1]
                if any(token.kind != "plain" for token in span):
                    continue  # a phrase is never read across a quote or an excluded word
                meaning = self._meaning(" ".join(token.word for token in span))
                if meaning:
                    read.append(Read(" ".join(token.typed for token in span), meaning.facet, meaning.values))
                    if not meaning.also_text:
                        used.update(range(first, last + 1))
                    start += length
                    break
            else:
                start += 1
        return read, used

    def _meaning(self, text):
        for key in phrase_keys(text):
            if meaning := self.vocabulary.meaning(key):
                return meaning
        return None

    # --- Text -----------------------------------------------------------------------------

    def _query(self, tokens):
        """The TextQuery of the text's tokens: neighbouring plain words also joined, unknown ones also split."""
        found, excluded, index = [], [], 0
        while index < len(tokens):
            token = tokens[index]
            if token.kind == "excluded":
                excluded.append(Word.of(token.word))
            elif token.kind == "quoted":
                found.extend(Word.of(each) for each in words(token.word))
            else:
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                joined = term(token.word.replace("-", "") + (following.word if following else ""))
                if following and following.kind == "plain" and self.postings.has(joined):
                    alone = Word.of(token.word).alternatives + Word.of(following.word).alternatives
                    both = tuple(each for group in alone for each in group)
                    typed, text = f"{token.typed} {following.typed}", f"{token.word} {following.word}"
                    found.append(Word(typed, (both, (joined,)), text))
                    index += 2
                    continue
                found.append(self._word(token))
            index += 1
        return TextQuery(
            tuple(word for word in found if not word.is_empty), tuple(w for w in excluded if not w.is_empty)
        )

    def _word(self, token):
        word = Word.of(token.word)
        parts = self.postings.parts(term(token.word)) or _splits(self, token.word)
        return Word(token.typed, word.alternatives + ((parts,) if parts else ()), token.word)


def term_of(token):
    return term(token.word.replace("-", ""))


def _splits(reader, word):
    """An unknown word as two known ones ('handforged' → `hand`, `forg`), or None."""
    if "-" in word or reader.postings.has(term(word)) or len(word) < 2 * SHORTEST_PART:
        return None
    for cut in range(SHORTEST_PART, len(word) - SHORTEST_PART + 1):
        left, right = term(word[:cut]), term(word[cut:])
        if left and right and reader.postings.has(left) and reader.postings.has(right):
            return (left, right)
    return None


def _tokens(q):
    """(the tokens of `q` up to MAX_WORDS, the words past it)."""
    tokens, not_read = [], []
    for match in TOKEN.finditer(q):
        quoted, minus, plain = match.groups()
        if quoted is not None:
            found = [(" ".join(words(quoted)), quoted, "quoted")] if words(quoted) else []
        else:
            kind = "excluded" if minus else "plain"
            found = [(word, word, kind) for word in words(plain)]
            if len(found) == 1:
                found = [(found[0][0], plain.strip(".,;:!?()[]{}'"), kind)]
        for word, typed, kind in found:
            if len(tokens) < MAX_WORDS:
                tokens.append(_Token(typed, word, kind))
            else:
                not_read.append(typed)
    return tokens, not_read


def relaxed(parts, count):
    """
    (the parts kept, the parts left out), in order: all of `parts` when
    `count(parts)` finds something; else without the part whose absence finds
    the most (the last of equals: the shopper's first words matter most), and so on.
    """
    kept, left_out = list(parts), []
    while kept and not count(kept):
        options = [(count(kept[:index] + kept[index + 1 :]), index) for index in range(len(kept))]
        _, index = max(options)
        left_out.append(kept.pop(index))
    return kept, left_out
