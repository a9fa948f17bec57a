"""
The relevance set: queries a shopper would type into the search box, each with what the shopper
means, written as a predicate over a published piece's attributes (never a list of pieces), so
that the judgement holds for any demo catalog and any size of it.

Judged on the demo catalog (`seed_demo --pieces 2000`, the default seed; catalog/demo/): six
categories, metals (sterling, fine and oxidised silver, yellow, white and rose gold, platinum,
base metals), gemstones and pearls (natural or lab-grown), techniques, traditions, certifications,
makers in 23 countries, availability, personalization, and titles and descriptions that name the
design ("A pair of huggie hoops in 14k yellow gold…").

A predicate is a `Where`: a Q (or Exists) over the piece, or `says(...)`, whole words of the
piece's title and description (accents and case ignored, matched in Python so that SQLite and
PostgreSQL judge alike), combined with `&`, `|` and `~`. `relevant(pieces, query)` applies it.

Each query is tagged by what it tests (`TYPO`, `SYNONYM`, …). Every query has relevant pieces in
the demo catalog of 2,000 pieces but those marked `none=True`, which have none on purpose (a
search for what the catalog does not hold); they are left out of the figures of relevance and
reported on their own.

Part of the bench (bench/search_relevance), outside the rooms: it reads the catalog's models.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from catalog.choices import (
    Availability,
    Construction,
    GemSource,
    MaterialKind,
    PersonalizationKind,
    ProductionMethod,
)
from catalog.models import MakerCertification, PersonalizationOption, Piece, PieceMaterial

# What each query tests; a query may test several.
CATEGORY, PLURAL, TYPO, SYNONYM, HYPHEN, SPELLING, COUNTRY, CERTIFICATION, TECHNIQUE, PHRASE, MIXED = (
    "category",
    "plural",
    "typo",
    "synonym",
    "hyphen",
    "spelling",
    "country",
    "certification",
    "technique",
    "phrase",
    "mixed",
)

SILVER = ("sterling-silver", "fine-silver", "oxidised-silver")
GOLD = ("yellow-gold", "white-gold", "rose-gold")


# --- Predicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A predicate over a published piece: a condition (`q`), whole words (`pattern`), or `parts` combined by `op`."""

    op: str
    q: object = None
    pattern: str = ""
    parts: tuple = ()

    def __and__(self, other):
        return Where("and", parts=(self, where(other)))

    def __rand__(self, other):
        return Where("and", parts=(where(other), self))

    def __or__(self, other):
        return Where("or", parts=(self, where(other)))

    def __ror__(self, other):
        return Where("or", parts=(where(other), self))

    def __invert__(self):
        return Where("not", parts=(self,))

    def resolve(self, pieces, texts=None):
        """The predicate as a Q over `pieces` (its words matched on their texts, read once)."""
        if self.op == "q":
            return Q(self.q)
        if self.op == "text":
            texts = texts if texts is not None else piece_texts(pieces)
            found = re.compile(rf"\b(?:{self.pattern})\b")
            return Q(pk__in=[pk for pk, text in texts.items() if found.search(text)])
        if self.op == "not":
            return ~self.parts[0].resolve(pieces, texts)
        resolved = [part.resolve(pieces, texts) for part in self.parts]
        combined = resolved[0]
        for condition in resolved[1:]:
            combined = combined & condition if self.op == "and" else combined | condition
        return combined


def where(condition):
    """`condition` as a `Where` (a Q, an Exists, or a `Where` already)."""
    return condition if isinstance(condition, Where) else Where("q", q=condition)


def folded(text):
    """Lower case, accents dropped: "Repoussé" reads "repousse"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def piece_texts(pieces):
    """{pk: the piece's title and description, folded}: the words `says` looks for."""
    return {
        pk: folded(f"{title}\n{description}")
        for pk, title, description in pieces.values_list("pk", "title", "description")
    }


def says(*words):
    """The piece's title or description has one of `words` (regular expressions of whole words, folded)."""
    return Where("text", pattern="|".join(words))


def category(*slugs):
    return where(Q(category__slug__in=slugs))


def material(*slugs, **row):
    """One material row of the piece is one of `slugs` and matches `row` (recycled=True, gem_source=…)."""
    lookups = {"material__slug__in": slugs} if slugs else {}
    return where(Exists(PieceMaterial.objects.filter(piece=OuterRef("pk"), **lookups, **row)))


def silver(**row):
    return material(*SILVER, **row)


def gold(**row):
    return material(*GOLD, **row)


def stone(**row):
    """A gemstone or pearl row matching `row`."""
    return material(material__kind__in=[MaterialKind.GEMSTONE, MaterialKind.PEARL], **row)


def method(value):
    return where(Q(production_method=value))


def availability(value):
    return where(Q(availability=value))


def personalization(*kinds):
    """The piece offers one of `kinds` of personalization (any kind when none is named)."""
    lookups = {"kind__in": kinds} if kinds else {}
    return where(Exists(PersonalizationOption.objects.filter(piece=OuterRef("pk"), **lookups)))


def technique(*slugs):
    return where(Exists(Piece.techniques.through.objects.filter(piece=OuterRef("pk"), technique__slug__in=slugs)))


def tradition(*slugs):
    return where(Exists(Piece.traditions.through.objects.filter(piece=OuterRef("pk"), tradition__slug__in=slugs)))


def style(*slugs):
    return where(Exists(Piece.styles.through.objects.filter(piece=OuterRef("pk"), style__slug__in=slugs)))


def country(*codes):
    """The maker works in one of `codes`."""
    return where(Q(artisan__country__in=codes))


def certified(*slugs):
    """A verified certification among `slugs`, on one of the piece's materials or on its maker (the listing's facet)."""
    on_material = PieceMaterial.objects.filter(piece=OuterRef("pk"), is_verified=True, certification__slug__in=slugs)
    on_maker = MakerCertification.objects.filter(
        artisan=OuterRef("artisan"), is_verified=True, certification__slug__in=slugs
    )
    return where(Exists(on_material) | Exists(on_maker))


# --- The queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What a shopper types (`text`), what they mean (`where`), what it tests (`tags`); `none`: nothing is meant."""

    text: str
    where: Where
    tags: tuple[str, ...] = field(default=())
    none: bool = False


def q(text, condition, *tags, none=False):
    return Query(text, where(condition), tags, none)


RINGS = category("rings")
EARRINGS = category("earrings")
NECKLACES = category("necklaces-pendants")
BRACELETS = category("bracelets")
BROOCHES = category("brooches")
CUFFLINKS = category("cufflinks")
HANDCRAFTED = method(ProductionMethod.HANDCRAFTED)
MASS_PRODUCED = method(ProductionMethod.MASS_PRODUCED)
HOOPS = EARRINGS & says("hoops?", "huggies?")
STUDS = EARRINGS & says("studs?", "button")
CUFFS = BRACELETS & says("cuffs?")
BANGLES = BRACELETS & says("bangles?")
ENGRAVED = personalization(PersonalizationKind.ENGRAVING) | technique("hand-engraving", "laser-engraving")
PEARL = material(material__kind=MaterialKind.PEARL)
LAB_GROWN = GemSource.LAB_GROWN

QUERIES = [
    # Categories, their plurals and common names.
    q("ring", RINGS, CATEGORY),
    q("rings", RINGS, CATEGORY, PLURAL),
    q("earring", EARRINGS, CATEGORY, PLURAL),
    q("earrings", EARRINGS, CATEGORY),
    q("necklace", NECKLACES, CATEGORY),
    q("pendants", NECKLACES, CATEGORY, PLURAL),
    q("bracelets", BRACELETS, CATEGORY, PLURAL),
    q("brooch", BROOCHES, CATEGORY),
    q("pins", BROOCHES, CATEGORY, PLURAL),
    q("cufflink", CUFFLINKS, CATEGORY, PLURAL),
    q("studs", STUDS, CATEGORY, PLURAL),
    q("stud earrings", STUDS, CATEGORY, PHRASE),
    q("hoops", HOOPS, CATEGORY, PLURAL),
    q("hoop earring", HOOPS, CATEGORY, PLURAL),
    q("bangle", BANGLES, CATEGORY),
    q("cuff", CUFFS, CATEGORY),
    q("signet rings", RINGS & says("signet", "seal"), CATEGORY, PLURAL),
    q("engagement ring", RINGS & says("engagement", "solitaires?"), CATEGORY, PHRASE),
    q("wedding bands", RINGS & says("wedding", "bands?"), CATEGORY, PLURAL),
    q("medallion", NECKLACES & says("medallions?", "coin"), CATEGORY),
    q("chain bracelet", BRACELETS & says("chain", "link"), CATEGORY, PHRASE),
    # Typos.
    q("saphire ring", RINGS & material("sapphire"), TYPO, MIXED),
    q("braclet", BRACELETS, TYPO),
    q("filigre earings", EARRINGS & technique("filigree"), TYPO, TECHNIQUE, MIXED),
    q("neckalce", NECKLACES, TYPO),
    q("earings", EARRINGS, TYPO),
    q("diamnod ring", RINGS & material("diamond"), TYPO, MIXED),
    q("amethist", material("amethyst"), TYPO),
    q("turqoise", material("turquoise"), TYPO),
    q("emrald", material("emerald"), TYPO),
    q("moonstone pendent", NECKLACES & material("moonstone"), TYPO, MIXED),
    q("sterlng silver", material("sterling-silver"), TYPO),
    q("labradorit", material("labradorite"), TYPO),
    q("aquamarin ring", RINGS & material("aquamarine"), TYPO, MIXED),
    q("platnum ring", RINGS & material("platinum"), TYPO, MIXED),
    q("cuflinks", CUFFLINKS, TYPO),
    q("granulaton", technique("granulation"), TYPO, TECHNIQUE),
    q("peridott", material("peridot"), TYPO),
    # Synonyms of the facets' words.
    q("handmade", HANDCRAFTED, SYNONYM),
    q("hand made rings", HANDCRAFTED & RINGS, SYNONYM, MIXED),
    q("handmade silver earrings", HANDCRAFTED & EARRINGS & silver(), SYNONYM, MIXED),
    q("artisan made necklace", HANDCRAFTED & NECKLACES, SYNONYM, MIXED),
    q("factory-made", MASS_PRODUCED, SYNONYM, HYPHEN),
    q("mass produced earrings", MASS_PRODUCED & EARRINGS, SYNONYM, MIXED),
    q("one of a kind", availability(Availability.ONE_OF_A_KIND), SYNONYM, PHRASE),
    q("OOAK ring", availability(Availability.ONE_OF_A_KIND) & RINGS, SYNONYM, MIXED),
    q("unique pendant", availability(Availability.ONE_OF_A_KIND) & NECKLACES, SYNONYM, MIXED),
    q("limited edition", availability(Availability.LIMITED_EDITION), SYNONYM, PHRASE),
    q("made to order ring", availability(Availability.MADE_TO_ORDER) & RINGS, SYNONYM, MIXED),
    q("engraved ring", ENGRAVED & RINGS, SYNONYM, MIXED),
    q("engravable bracelet", personalization(PersonalizationKind.ENGRAVING) & BRACELETS, SYNONYM, MIXED),
    q("custom ring", personalization() & RINGS, SYNONYM, MIXED),
    q("lab grown diamond", material("diamond", gem_source=LAB_GROWN), SYNONYM, MIXED),
    q("lab-created sapphire", material("sapphire", gem_source=LAB_GROWN), SYNONYM, HYPHEN),
    q("synthetic gemstones", stone(gem_source=LAB_GROWN), SYNONYM),
    q("natural ruby", material("ruby", gem_source=GemSource.NATURAL), SYNONYM, MIXED),
    q("recycled gold band", RINGS & gold(recycled=True), SYNONYM, MIXED),
    q("recycled silver", silver(recycled=True), MIXED),
    q("vermeil earrings", EARRINGS & material(construction=Construction.VERMEIL), MIXED),
    q("gold plated", gold(construction=Construction.PLATED), SYNONYM, PHRASE),
    q("solid gold ring", RINGS & gold(construction=Construction.SOLID), MIXED),
    q("925 silver ring", RINGS & material("sterling-silver"), SYNONYM, MIXED),
    q("sterling silver", material("sterling-silver"), PHRASE),
    q("white gold", material("white-gold"), PHRASE),
    q("rose gold ring", RINGS & material("rose-gold"), MIXED),
    q("stainless steel", material("stainless-steel"), PHRASE),
    q("freshwater pearls", material("freshwater-pearl"), PLURAL, PHRASE),
    q("pearl necklace", NECKLACES & PEARL, MIXED),
    q("silver jewelry", silver(), SYNONYM),
    # Hyphenated, spaced and joined.
    q("hand-forged", technique("hand-forging"), HYPHEN, TECHNIQUE),
    q("hand forged", technique("hand-forging"), HYPHEN, TECHNIQUE),
    q("handforged cuff", technique("hand-forging") & CUFFS, HYPHEN, TECHNIQUE, MIXED),
    q("wire-wrapped", technique("wire-wrapping"), HYPHEN, TECHNIQUE),
    q("wire wrapped pendant", technique("wire-wrapping") & NECKLACES, HYPHEN, TECHNIQUE, MIXED),
    q("lost wax cast", technique("lost-wax-casting"), HYPHEN, TECHNIQUE),
    q("hand engraved", technique("hand-engraving"), HYPHEN, TECHNIQUE),
    q("mokume gane ring", technique("mokume-gane") & RINGS, HYPHEN, TECHNIQUE, MIXED),
    q("goldfilled", material(construction=Construction.GOLD_FILLED), HYPHEN),
    q("half eternity ring", RINGS & says("half-eternity", "half eternity"), HYPHEN, PHRASE),
    # Spelling variants.
    q("oxidized silver", material("oxidised-silver"), SPELLING),
    q("oxidised silver ring", material("oxidised-silver") & RINGS, SPELLING, MIXED),
    q("handmade jewellery", HANDCRAFTED, SPELLING, SYNONYM),
    q("personalised necklace", personalization() & NECKLACES, SPELLING, SYNONYM, MIXED),
    q("personalized", personalization(), SPELLING, SYNONYM),
    q("enameled pendant", (technique("enameling") | material("vitreous-enamel")) & NECKLACES, SPELLING, MIXED),
    q(
        "colored gemstones",
        stone(material__kind=MaterialKind.GEMSTONE) & ~material("diamond", "cubic-zirconia"),
        SPELLING,
    ),
    # Makers' countries, by name and adjective.
    q("Mexico", country("MX"), COUNTRY),
    q("Mexican earrings", country("MX") & EARRINGS, COUNTRY, MIXED),
    q("Japanese", country("JP"), COUNTRY),
    q("italian gold", country("IT") & gold(), COUNTRY, MIXED),
    q("made in India", country("IN"), COUNTRY, PHRASE),
    q("peruvian", country("PE"), COUNTRY),
    q("moroccan silver", country("MA") & silver(), COUNTRY, MIXED),
    q("thai silver", country("TH") & silver(), COUNTRY, MIXED),
    q("Norwegian brooch", country("NO") & BROOCHES, COUNTRY, MIXED),
    q("ghana", country("GH"), COUNTRY),
    # Certifications by name.
    q("fairmined gold", certified("fairmined") & gold(), CERTIFICATION, MIXED),
    q("fairmined", certified("fairmined"), CERTIFICATION),
    q("fairtrade", certified("fairtrade-gold", "wfto-guaranteed-fair-trade"), CERTIFICATION),
    q("kimberley process diamonds", certified("kimberley-process") & material("diamond"), CERTIFICATION, PHRASE),
    q("GIA certified", certified("gia-report"), CERTIFICATION),
    q("living wage", certified("living-wage-employer"), CERTIFICATION, PHRASE),
    q("recycled content certified", certified("scs-recycled-content"), CERTIFICATION, PHRASE),
    # Techniques and traditions, by name and by their local names.
    q("filigree", technique("filigree"), TECHNIQUE),
    q("filigrana", technique("filigree"), TECHNIQUE, SYNONYM),
    q("filigrana earrings", technique("filigree") & EARRINGS, TECHNIQUE, SYNONYM, MIXED),
    q("repoussé", technique("repousse"), TECHNIQUE),
    q("repousse", technique("repousse"), TECHNIQUE, SPELLING),
    q("granulation", technique("granulation"), TECHNIQUE),
    q("damascene", technique("damascene"), TECHNIQUE),
    q("enamelling", technique("enameling") | material("vitreous-enamel"), TECHNIQUE, SPELLING),
    q("kundan", tradition("kundan-meenakari"), TECHNIQUE),
    q("meenakari", tradition("kundan-meenakari"), TECHNIQUE),
    q("sølje", tradition("solje"), TECHNIQUE, SPELLING),
    q("claddagh ring", tradition("claddagh") & RINGS, TECHNIQUE, MIXED),
    q("ashanti", tradition("ashanti-lost-wax"), TECHNIQUE),
    q("portuguese filigree", tradition("portuguese-filigree") | (country("PT") & technique("filigree")), TECHNIQUE),
    q("taxco silver", tradition("taxco-silversmithing"), TECHNIQUE, MIXED),
    # Several words, facets and free text mixed.
    q("moon pendant", NECKLACES & says("moon", "crescent"), PHRASE, MIXED),
    q("leaf brooch", BROOCHES & says("leaf"), PHRASE, MIXED),
    q("gold hoops", HOOPS & gold(), MIXED),
    q("diamond stud earrings", STUDS & material("diamond"), MIXED),
    q("pearl drop earrings", EARRINGS & PEARL & says("drops?", "dangle", "teardrop"), MIXED),
    q("silver cuff", CUFFS & silver(), MIXED),
    q("rose gold stacking ring", RINGS & material("rose-gold") & says("stacking"), MIXED),
    q("minimalist ring", style("minimal") & RINGS, SYNONYM, MIXED),
    q("art deco", style("art-deco"), PHRASE),
    q("bridal earrings", style("bridal") & EARRINGS, MIXED),
    q("vintage inspired earrings", style("vintage-inspired") & EARRINGS, HYPHEN, MIXED),
    q("gold ring with sapphire", RINGS & gold() & material("sapphire"), MIXED),
    q('"sterling silver" hoops', HOOPS & material("sterling-silver"), PHRASE, MIXED),
    q("copper bracelet", BRACELETS & material("copper"), MIXED),
    q("hammered gold ring", RINGS & gold() & says("hammer(ed)?", "hand-hammered", "beaten"), MIXED),
    q("tahitian pearl", material("tahitian-pearl"), PHRASE),
    # What the catalog does not hold.
    q("tungsten ring", RINGS & says("tungsten"), none=True),
    q("anklet", says("anklets?"), none=True),
    q("tiara", says("tiaras?"), none=True),
    q("jade bangle", BANGLES & material(material__name__icontains="jade"), none=True),
]


def relevant(pieces, query, texts=None):
    """The pieces among `pieces` (the published ones) that `query` means."""
    return pieces.filter(query.where.resolve(pieces, texts))
