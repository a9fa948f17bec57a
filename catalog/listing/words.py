"""
Words as search reads them, the same for the pieces' texts and for what a
shopper types, on every database: one analysis in Python, so SQLite (the
embedded default) and PostgreSQL find the same pieces.

A text is cut into words (letters and digits; accents dropped, case folded:
"Repoussé" is "repousse"); a hyphenated word is kept whole as well as in its
parts, joined ("hand-forged" gives "handforg", "hand" and "forg"), so that
"hand-forged", "hand forged" and "handforged" meet (the query side joins two
neighbouring words, catalog.listing.reading). Each word becomes its *term*:
British spellings in -ise/-ised/-isation read as -ize ("oxidised" is
"oxidized"), then Snowball's English stemmer (snowballstemmer: "rings" and
"ring", "earrings" and "earring" are one term). Common English words
(`STOP_WORDS`) are no term at all.

Part of the listing room, at its very bottom: pure functions, no Django.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# A word: letters and digits, with its hyphenated parts ("hand-forged", "18k").
WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
# Words of one letter are no term (the "s" of "maker's"), digits are ("9 ct", "18 k").
SHORTEST = 2

STOP_WORDS = frozenset(
    """
    a an and are as at be but by for from has have in into is it its of on or so than that the their them then there
    these they this to was were which while who will with you your i me my we our us what when where how all any
    both each few more most other some such no nor not only own same too very can just do does did am been being
    if about against between through during before after above below up down out off over under again further once
    here why s t d ll m o re ve y
    """.split()
)

# British spellings that American English writes with a z: oxidised → oxidized, personalisation → personalization.
_ISE = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations|er|ers)$")
# Words in -ise that are no British spelling of a -ize word.
_ISE_WORDS = frozenset(
    """
    advertise advise chastise circumcise comprise compromise concise demise despise devise disguise enterprise
    excise exercise expertise franchise improvise incise merchandise otherwise paradise precise premise promise
    revise supervise surmise surprise televise treatise likewise clockwise praise cruise bruise
    chemise
    """.split()
)
_ISE_STEMS = tuple(word[:-3] for word in _ISE_WORDS)  # "promise" → "prom": "promised" is no "promized"
_SPELLINGS = {
    "jewellery": "jewelry",
    "jeweller": "jeweler",
    "jewellers": "jewelers",
    "colour": "color",
    "colours": "colors",
    "grey": "gray",
    "mould": "mold",
    "moulded": "molded",
}

_stemmer = snowballstemmer.stemmer("english")


def normalised(text):
    """`text` with accents dropped and case folded: 'Repoussé Ring' → 'repousse ring'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text):
    """The normalised words of `text`, hyphenated ones whole: 'Hand-forged rings' → ['hand-forged', 'rings']."""
    return WORD.findall(normalised(text))


@lru_cache(maxsize=65536)
def term(word):
    """The term of one normalised word without hyphen ('oxidised' → 'oxid'), or '' for a stop word or a letter."""
    if word in STOP_WORDS or (len(word) < SHORTEST and not word.isdigit()):
        return ""
    word = _SPELLINGS.get(word, word)
    british = _ISE.search(word)
    if british and not word[: british.start()].endswith(_ISE_STEMS):
        word = f"{word[: british.start()]}iz{british.group(1)}"
    return _stemmer.stemWord(word)


def terms_of_word(word):
    """The terms one word stands for: its own, and for a hyphenated word its parts' and theirs joined."""
    if "-" not in word:
        found = term(word)
        return [found] if found else []
    parts = [found for part in word.split("-") if (found := term(part))]
    return [term(word.replace("-", "")), *parts]


def document_terms(text):
    """Every term of a text, once: what a piece is found by."""
    found = set()
    for word in set(words(text)):
        found.update(terms_of_word(word))
    found.discard("")
    return found
