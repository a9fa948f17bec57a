"""
The listing's vocabulary: the words and phrases a shopper types that name a
facet option ("handmade" is the production method Handcrafted, "studs" the
category Earrings, "Mexican" the maker's country Mexico), in one place.

It is generated from the facets' own labels (catalog.listing.facets: every
option's label, its parts around "&" or "and", and for metals, stones and
categories the word they share: "gold" is every gold), plus the synonyms
below (`SYNONYMS`, `COUNTRY_ADJECTIVES`) and the ones staff add in the admin
(catalog.models.SearchSynonym, carried by each facet option). Phrases are
compared by their terms (catalog.listing.words): "Oxidized silver",
"oxidised silvers" and "OXIDISED SILVER" are one phrase, and stop words are
skipped ("one of a kind" is `one kind`).

When one phrase names options of several facets (Mokume-gane is a technique
and a tradition), the first facet of `FACET_PRIORITY` has it.

Part of the listing room: beside the words, above the facets; catalog.listing.reading reads it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass

from catalog.listing.facets import FACETS_BY_NAME, FLAG_KEY, facet_options
from catalog.listing.words import term, terms_of_word, words

# Built-in synonyms: (phrase, facet, option value); a flag's value is FLAG_KEY.
SYNONYMS = [
    # How it was made.
    *[
        (phrase, "method", "handcrafted")
        for phrase in (
            "handmade",
            "hand made",
            "handcrafted",
            "hand crafted",
            "artisan made",
            "artisanal",
            "made by hand",
            "handwrought",
        )
    ],
    *[(phrase, "method", "hand_finished") for phrase in ("hand finished", "small batch")],
    *[
        (phrase, "method", "mass_produced")
        for phrase in ("factory made", "mass produced", "machine made", "mass made", "manufactured")
    ],
    ("studio team", "made_by", "studio_team"),
    # Techniques by the names makers use where they practise them.
    *[(phrase, "technique", "filigree") for phrase in ("filigrana", "filigrane", "filigran", "telkari")],
    *[(phrase, "technique", "repousse") for phrase in ("repujado", "chasing", "cincelado", "embossed")],
    *[(phrase, "technique", "lost-wax-casting") for phrase in ("cire perdue", "lost wax", "cera perdida")],
    *[(phrase, "technique", "enameling") for phrase in ("enamel", "enamelled", "cloisonne", "champleve", "esmalte")],
    *[(phrase, "technique", "granulation") for phrase in ("granulazione", "granulacion")],
    *[(phrase, "technique", "damascene") for phrase in ("damasquinado", "damascening")],
    *[(phrase, "technique", "wire-wrapping") for phrase in ("wire wrapped", "wire wrap")],
    *[(phrase, "technique", "hand-engraving") for phrase in ("hand engraved", "bulino")],
    ("production partner", "made_by", "production_partner"),
    # Categories by their common names.
    # Categories by their common names; for a kind of piece within one, see KINDS.
    ("earring", "category", "earrings"),
    ("bracelet", "category", "bracelets"),
    ("necklace", "category", "necklaces-pendants"),
    ("brooch", "category", "brooches"),
    # Metals by their other names.
    *[(phrase, "metal", "sterling-silver") for phrase in ("925", "sterling", "925 silver")],
    ("999 silver", "metal", "fine-silver"),
    *[(phrase, "metal", "oxidised-silver") for phrase in ("blackened silver", "oxidized")],
    *[(phrase, "metal", "stainless-steel") for phrase in ("steel", "surgical steel")],
    # Stones: natural or lab-grown.
    *[
        (phrase, "gem_source", "lab_grown")
        for phrase in (
            "lab grown",
            "lab created",
            "lab made",
            "laboratory grown",
            "synthetic",
            "man made",
            "cultured diamond",
        )
    ],
    *[(phrase, "gem_source", "natural") for phrase in ("natural", "mined", "earth mined")],
    # How many exist.
    *[(phrase, "availability", "one_of_a_kind") for phrase in ("one of a kind", "ooak", "unique", "one off")],
    *[(phrase, "availability", "limited_edition") for phrase in ("limited edition", "limited run", "numbered")],
    *[(phrase, "availability", "made_to_order") for phrase in ("made to order", "made on order", "bespoke")],
    # Personalization.
    *[
        (phrase, "personalization", "engraving")
        for phrase in ("engraved", "engravable", "engrave", "monogram", "initials")
    ],
    *[(phrase, "personalization", "sizing") for phrase in ("resizable", "resizing", "adjustable size")],
    *[
        (phrase, "personalization", "custom_design")
        for phrase in ("custom", "custom made", "custom design", "customised", "commission")
    ],
    *[
        (phrase, "personalizable", FLAG_KEY)
        for phrase in (
            "personalised",
            "personalized",
            "personalisable",
            "personalizable",
            "customisable",
            "customizable",
        )
    ],
    # Ethics, durability, heritage.
    *[(phrase, "recycled", FLAG_KEY) for phrase in ("recycled", "reclaimed", "upcycled")],
    # Never a phrase whose meaning hangs on a stop word ("not plated" would read as "plated").
    *[(phrase, "solid", FLAG_KEY) for phrase in ("solid", "solid metal")],
    *[(phrase, "untreated", FLAG_KEY) for phrase in ("untreated", "unheated")],
    *[(phrase, "traceable", FLAG_KEY) for phrase in ("traceable", "ethically sourced", "conflict free")],
    *[(phrase, "fair_labor", FLAG_KEY) for phrase in ("fair labor", "fair labour", "fairly paid")],
    # Certifications by the names shoppers use.
    *[
        (phrase, "certification", value)
        for phrase in ("fairtrade", "fair trade", "fair trade certified")
        for value in ("fairtrade-gold", "wfto-guaranteed-fair-trade")
    ],
    *[(phrase, "certification", "living-wage-employer") for phrase in ("living wage", "living wage certified")],
    ("recycled content", "certification", "scs-recycled-content"),
    # Styles by their other names.
    *[(phrase, "style", "minimal") for phrase in ("minimalist", "dainty", "simple")],
    *[(phrase, "style", "bohemian") for phrase in ("boho",)],
    *[(phrase, "style", "vintage-inspired") for phrase in ("vintage", "retro", "antique style")],
    *[(phrase, "style", "art-deco") for phrase in ("deco",)],
    *[(phrase, "style", "contemporary") for phrase in ("modern",)],
    *[(phrase, "style", "statement") for phrase in ("chunky", "bold")],
    *[(phrase, "style", "bridal") for phrase in ("wedding",)],
    *[(phrase, "certification", "kimberley-process") for phrase in ("kimberley", "conflict free diamond")],
    *[(phrase, "repairs", FLAG_KEY) for phrase in ("lifetime repair", "lifetime repairs", "repaired for life")],
    *[(phrase, "traditional", FLAG_KEY) for phrase in ("traditional", "heritage technique")],
    *[(phrase, "transparent", FLAG_KEY) for phrase in ("transparent pricing", "price breakdown")],
]

# Kinds of piece within a category: the category, and the word itself searched as text ("hoops": earrings
# whose words say hoop), so that a shopper asking for hoops is not shown studs.
KINDS = [
    *[
        (phrase, "rings")
        for phrase in ("band", "signet", "stacking ring", "wedding band", "cocktail ring", "engagement ring")
    ],
    *[(phrase, "earrings") for phrase in ("studs", "hoops", "ear cuff", "huggies", "drops", "dangles", "ear wires")],
    *[(phrase, "bracelets") for phrase in ("cuff", "bangle", "anklet", "link bracelet")],
    *[(phrase, "necklaces-pendants") for phrase in ("chain", "pendant", "choker", "locket", "charm")],
    *[(phrase, "brooches") for phrase in ("pin",)],
]

# Makers' countries by the adjectives and short names shoppers use (ISO codes, as the facet's values).
COUNTRY_ADJECTIVES = {
    "AR": ["Argentinian", "Argentine"],
    "AT": ["Austrian"],
    "AU": ["Australian"],
    "BE": ["Belgian"],
    "BO": ["Bolivian"],
    "BR": ["Brazilian"],
    "CA": ["Canadian"],
    "CH": ["Swiss"],
    "CL": ["Chilean"],
    "CN": ["Chinese"],
    "CO": ["Colombian"],
    "CZ": ["Czech", "Czechia"],
    "DE": ["German"],
    "DK": ["Danish"],
    "EC": ["Ecuadorian"],
    "EG": ["Egyptian"],
    "ES": ["Spanish"],
    "ET": ["Ethiopian"],
    "FI": ["Finnish"],
    "FR": ["French"],
    "GB": ["British", "English", "Scottish", "Welsh", "UK", "Britain", "England", "Scotland"],
    "GH": ["Ghanaian"],
    "GR": ["Greek"],
    "GT": ["Guatemalan"],
    "HU": ["Hungarian"],
    "ID": ["Indonesian", "Bali"],
    "IE": ["Irish"],
    "IL": ["Israeli"],
    "IN": ["Indian"],
    "IR": ["Iranian", "Persian"],
    "IS": ["Icelandic"],
    "IT": ["Italian"],
    "JP": ["Japanese"],
    "KE": ["Kenyan"],
    "KR": ["Korean", "South Korea"],
    "MA": ["Moroccan"],
    "MX": ["Mexican"],
    "NG": ["Nigerian"],
    "NL": ["Dutch", "Holland"],
    "NO": ["Norwegian"],
    "NP": ["Nepali", "Nepalese"],
    "NZ": ["New Zealander", "Kiwi"],
    "PE": ["Peruvian"],
    "PH": ["Filipino"],
    "PK": ["Pakistani"],
    "PL": ["Polish"],
    "PT": ["Portuguese"],
    "RO": ["Romanian"],
    "SE": ["Swedish"],
    "TH": ["Thai"],
    "TN": ["Tunisian"],
    "TR": ["Turkish"],
    "UA": ["Ukrainian"],
    "US": ["American", "USA", "US", "America", "United States"],
    "VN": ["Vietnamese"],
    "ZA": ["South African"],
}

# The facets whose options a phrase may name, first the one that wins when a phrase names several.
FACET_PRIORITY = [
    "category",
    "method",
    "metal",
    "gemstone",
    "pearl",
    "gem_source",
    "availability",
    "personalization",
    "certification",
    "technique",
    "tradition",
    "country",
    "style",
    "made_by",
    "recycled",
    "solid",
    "untreated",
    "traceable",
    "fair_labor",
    "repairs",
    "traditional",
    "transparent",
    "personalizable",
]
# Facets whose options' labels are not phrases of their own ("The artisan", "A production partner").
LABELS_NOT_READ = {"made_by", "workshop"}
# Facets where a word shared by several labels names them all ("gold": yellow, white and rose gold).
SHARED_WORD_FACETS = {"metal", "gemstone", "pearl", "category"}
# Facets whose options' labels begin with a name of their own ("GIA report", "RJC Chain of Custody"): that name alone
# names the option.
FIRST_WORD_FACETS = {"certification", "tradition"}
# Words that name every option of a facet: "gemstones" is a piece with any gemstone.
FACET_WORDS = {
    "gemstone": ("gemstone", "gem", "stone", "precious stone", "coloured stone", "colored gemstone"),
    "pearl": ("pearl",),
}
# Joiners inside one label ("Necklaces & pendants", "Repoussé and chasing"): each side names the option too.
LABEL_JOINERS = ("&", " and ", ",", "/")


@dataclass(frozen=True)
class Meaning:
    """
    What a phrase names: options of one facet (several when a shared word names
    them all); `also_text`: the phrase is searched as text too (KINDS).
    """

    facet: str
    values: tuple[str, ...]
    also_text: bool = False


def phrase_keys(text):
    """
    The keys under which `text` is looked up: its words' terms in order, stop
    words skipped, a hyphenated word as its parts ("mass-produced" → `mass
    produc`) and, for a one-word phrase, joined (`massproduc`).
    """
    typed = words(text)
    parts = tuple(each for word in typed for each in (terms_of_word(word)[1:] if "-" in word else terms_of_word(word)))
    keys = {parts} if parts else set()
    if len(typed) == 1 and "-" in typed[0] and (joined := term(typed[0].replace("-", ""))):
        keys.add((joined,))
    return keys


class Vocabulary:
    """The phrases that name facet options ({terms: Meaning}), and the words they are spelled with."""

    def __init__(self, options):
        found = defaultdict(lambda: defaultdict(set))  # {key: {facet: {values}}}
        shared = defaultdict(lambda: defaultdict(set))
        self.labels = {}  # {(facet, value): label}
        self.spellings = set()  # the normalised words of every phrase

        def add(text, facet, value, into=found):
            for key in phrase_keys(text):
                into[key][facet].add(value)
            self.spellings.update(part for word in words(text) for part in word.split("-") if term(part))

        for facet_name in FACET_PRIORITY:
            facet = FACETS_BY_NAME.get(facet_name)
            if facet is None:
                continue
            if facet.is_flag:
                self.labels[(facet_name, FLAG_KEY)] = str(facet.label)
            for option in options.get(facet_name, []):
                self.labels[(facet_name, option.value)] = option.label
                for synonym in option.synonyms:
                    add(synonym, facet_name, option.value)
                if facet_name in LABELS_NOT_READ:
                    continue
                add(option.label, facet_name, option.value)
                if not facet.is_flag:
                    add(option.value.replace("_", " "), facet_name, option.value)
                for side in _sides(option.label):
                    add(side, facet_name, option.value)
                if facet_name in SHARED_WORD_FACETS:
                    for word in words(option.label):
                        add(word, facet_name, option.value, into=shared)
                if facet_name in FIRST_WORD_FACETS and (first := words(option.label)[:1]):
                    add(first[0], facet_name, option.value, into=shared)
                for phrase in FACET_WORDS.get(facet_name, ()):
                    add(phrase, facet_name, option.value, into=shared)
            if facet_name == "country":
                present = {option.value for option in options.get("country", [])}
                for code, adjectives in COUNTRY_ADJECTIVES.items():
                    for adjective in adjectives if code in present else ():
                        add(adjective, "country", code)
        for phrase, facet_name, value in SYNONYMS:
            if (facet_name, value) in self.labels:
                add(phrase, facet_name, value)
        kinds = defaultdict(lambda: defaultdict(set))
        for phrase, value in KINDS:
            if ("category", value) in self.labels:
                add(phrase, "category", value, into=kinds)
        for key, facets in [*kinds.items(), *shared.items()]:  # a kind of piece before a word labels share
            if key not in found:
                found[key] = facets
        self.phrases = {key: _first_facet(facets, also_text=key in kinds) for key, facets in found.items()}
        self.spelled_by_length = {}
        for word in sorted(self.spellings):
            self.spelled_by_length.setdefault(len(word), []).append(word)
        self._by_label_word = defaultdict(list)
        for (facet_name, value), label in self.labels.items():
            if not FACETS_BY_NAME[facet_name].is_flag:
                for part in {part for word in words(label) for part in word.split("-") if len(part) >= 3}:
                    self._by_label_word[part].append((facet_name, value))
        self.label_words = sorted(self._by_label_word)
        self.longest = max((len(key) for key in self.phrases), default=0)
        self.terms = {each for key in self.phrases for each in key}

    def meaning(self, key):
        return self.phrases.get(key)

    def options_with_word(self, word):
        """The (facet, value) of the options whose label has `word`."""
        return self._by_label_word.get(word, [])

    def label(self, facet, value):
        return self.labels.get((facet, value), value)


def _sides(label):
    sides = [label]
    for joiner in LABEL_JOINERS:
        sides = [part.strip() for side in sides for part in side.split(joiner)]
    return [side for side in sides if side and side != label]


def _first_facet(facets, also_text=False):
    facet = min(facets, key=FACET_PRIORITY.index)
    return Meaning(facet, tuple(sorted(facets[facet])), also_text)


def synonym_facets():
    """(facet name, label) of the facets a staff synonym may name (catalog.admin: SearchSynonym)."""
    return [(name, str(FACETS_BY_NAME[name].label)) for name in FACET_PRIORITY if name in FACETS_BY_NAME]


_built = threading.local()


def vocabulary():
    """The vocabulary of the facets' options as they are now: made again when they change (kept per thread)."""
    options = facet_options()
    key = hash(tuple((name, tuple(each)) for name, each in options.items()))
    cached = getattr(_built, "vocabulary", None)
    if cached is None or cached[0] != key:
        cached = _built.vocabulary = (key, Vocabulary(options))
    return cached[1]
