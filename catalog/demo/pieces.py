"""
One demo piece and everything that says how it was made.

The article's contrasts are the generator's rules: a mass-produced piece is
made by a named production partner, mostly in open stock, with few labor
hours, machine steps and more often plated metal, so it is cheaper; a
handcrafted piece takes more hours, is more often one of a kind and more
often personalizable, and costs more; hand-finished pieces sit in between.
Prices are built the way a maker builds them (materials plus labor, times a
markup), so the spread follows from the rules rather than being set apart.

`plan_piece` returns an unsaved Piece and its child rows as plain dicts;
`build` saves the pieces with bulk_create and the rows with `rows.insert`.
"""

import bisect
import datetime
import itertools
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.utils.text import slugify

from artisans.choices import ArtisanStatus, MakerType
from catalog.choices import (
    Availability,
    Construction,
    EvidenceLevel,
    GemSource,
    MadeBy,
    PersonalizationKind,
    PieceStatus,
    ProductionMethod,
    ProductionStepKind,
    StepDoneBy,
    StoneTreatment,
    WeightUnit,
)
from catalog.demo import data
from catalog.demo.drawing import BACKDROPS, FINISHES, PieceDrawing
from catalog.demo.images import piece_photo_name, process_photo_name
from catalog.demo.workshop import ProcessDrawing
from catalog.models import Piece

HANDCRAFTED = ProductionMethod.HANDCRAFTED
HAND_FINISHED = ProductionMethod.HAND_FINISHED
MASS_PRODUCED = ProductionMethod.MASS_PRODUCED

CENT = Decimal("0.01")
PHOTO_WIDTH, PHOTO_HEIGHT = 720, 900
BACKDROP_NAMES = ["linen", "blush", "sage", "sand", "warm stone", "mist", "clay"]
assert len(BACKDROP_NAMES) == len(BACKDROPS)


class Shares:
    """Relative weights prepared once, since the generator picks from them about ten times per piece."""

    def __init__(self, shares):
        self.keys = list(shares)
        self.cumulative = list(itertools.accumulate(shares.values()))

    def pick(self, rng):
        # What rng.choices does, without rebuilding the cumulative weights on every call.
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def prepared(table):
    return {key: Shares(shares) for key, shares in table.items()}


CATEGORY_SHARES = Shares({row: row[3] for row in data.CATEGORIES})
METHOD_SHARES = prepared(
    {
        MakerType.INDEPENDENT: {HANDCRAFTED: 74, HAND_FINISHED: 26, MASS_PRODUCED: 0},
        MakerType.STUDIO: {HANDCRAFTED: 42, HAND_FINISHED: 43, MASS_PRODUCED: 15},
        MakerType.BRAND: {HANDCRAFTED: 5, HAND_FINISHED: 30, MASS_PRODUCED: 65},
    }
)

AVAILABILITY_SHARES = prepared(
    {
        HANDCRAFTED: {
            Availability.ONE_OF_A_KIND: 38,
            Availability.MADE_TO_ORDER: 32,
            Availability.LIMITED_EDITION: 18,
            Availability.OPEN_STOCK: 12,
        },
        HAND_FINISHED: {
            Availability.ONE_OF_A_KIND: 4,
            Availability.MADE_TO_ORDER: 26,
            Availability.LIMITED_EDITION: 32,
            Availability.OPEN_STOCK: 38,
        },
        MASS_PRODUCED: {Availability.MADE_TO_ORDER: 3, Availability.LIMITED_EDITION: 9, Availability.OPEN_STOCK: 88},
    }
)

CONSTRUCTION_SHARES = prepared(
    {
        HANDCRAFTED: {
            Construction.SOLID: 88,
            Construction.VERMEIL: 5,
            Construction.GOLD_FILLED: 5,
            Construction.PLATED: 2,
        },
        HAND_FINISHED: {
            Construction.SOLID: 66,
            Construction.VERMEIL: 16,
            Construction.GOLD_FILLED: 8,
            Construction.PLATED: 10,
        },
        MASS_PRODUCED: {
            Construction.SOLID: 30,
            Construction.VERMEIL: 8,
            Construction.GOLD_FILLED: 7,
            Construction.PLATED: 55,
        },
    }
)

SOLID_METAL_SHARES = prepared(
    {
        HANDCRAFTED: {
            "sterling-silver": 30,
            "fine-silver": 5,
            "oxidised-silver": 8,
            "yellow-gold": 16,
            "white-gold": 5,
            "rose-gold": 7,
            "platinum": 4,
            "brass": 5,
            "bronze": 4,
            "copper": 4,
            "titanium": 2,
        },
        HAND_FINISHED: {
            "sterling-silver": 38,
            "oxidised-silver": 4,
            "yellow-gold": 18,
            "white-gold": 6,
            "rose-gold": 8,
            "platinum": 3,
            "brass": 6,
            "bronze": 5,
            "copper": 2,
            "stainless-steel": 2,
            "titanium": 2,
        },
        MASS_PRODUCED: {
            "sterling-silver": 45,
            "stainless-steel": 28,
            "yellow-gold": 12,
            "white-gold": 4,
            "rose-gold": 4,
            "titanium": 4,
            "brass": 3,
        },
    }
)

GOLD_PURITY = prepared(
    {
        HANDCRAFTED: {"18k": 60, "14k": 28, "22k": 6, "9k": 6},
        HAND_FINISHED: {"18k": 45, "14k": 45, "9k": 10},
        MASS_PRODUCED: {"9k": 40, "14k": 50, "18k": 10},
    }
)
GOLD_PRICE_BY_KARAT = {"24k": 80, "22k": 73, "18k": 60, "14k": 47, "12k": 40, "10k": 33, "9k": 30}
METAL_PURITY = {
    "sterling-silver": "925",
    "oxidised-silver": "925",
    "fine-silver": "999",
    "platinum": "950",
    "stainless-steel": "316L",
    "titanium": "Grade 2",
}

# Grams of metal in a piece of each shape, and hours of bench work for a handcrafted one.
METAL_GRAMS = {
    "ring": (2.5, 9),
    "pendant": (3, 12),
    "earrings": (2, 8),
    "bracelet": (8, 40),
    "brooch": (5, 18),
    "cufflinks": (8, 18),
}
HANDCRAFTED_HOURS = {"ring": 4, "pendant": 4.5, "earrings": 4.5, "bracelet": 8, "brooch": 9, "cufflinks": 6}
STONE_CHANCE = {"ring": 0.55, "pendant": 0.55, "earrings": 0.55, "bracelet": 0.35, "brooch": 0.6, "cufflinks": 0.35}

MARKUP = {HANDCRAFTED: (1.9, 2.6), HAND_FINISHED: (2.1, 2.8), MASS_PRODUCED: (2.4, 3.6)}
PARTNER_RATE = 8  # EUR an hour in the factories that make mass-produced pieces

STEP_NOTES = {
    (ProductionStepKind.DESIGN, StepDoneBy.BY_HAND): [
        "Sketched in pencil, then drawn to scale",
        "Drawn by hand and checked in paper models",
    ],
    (ProductionStepKind.DESIGN, StepDoneBy.WITH_HAND_TOOLS): ["Modelled in CAD from the maker's sketch"],
    (ProductionStepKind.MODEL, StepDoneBy.BY_HAND): ["Carved in wax with files and a spirit lamp"],
    (ProductionStepKind.MODEL, StepDoneBy.BY_MACHINE): ["Printed in castable resin from the CAD model"],
    (ProductionStepKind.CASTING, StepDoneBy.WITH_HAND_TOOLS): ["Cast in the studio's own kiln and centrifuge"],
    (ProductionStepKind.CASTING, StepDoneBy.BY_MACHINE): ["Vacuum-cast on trees of forty"],
    (ProductionStepKind.CASTING, StepDoneBy.BY_PARTNER): ["Cast in recycled metal by the casting house"],
    (ProductionStepKind.FABRICATION, StepDoneBy.BY_HAND): ["Forged on the anvil and soldered at the bench"],
    (ProductionStepKind.FABRICATION, StepDoneBy.WITH_HAND_TOOLS): [
        "Sawn, filed and soldered at the bench",
        "Assembled and soldered by hand",
    ],
    (ProductionStepKind.FABRICATION, StepDoneBy.BY_MACHINE): ["Stamped and assembled on the line"],
    (ProductionStepKind.STONE_SETTING, StepDoneBy.WITH_HAND_TOOLS): [
        "Prongs raised and set under the microscope",
        "Bezel burnished over the stone by hand",
    ],
    (ProductionStepKind.STONE_SETTING, StepDoneBy.BY_MACHINE): ["Wax-set before casting"],
    (ProductionStepKind.ENGRAVING, StepDoneBy.BY_HAND): ["Cut with a hand graver"],
    (ProductionStepKind.ENGRAVING, StepDoneBy.BY_MACHINE): ["Laser-engraved"],
    (ProductionStepKind.FINISHING, StepDoneBy.WITH_HAND_TOOLS): [
        "Filed, sanded and polished by hand",
        "Hand-polished, then textured with a hammer",
    ],
    (ProductionStepKind.FINISHING, StepDoneBy.BY_MACHINE): ["Tumble-polished and plated"],
}


@dataclass
class PiecePlan:
    """A piece about to be saved, with its child rows as dicts (their piece_id is set once it has an id)."""

    piece: Piece
    steps: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    images: list = field(default_factory=list)
    options: list = field(default_factory=list)
    techniques: list = field(default_factory=list)
    traditions: list = field(default_factory=list)
    styles: list = field(default_factory=list)
    recycled: bool = False
    is_public: bool = False

    def children(self):
        return self.steps + self.materials + self.images + self.options


@dataclass
class Context:
    """What every piece is planned against: the taxonomies, the staff curator, the date and the photo pool."""

    rng: object
    taxonomy: dict
    curator: object
    reference: datetime.datetime
    producer: object
    slugs_taken: set
    drawings: "DrawingPool"


def weighted(rng, shares):
    """One key of `shares`, with probability proportional to its value."""
    if not isinstance(shares, Shares):
        shares = Shares(shares)
    return shares.pick(rng)


def plan_piece(ctx, index, maker):
    rng = ctx.rng
    method = weighted(rng, METHOD_SHARES[maker.maker_type])
    category = weighted(rng, CATEGORY_SHARES)
    shape = category[2]
    metals = choose_metals(rng, method, shape)
    stones = choose_stones(rng, method, shape)
    variant = choose_variant(rng, shape, stones)
    fit_stones_to_design(rng, method, shape, variant, stones)
    finish = rng.choice(FINISHES) if method != MASS_PRODUCED else rng.choice(("polished", "polished", "brushed"))
    made_by, partner = choose_made_by(rng, method, maker)
    techniques = choose_techniques(rng, method, maker, metals, stones, shape, finish)
    # A piece belongs to its maker's tradition when it uses that tradition's techniques.
    traditions = [t for t in maker.traditions if set(TRADITION_TECHNIQUES[t]) & set(techniques)]
    if traditions and rng.random() < 0.15:
        traditions = []
    availability = weighted(rng, AVAILABILITY_SHARES[method])
    hours = labor_hours(rng, method, shape, stones, techniques)
    nouns = data.NOUNS[(shape, variant)]
    if (shape, variant) == ("bracelet", 3):
        nouns = [noun for noun in nouns if (noun == "Beaded Bracelet") != bool(stones)]
    noun = rng.choice(nouns)

    piece = Piece(
        artisan_id=maker.artisan.pk,
        category=ctx.taxonomy["categories"][category[0]],
        production_method=method,
        made_by=made_by,
        production_partner=partner,
        uses_bought_components=bought_components(rng, method, shape),
        labor_hours=Decimal(str(hours)),
        availability=availability,
        **edition_and_stock(rng, method, availability),
    )
    title = make_title(rng, maker, method, metals, stones, techniques, finish, noun)
    piece.title = title
    piece.slug = unique_piece_slug(title, ctx.slugs_taken)
    piece.description = describe(rng, method, shape, variant, noun, metals, stones, finish)
    piece.design_story = design_story(rng, maker, method, noun, finish)
    piece.variation_note = variation_note(rng, method, stones)
    piece.care_instructions = care_instructions(metals, stones, techniques)
    set_repair_policy(rng, piece, method, shape)
    set_price(rng, piece, method, maker, metals, stones, hours)

    plan = PiecePlan(piece=piece, techniques=techniques, traditions=traditions)
    plan.materials = material_rows(rng, ctx, method, metals, stones, techniques, noun)
    plan.recycled = any(row.get("recycled") for row in plan.materials)
    plan.steps = step_rows(rng, method, made_by, partner, techniques, stones, shape)
    plan.options = option_rows(rng, method, shape, stones, piece)
    plan.styles = choose_styles(rng, method, shape, variant, techniques, traditions)
    drawing = ctx.drawings.drawing_for(index, shape, variant, metals, stones, finish)
    plan.images = image_rows(rng, ctx, method, title, noun, metals, stones, drawing, shape, variant)
    set_status_and_evidence(rng, ctx, plan, maker)
    return plan


# --- What it is made of ----------------------------------------------------------------


@dataclass
class MetalChoice:
    slug: str
    purity: str
    construction: str
    grams: float
    recycled: bool
    microns: Decimal | None = None
    base: str | None = None  # the metal under a plated, vermeil or gold-filled layer


@dataclass
class StoneChoice:
    slug: str
    carats: float
    count: int
    source: str
    treatment: str


def choose_metals(rng, method, shape):
    construction = weighted(rng, CONSTRUCTION_SHARES[method])
    low, high = METAL_GRAMS[shape]
    grams = round(rng.uniform(low, high) * (0.7 if method == MASS_PRODUCED else 1.0), 2)
    recycled_chance = {HANDCRAFTED: 0.6, HAND_FINISHED: 0.45, MASS_PRODUCED: 0.18}[method]
    if construction == Construction.SOLID:
        slug = weighted(rng, SOLID_METAL_SHARES[method])
        purity = weighted(rng, GOLD_PURITY[method]) if slug.endswith("gold") else METAL_PURITY.get(slug, "")
        return [MetalChoice(slug, purity, construction, grams, rng.random() < recycled_chance)]
    if construction == Construction.VERMEIL:
        layer = rng.choice(["yellow-gold", "yellow-gold", "rose-gold"])
        microns = Decimal(str(round(rng.uniform(2.5, 3.5 if method != MASS_PRODUCED else 3.0), 1)))
        return [
            MetalChoice(
                layer,
                rng.choice(["18k", "14k"]),
                construction,
                round(grams * 0.02, 2),
                False,
                microns,
                base="sterling-silver",
            ),
            MetalChoice("sterling-silver", "925", Construction.SOLID, grams, rng.random() < recycled_chance),
        ]
    if construction == Construction.GOLD_FILLED:
        layer = rng.choice(["yellow-gold", "yellow-gold", "rose-gold"])
        return [
            MetalChoice(layer, rng.choice(["14k", "12k"]), construction, round(grams * 0.05, 2), False, base="brass"),
            MetalChoice("brass", "", Construction.SOLID, grams, False),
        ]
    layer = rng.choice(["yellow-gold", "yellow-gold", "rose-gold", "rhodium"])
    base = rng.choice(["brass", "brass", "stainless-steel", "sterling-silver"])
    low, high = {MASS_PRODUCED: (0.1, 1.0), HAND_FINISHED: (0.5, 2.0), HANDCRAFTED: (1.0, 2.4)}[method]
    microns = Decimal(str(round(rng.uniform(low, high), 2)))
    purity = "" if layer == "rhodium" else rng.choice(["24k", "18k", "14k"])
    return [
        MetalChoice(layer, purity, construction, 0.0, False, microns, base=base),
        MetalChoice(base, METAL_PURITY.get(base, ""), Construction.SOLID, grams, False),
    ]


STONE_WEIGHTS = {row[0]: 4 for row in data.STONES}
STONE_WEIGHTS.update(
    {
        "diamond": 12,
        "sapphire": 7,
        "freshwater-pearl": 7,
        "turquoise": 5,
        "moonstone": 5,
        "garnet": 5,
        "amethyst": 5,
        "cubic-zirconia": 0,
    }
)
# Cubic zirconia, a simulant, is for the cheapest pieces only.
STONE_SHARES = {
    method: Shares({**STONE_WEIGHTS, "cubic-zirconia": zirconia})
    for method, zirconia in ((HANDCRAFTED, 0), (HAND_FINISHED, 2), (MASS_PRODUCED, 14))
}
STONES_BY_SLUG = {row[0]: row for row in data.STONES}
METALS_BY_SLUG = {row[0]: row for row in data.METALS}
TRADITION_TECHNIQUES = {row[0]: row[4] for row in data.TRADITIONS}


def choose_stones(rng, method, shape):
    if rng.random() >= STONE_CHANCE[shape]:
        return []
    weights = STONE_SHARES[method]
    first = weighted(rng, weights)
    chosen = [first]
    if rng.random() < 0.2:
        second = weighted(rng, weights)
        if second != first and (STONES_BY_SLUG[second][4] == "pearl") == (STONES_BY_SLUG[first][4] == "pearl"):
            chosen.append(second)
    return [stone_choice(rng, method, slug, main=(n == 0)) for n, slug in enumerate(chosen)]


def stone_choice(rng, method, slug, main):
    row = STONES_BY_SLUG[slug]
    can_lab, treated_share = row[6], row[7]
    lab_chance = {HANDCRAFTED: 0.15, HAND_FINISHED: 0.3, MASS_PRODUCED: 0.5}[method]
    if slug == "cubic-zirconia":
        source, treatment = GemSource.LAB_GROWN, StoneTreatment.SIMULANT
    elif can_lab and rng.random() < lab_chance:
        source, treatment = GemSource.LAB_GROWN, StoneTreatment.LAB_CREATED
    else:
        source = GemSource.NATURAL
        treatment = StoneTreatment.TREATED if rng.random() < treated_share else StoneTreatment.UNTREATED
    count = 1 if main and rng.random() < 0.6 else rng.randint(2, 12)
    each = rng.uniform(0.25, 1.6) if count == 1 else rng.uniform(0.01, 0.12)
    if method == MASS_PRODUCED:
        each *= 0.5
    return StoneChoice(slug, round(each * count, 2) or 0.01, count, source, treatment)


def choose_variant(rng, shape, stones):
    """The drawing (and noun) of the piece: solitaires, clusters and line bracelets need stones."""
    has_stones = bool(stones)
    pearl = has_stones and STONES_BY_SLUG[stones[0].slug][4] == "pearl"
    options = {
        "ring": ({1: 5, 0: 1} if pearl else {0: 2, 1: 4, 2: 1, 3: 3}) if has_stones else {0: 6, 2: 3},
        "pendant": ({4: 6, 1: 3, 0: 1} if pearl else {0: 2, 1: 5, 2: 2, 3: 2}) if has_stones else {0: 5, 2: 3, 3: 3},
        "earrings": {0: 2, 1: 4, 2: 4, 3: 2} if has_stones else {0: 5, 1: 2, 2: 3, 3: 1},
        "bracelet": {1: 2, 2: 3, 3: 4} if has_stones else {0: 4, 1: 3, 2: 3, 3: 1},
        "brooch": {0: 3, 1: 3, 2: 2} if has_stones else {0: 2, 2: 3},
        "cufflinks": {0: 1, 1: 1},
    }[shape]
    return weighted(rng, options)


# Designs whose main stone is one large stone, a pair, or a row of small ones.
SINGLE_STONE = {
    ("ring", 1),
    ("ring", 2),
    ("pendant", 1),
    ("pendant", 3),
    ("bracelet", 2),
    ("cufflinks", 0),
    ("cufflinks", 1),
}
PAIRED_STONES = {("earrings", 1), ("earrings", 2)}
ROW_OF_STONES = {("ring", 3), ("bracelet", 3), ("brooch", 1), ("earrings", 0), ("earrings", 3)}


def fit_stones_to_design(rng, method, shape, variant, stones):
    """Make the main stone's count and size fit the design: a solitaire has one, studs two, a tennis bracelet many."""
    if not stones:
        return
    main = stones[0]
    design = (shape, variant)
    scale = 0.5 if method == MASS_PRODUCED else 1.0
    if design == ("pendant", 4):
        main.count, main.carats = rng.randint(40, 60), round(rng.uniform(25, 45), 2)
        return
    if design in SINGLE_STONE:
        main.count, each = 1, rng.uniform(0.3, 2.0) * scale
    elif design in PAIRED_STONES:
        main.count, each = 2, rng.uniform(0.2, 1.0) * scale
    elif design in ROW_OF_STONES:
        main.count, each = rng.randint(6, 30), rng.uniform(0.01, 0.06)
    else:
        return
    main.carats = max(0.01, round(each * main.count, 2))


def material_rows(rng, ctx, method, metals, stones, techniques, noun):
    rows = [metal_row(rng, ctx, method, metal) for metal in metals]
    rows += [stone_row(rng, ctx, stone) for stone in stones]
    materials = ctx.taxonomy["materials"]
    if "enameling" in techniques:
        rows.append({"material_id": materials["vitreous-enamel"].pk, "weight": Decimal("0.50")})
    if "mokume-gane" in techniques:
        rows.append(
            {
                "material_id": materials["copper"].pk,
                "construction": Construction.SOLID.value,
                "weight": Decimal("1.50"),
                "recycled": rng.random() < 0.5,
            }
        )
    if "Pearl" in noun and rng.random() < 0.6:
        rows.append({"material_id": materials["silk-cord"].pk, "origin": ""})
    if method == HANDCRAFTED and rng.random() < 0.06:
        # An inlay of wood saved from the workshop's offcuts.
        rows.append(
            {"material_id": materials["reclaimed-wood"].pk, "origin": "workshop offcuts", "weight": Decimal("1.20")}
        )
    for position, row in enumerate(rows):
        row["position"] = position
    return rows


RECYCLED_ORIGINS = [
    "refined in Italy",
    "refined in Germany",
    "refined in the USA",
    "refined in Portugal",
    "the studio's own scrap",
]
MINED_ORIGINS = {
    "gold": ["La Llanada, Colombia (Fairmined)", "Sotrami, Peru", "refined in Switzerland", ""],
    "silver": ["Fresnillo, Mexico", "Potosí, Bolivia", "refined in Germany"],
    "platinum": ["Bushveld, South Africa", "refined in Switzerland"],
    "base": ["", "made in the EU", "made in China"],
}


def metal_row(rng, ctx, method, metal):
    family = METALS_BY_SLUG[metal.slug][3]
    origin = ""
    if metal.recycled:
        origin = rng.choice(RECYCLED_ORIGINS)
    elif family in MINED_ORIGINS and (method != MASS_PRODUCED or rng.random() < 0.4):
        origin = rng.choice(MINED_ORIGINS[family])
    certification, number = None, ""
    if metal.construction == Construction.SOLID or metal.construction == Construction.VERMEIL:
        certification, number = metal_certification(rng, method, metal, family)
    return {
        "material_id": ctx.taxonomy["materials"][metal.slug].pk,
        "purity": metal.purity,
        "construction": metal.construction.value,
        "plating_thickness_microns": metal.microns,
        "recycled": metal.recycled,
        "origin": origin,
        "certification_id": certification_id(ctx, certification),
        "certificate_number": number,
        "is_verified": certification is not None and rng.random() < 0.6,
        "weight": Decimal(str(metal.grams)).quantize(CENT) if metal.grams else None,
        "weight_unit": WeightUnit.GRAMS.value,
    }


def certification_id(ctx, slug):
    return ctx.taxonomy["certifications"][slug].pk if slug else None


def metal_certification(rng, method, metal, family):
    """A certification for a share of precious metals: recycled content, or responsible mining and custody."""
    scale = {HANDCRAFTED: 1.0, HAND_FINISHED: 0.8, MASS_PRODUCED: 0.5}[method]
    roll = rng.random() / scale
    if family not in ("gold", "silver", "platinum"):
        return None, ""
    if metal.recycled:
        if roll < 0.35:
            return "scs-recycled-content", numbered(rng, "SCS-RC-0", 5)
        return None, ""
    if roll < 0.15:
        return "fairmined", numbered(rng, f"FM-{rng.randint(2019, 2025)}-", 4)
    if roll < 0.25 and family == "gold":
        return "fairtrade-gold", numbered(rng, "FLO ID ", 5)
    if roll < 0.38:
        return "rjc-chain-of-custody", numbered(rng, "RJC-CoC-", 4)
    return None, ""


def numbered(rng, prefix, digits):
    """A certificate number most of the time; some claims come with the evidence file alone."""
    if rng.random() < 0.2:
        return ""
    return f"{prefix}{rng.randint(10 ** (digits - 1), 10**digits - 1)}"


def stone_row(rng, ctx, stone):
    row = STONES_BY_SLUG[stone.slug]
    if stone.source == GemSource.LAB_GROWN:
        origin = rng.choice(["grown in Surat, India", "grown in the USA", "grown in Belgium"])
        if stone.slug == "cubic-zirconia":
            origin = row[8][0]
    else:
        origin = rng.choice(row[8]) if rng.random() < 0.7 else ""
    certification, number = None, ""
    precious = stone.slug in ("diamond", "sapphire", "ruby", "emerald")
    if precious and stone.carats >= 0.3 and rng.random() < 0.55:
        certification = rng.choice(["gia-report", "igi-report"])
        if certification == "gia-report":
            prefix = "GIA "
        else:
            prefix = "IGI LG" if stone.source == GemSource.LAB_GROWN else "IGI "
        number = numbered(rng, prefix, 10)
    elif stone.slug == "diamond" and stone.source == GemSource.NATURAL and rng.random() < 0.6:
        certification = "kimberley-process"
    # A strand of pearls is weighed in grams; single stones and pearls in carats.
    unit = WeightUnit.GRAMS if row[2] == "pearl" and stone.count >= 40 else WeightUnit.CARATS
    return {
        "material_id": ctx.taxonomy["materials"][stone.slug].pk,
        "gem_source": stone.source.value,
        "treatment": stone.treatment.value,
        "origin": origin,
        "certification_id": certification_id(ctx, certification),
        "certificate_number": number,
        "is_verified": certification is not None and rng.random() < 0.55,
        "weight": Decimal(str(stone.carats)).quantize(CENT),
        "weight_unit": unit.value,
    }


# --- How it is made ------------------------------------------------------------------


# Who makes a piece, by its method and its maker's kind: brands name their partners.
MADE_BY_SHARES = {
    HANDCRAFTED: prepared(
        {
            MakerType.INDEPENDENT: {MadeBy.ARTISAN: 92, MadeBy.STUDIO_TEAM: 8},
            MakerType.STUDIO: {MadeBy.STUDIO_TEAM: 75, MadeBy.ARTISAN: 25},
            MakerType.BRAND: {MadeBy.PRODUCTION_PARTNER: 60, MadeBy.STUDIO_TEAM: 40},
        }
    ),
    HAND_FINISHED: prepared(
        {
            MakerType.INDEPENDENT: {MadeBy.ARTISAN: 85, MadeBy.PRODUCTION_PARTNER: 15},
            MakerType.STUDIO: {MadeBy.STUDIO_TEAM: 80, MadeBy.PRODUCTION_PARTNER: 20},
            MakerType.BRAND: {MadeBy.STUDIO_TEAM: 45, MadeBy.PRODUCTION_PARTNER: 55},
        }
    ),
    MASS_PRODUCED: prepared(
        {
            MakerType.INDEPENDENT: {MadeBy.PRODUCTION_PARTNER: 100},
            MakerType.STUDIO: {MadeBy.PRODUCTION_PARTNER: 70, MadeBy.STUDIO_TEAM: 30},
            MakerType.BRAND: {MadeBy.PRODUCTION_PARTNER: 85, MadeBy.STUDIO_TEAM: 15},
        }
    ),
}
MACHINE_FORMING = Shares({"injection-casting": 50, "die-stamping": 35, "cnc-milling": 15})
STATUS_SHARES = Shares(
    {PieceStatus.PUBLISHED: 90, PieceStatus.DRAFT: 4, PieceStatus.ARCHIVED: 3.5, PieceStatus.HIDDEN: 2.5}
)


def choose_made_by(rng, method, maker):
    """Who made it; a production partner is always named, as the domain requires."""
    made_by = weighted(rng, MADE_BY_SHARES[method][maker.maker_type])
    if made_by != MadeBy.PRODUCTION_PARTNER:
        return made_by, ""
    if method == MASS_PRODUCED:
        return made_by, rng.choice(data.PRODUCTION_PARTNERS["factory"])
    if method == HANDCRAFTED:
        return made_by, rng.choice(data.HANDWORK_PARTNERS)
    return made_by, rng.choice(data.PRODUCTION_PARTNERS["casting"])


def choose_techniques(rng, method, maker, metals, stones, shape, finish):
    plated = any(m.construction in (Construction.PLATED, Construction.VERMEIL) for m in metals)
    chosen = []
    if method == HANDCRAFTED:
        chosen.append("hand-forging" if finish == "hammered" or rng.random() < 0.3 else "hand-fabrication")
        if rng.random() < 0.3:
            chosen.append("lost-wax-casting")
        if maker.traditions and rng.random() < 0.6:
            # Makers of a tradition mostly work in it: that is what their pieces are known for.
            tradition = rng.choice(maker.traditions)
            chosen.append(rng.choice(TRADITION_TECHNIQUES[tradition]))
        elif rng.random() < 0.75:
            chosen.append(rng.choice(handwork_of(maker)))
        if rng.random() < 0.15:
            chosen.append("hand-engraving")
    elif method == HAND_FINISHED:
        chosen.append("lost-wax-casting")
        if rng.random() < 0.5:
            chosen.append("cad-modelling")
        if rng.random() < 0.3:
            chosen.append(rng.choice(handwork_of(maker)))
    else:
        chosen.append(weighted(rng, MACHINE_FORMING))
        if rng.random() < 0.4:
            chosen.append("cad-modelling")
        if shape in ("pendant", "bracelet") and rng.random() < 0.6:
            chosen.append("machine-chain-making")
        if rng.random() < 0.1:
            chosen.append("laser-engraving")
    if stones and method != MASS_PRODUCED:
        chosen.append("stone-setting-by-hand")
    if plated:
        chosen.append("electroplating")
    # Keep the first mention of each, in order: sets of strings would make the order depend on hashing.
    return list(dict.fromkeys(chosen))


def handwork_of(maker):
    """The maker's own hand techniques; a brand without any borrows from the common bench skills."""
    return [slug for slug in maker.techniques if slug in data.HANDWORK_TECHNIQUES] or data.HANDWORK_TECHNIQUES[:4]


def labor_hours(rng, method, shape, stones, techniques):
    stone_count = sum(stone.count for stone in stones)
    if method == HANDCRAFTED:
        hours = HANDCRAFTED_HOURS[shape] * math.exp(rng.gauss(0, 0.45)) + min(stone_count, 12) * 0.4
        if {"filigree", "granulation", "mokume-gane", "repousse", "enameling"} & set(techniques):
            hours *= 1.6
        return round(min(max(hours, 1.5), 120) * 2) / 2
    if method == HAND_FINISHED:
        hours = 1.6 * math.exp(rng.gauss(0, 0.4)) + min(stone_count, 12) * 0.2
        return round(min(max(hours, 0.5), 10), 1)
    return round(rng.uniform(0.1, 0.8), 1)


def bought_components(rng, method, shape):
    """Chains and clasps bought ready-made: common on mass-produced necklaces, rare on handcrafted rings."""
    if shape not in ("pendant", "bracelet", "earrings", "cufflinks"):
        return method == MASS_PRODUCED and rng.random() < 0.2
    return rng.random() < {HANDCRAFTED: 0.3, HAND_FINISHED: 0.6, MASS_PRODUCED: 0.9}[method]


def step_rows(rng, method, made_by, partner, techniques, stones, shape):
    """The recorded production steps, for the share of pieces whose maker wrote them down."""
    if rng.random() >= {HANDCRAFTED: 0.72, HAND_FINISHED: 0.6, MASS_PRODUCED: 0.5}[method]:
        return []
    cast = {"lost-wax-casting", "injection-casting"} & set(techniques)
    engraved = {"hand-engraving", "laser-engraving"} & set(techniques)
    steps = []
    if method == HANDCRAFTED:
        steps.append((ProductionStepKind.DESIGN, StepDoneBy.BY_HAND))
        if cast:
            steps.append((ProductionStepKind.MODEL, StepDoneBy.BY_HAND))
            steps.append(
                (
                    ProductionStepKind.CASTING,
                    StepDoneBy.WITH_HAND_TOOLS if rng.random() < 0.6 else StepDoneBy.BY_PARTNER,
                )
            )
        steps.append((ProductionStepKind.FABRICATION, rng.choice([StepDoneBy.BY_HAND, StepDoneBy.WITH_HAND_TOOLS])))
        if stones:
            steps.append(
                (
                    ProductionStepKind.STONE_SETTING,
                    StepDoneBy.WITH_HAND_TOOLS if rng.random() < 0.9 else StepDoneBy.BY_PARTNER,
                )
            )
        if engraved:
            steps.append((ProductionStepKind.ENGRAVING, StepDoneBy.BY_HAND))
        steps.append((ProductionStepKind.FINISHING, StepDoneBy.WITH_HAND_TOOLS))
    elif method == HAND_FINISHED:
        cad = "cad-modelling" in techniques
        steps.append((ProductionStepKind.DESIGN, StepDoneBy.WITH_HAND_TOOLS if cad else StepDoneBy.BY_HAND))
        steps.append((ProductionStepKind.MODEL, StepDoneBy.BY_MACHINE if cad else StepDoneBy.BY_HAND))
        casting = StepDoneBy.BY_PARTNER if rng.random() < 0.6 else StepDoneBy.BY_MACHINE
        steps.append((ProductionStepKind.CASTING, casting))
        if shape in ("pendant", "earrings", "cufflinks") or rng.random() < 0.3:
            steps.append((ProductionStepKind.FABRICATION, StepDoneBy.WITH_HAND_TOOLS))
        if stones:
            steps.append(
                (
                    ProductionStepKind.STONE_SETTING,
                    StepDoneBy.WITH_HAND_TOOLS if rng.random() < 0.85 else StepDoneBy.BY_PARTNER,
                )
            )
        if engraved:
            steps.append((ProductionStepKind.ENGRAVING, StepDoneBy.BY_MACHINE))
        steps.append((ProductionStepKind.FINISHING, StepDoneBy.WITH_HAND_TOOLS))
    else:
        by_partner = made_by == MadeBy.PRODUCTION_PARTNER
        outside = StepDoneBy.BY_PARTNER if by_partner else StepDoneBy.BY_MACHINE
        steps.append((ProductionStepKind.DESIGN, StepDoneBy.BY_HAND))
        steps.append((ProductionStepKind.MODEL, StepDoneBy.BY_MACHINE))
        steps.append((ProductionStepKind.CASTING if cast else ProductionStepKind.FABRICATION, outside))
        if stones:
            steps.append((ProductionStepKind.STONE_SETTING, outside))
        if engraved:
            steps.append((ProductionStepKind.ENGRAVING, StepDoneBy.BY_MACHINE))
        steps.append((ProductionStepKind.FINISHING, outside))
    return [step_row(rng, position, step, done, partner) for position, (step, done) in enumerate(steps)]


def step_row(rng, position, step, done, partner):
    if done == StepDoneBy.BY_PARTNER:
        who = partner or rng.choice(
            data.PRODUCTION_PARTNERS["setting" if step == ProductionStepKind.STONE_SETTING else "casting"]
        )
        note = f"Done by {who.split(' (')[0]}"
    else:
        who = ""
        note = rng.choice(STEP_NOTES.get((step, done), [""]))
    return {"step": step.value, "done": done.value, "partner_name": who, "note": note, "position": position}


# --- Availability, price and promises ------------------------------------------------


def edition_and_stock(rng, method, availability):
    fields = {"edition_size": None, "lead_time_days": None, "stock": 0}
    if availability == Availability.ONE_OF_A_KIND:
        fields["stock"] = 1
    elif availability == Availability.LIMITED_EDITION:
        low, high = {HANDCRAFTED: (3, 25), HAND_FINISHED: (10, 100), MASS_PRODUCED: (100, 2000)}[method]
        size = rng.randint(low, high)
        fields["edition_size"] = size if size < 100 else size // 50 * 50
        fields["stock"] = rng.randint(0, min(fields["edition_size"], 12))
    elif availability == Availability.MADE_TO_ORDER:
        low, high = {HANDCRAFTED: (14, 56), HAND_FINISHED: (7, 28), MASS_PRODUCED: (3, 14)}[method]
        fields["lead_time_days"] = rng.randint(low, high)
    else:
        high = {HANDCRAFTED: 4, HAND_FINISHED: 15, MASS_PRODUCED: 500}[method]
        fields["stock"] = rng.randint(0, high) if rng.random() < 0.85 else 0
    return fields


def materials_value(metals, stones):
    """What the materials of one piece cost the maker, in EUR."""
    total = 0.0
    for metal in metals:
        family, per_gram = METALS_BY_SLUG[metal.slug][3:5]
        if family == "gold":
            per_gram = GOLD_PRICE_BY_KARAT.get(metal.purity, per_gram)
        if metal.construction in (Construction.PLATED, Construction.VERMEIL):
            total += float(metal.microns or 0) * (1.2 if family == "gold" else 0.6)
        else:
            total += metal.grams * per_gram
    for stone in stones:
        per_carat = STONES_BY_SLUG[stone.slug][5]
        if stone.source == GemSource.LAB_GROWN and stone.slug != "cubic-zirconia":
            per_carat *= 0.25
        elif stone.treatment == StoneTreatment.TREATED:
            per_carat *= 0.6
        size = stone.carats / stone.count
        # Larger stones cost more per carat, which is what makes a solitaire expensive.
        total += per_carat * stone.carats * (1 + size)
    return total


def set_price(rng, piece, method, maker, metals, stones, hours):
    materials = materials_value(metals, stones) + (rng.uniform(2, 10) if piece.uses_bought_components else 0)
    rate = PARTNER_RATE if piece.made_by == MadeBy.PRODUCTION_PARTNER and method == MASS_PRODUCED else maker.rate
    labor = hours * rate
    low, high = MARKUP[method]
    price = retail_price((materials + labor) * rng.uniform(low, high) + rng.uniform(4, 14))
    piece.price = price
    # A share of makers show the breakdown; the shown costs never exceed the price (a DB constraint).
    share = {HANDCRAFTED: 0.65, HAND_FINISHED: 0.5, MASS_PRODUCED: 0.22}[method]
    if rng.random() < share:
        shown = rng.random()
        piece.materials_cost = Decimal(str(round(materials, 2))).quantize(CENT) if shown < 0.92 else None
        piece.labor_cost = Decimal(str(round(labor, 2))).quantize(CENT) if shown > 0.07 else None
    assert (piece.materials_cost or 0) + (piece.labor_cost or 0) <= piece.price


def retail_price(amount):
    """Round up the way shops price: 49, 145, 1,290, 12,350."""
    if amount < 100:
        whole = math.ceil(amount)
        return Decimal(whole + (9 - whole % 10))
    step = 5 if amount < 1000 else (10 if amount < 10000 else 50)
    return (Decimal(str(amount)) / step).to_integral_value(ROUND_CEILING) * step


def set_repair_policy(rng, piece, method, shape):
    sizable = shape in ("ring", "bracelet")
    if method == HANDCRAFTED:
        piece.lifetime_repairs = rng.random() < 0.72
        piece.resizing = sizable and rng.random() < 0.85
        piece.warranty_months = 0 if piece.lifetime_repairs and rng.random() < 0.6 else rng.choice([12, 24])
    elif method == HAND_FINISHED:
        piece.lifetime_repairs = rng.random() < 0.3
        piece.resizing = sizable and rng.random() < 0.6
        piece.warranty_months = rng.choice([12, 12, 24])
    else:
        piece.lifetime_repairs = rng.random() < 0.02
        piece.resizing = shape == "ring" and rng.random() < 0.12
        piece.warranty_months = rng.choice([6, 12, 12, 0])


def option_rows(rng, method, shape, stones, piece):
    if rng.random() >= {HANDCRAFTED: 0.78, HAND_FINISHED: 0.48, MASS_PRODUCED: 0.14}[method]:
        return []
    kinds = [PersonalizationKind.ENGRAVING, PersonalizationKind.METAL_CHOICE]
    if shape in ("ring", "bracelet", "pendant"):
        kinds.append(PersonalizationKind.SIZING)
    if stones:
        kinds.append(PersonalizationKind.STONE_CHOICE)
    if method == HANDCRAFTED or (method == HAND_FINISHED and rng.random() < 0.2):
        kinds.append(PersonalizationKind.CUSTOM_DESIGN)
    if method == MASS_PRODUCED:
        kinds = [k for k in kinds if k in (PersonalizationKind.ENGRAVING, PersonalizationKind.SIZING)]
    count = {HANDCRAFTED: rng.randint(1, 3), HAND_FINISHED: rng.randint(1, 2), MASS_PRODUCED: 1}[method]
    chosen = rng.sample(kinds, min(count, len(kinds)))
    return [option_row(rng, method, shape, kind, piece) for kind in sorted(chosen)]


def option_row(rng, method, shape, kind, piece):
    by_hand = method == HANDCRAFTED
    option = {"kind": kind.value}
    if kind == PersonalizationKind.ENGRAVING:
        limit = {
            "ring": (10, 20),
            "pendant": (10, 30),
            "bracelet": (20, 40),
            "cufflinks": (3, 6),
            "brooch": (8, 14),
            "earrings": (2, 4),
        }[shape]
        letters = rng.randint(*limit)
        option["max_characters"] = letters
        option["extra_price"] = Decimal(rng.choice([25, 35, 45, 60] if by_hand else [0, 10, 15, 20]))
        option["extra_lead_days"] = rng.randint(3, 10) if by_hand else rng.randint(0, 3)
        option["note"] = (
            f"Hand-engraved in script or block capitals, up to {letters} characters"
            if by_hand
            else f"Laser-engraved, up to {letters} characters"
        )
    elif kind == PersonalizationKind.SIZING:
        option["note"] = {
            "ring": "Sizes 4 to 12 (UK H to X), half sizes included",
            "bracelet": "Wrist sizes from 15 to 20 cm",
            "pendant": "Chain lengths of 40, 45 or 50 cm",
        }[shape]
        option["extra_price"] = Decimal(rng.choice([0, 0, 10, 20]))
        option["extra_lead_days"] = rng.randint(0, 7)
    elif kind == PersonalizationKind.METAL_CHOICE:
        option["note"] = rng.choice(
            [
                "Also in 14k yellow gold or 18k rose gold",
                "Also in recycled platinum",
                "Also in sterling silver or 9k gold",
            ]
        )
        option["extra_price"] = (piece.price * Decimal(str(rng.choice([0.3, 0.6, 1.2])))).quantize(Decimal("1"))
        option["extra_lead_days"] = rng.randint(7, 21)
    elif kind == PersonalizationKind.STONE_CHOICE:
        option["note"] = rng.choice(
            [
                "Choose sapphire, emerald or a lab-grown diamond",
                "Any birthstone",
                "Choose from the stones in the maker's drawer",
            ]
        )
        option["extra_price"] = Decimal(rng.choice([0, 40, 90, 150]))
        option["extra_lead_days"] = rng.randint(5, 14)
    else:
        option["note"] = "Adapt the design with the maker: sketches first, before any metal is cut"
        option["extra_price"] = Decimal(rng.choice([100, 150, 250, 400]))
        option["extra_lead_days"] = rng.randint(14, 42)
    return option


def choose_styles(rng, method, shape, variant, techniques, traditions):
    weights = {slug: 2 for slug, _ in data.STYLES}
    if method == MASS_PRODUCED:
        weights.update({"minimal": 8, "everyday": 8, "classic": 5, "contemporary": 5})
    else:
        weights.update({"organic": 5, "statement": 4, "bohemian": 3, "contemporary": 4})
    if traditions:
        weights["heritage"] = 12
    if (shape, variant) in (("ring", 1), ("ring", 3)):
        weights["bridal"] = 10
    if (shape, variant) in (("ring", 2), ("brooch", 1)):
        weights.update({"vintage-inspired": 8, "art-deco": 6})
    if "cnc-milling" in techniques:
        weights["geometric"] = 10
    count = rng.choice([1, 2, 2, 3])
    chosen = []
    while len(chosen) < count:
        slug = weighted(rng, weights)
        if slug not in chosen:
            chosen.append(slug)
    return chosen


# --- Words -------------------------------------------------------------------------


METAL_WORDS = {
    "sterling-silver": "Sterling",
    "fine-silver": "Fine Silver",
    "oxidised-silver": "Oxidised Silver",
    "platinum": "Platinum",
    "brass": "Brass",
    "bronze": "Bronze",
    "copper": "Copper",
    "stainless-steel": "Steel",
    "titanium": "Titanium",
}


# How a metal word reads after "in": "Tide Cuff in Sterling Silver", "Moon Pendant in Gold Vermeil".
METAL_NOUNS = {
    "Sterling": "Sterling Silver",
    "Steel": "Stainless Steel",
    "Vermeil": "Gold Vermeil",
    "Gold-Filled": "Gold Fill",
    "Gold-Plated": "Gold Plate",
    "Rhodium-Plated": "Rhodium Plate",
}


def metal_word(metals):
    """The metal as it reads in a title: 'Sterling', '18k Gold', 'Vermeil', 'Gold-Plated'."""
    top = metals[0]
    if top.construction == Construction.VERMEIL:
        return "Vermeil"
    if top.construction == Construction.GOLD_FILLED:
        return "Gold-Filled"
    if top.construction == Construction.PLATED:
        return "Rhodium-Plated" if top.slug == "rhodium" else "Gold-Plated"
    if top.slug.endswith("gold"):
        colour = {"yellow-gold": "", "white-gold": "White ", "rose-gold": "Rose "}[top.slug]
        return f"{top.purity} {colour}Gold" if top.purity in ("18k", "22k") else f"{colour}Gold"
    return METAL_WORDS[top.slug]


def metal_phrase(metals):
    """The metal as it reads in a sentence: 'recycled 18k yellow gold', 'gold vermeil over sterling silver'."""
    top = metals[0]
    name = METALS_BY_SLUG[top.slug][1].lower()
    if top.construction == Construction.SOLID:
        purity = f"{top.purity} " if top.slug.endswith("gold") else ""
        return f"{'recycled ' if top.recycled else ''}{purity}{name}"
    base = METALS_BY_SLUG[top.base][1].lower()
    if top.construction == Construction.VERMEIL:
        return f"{top.purity} gold vermeil ({top.microns} microns) over sterling silver"
    if top.construction == Construction.GOLD_FILLED:
        return f"{top.purity} gold-filled {base}"
    return f"{base} plated with {name} ({top.microns} microns)"


PLURALS = {
    "turquoise": "turquoise cabochons",
    "black onyx": "onyx cabochons",
    "lapis lazuli": "lapis cabochons",
    "blue topaz": "blue topazes",
    "cubic zirconia": "cubic zirconia stones",
}


def stone_name(stone, plural=False):
    name = STONES_BY_SLUG[stone.slug][1]
    # Lower-case in a sentence, except the names of places: "Tahitian pearl", "South Sea pearl".
    if not name.startswith(("Tahitian", "Akoya", "South Sea")):
        name = name.lower()
    if plural:
        name = PLURALS.get(name, name + "s")
    if stone.source == GemSource.LAB_GROWN and stone.slug != "cubic-zirconia":
        name = f"lab-grown {name}"
    return name


def stone_phrase(stones):
    """', set with a 0.45 ct sapphire and 6 lab-grown diamonds'; pearls are counted, not weighed."""
    if not stones:
        return ""
    parts = []
    for stone in stones:
        pearl = STONES_BY_SLUG[stone.slug][4] == "pearl"
        if stone.count > 1:
            parts.append(f"{stone.count} {stone_name(stone, plural=True)}")
        elif pearl:
            parts.append(with_article(stone_name(stone)))
        else:
            parts.append(f"a {stone.carats:.2f} ct {stone_name(stone)}")
    return ", set with " + " and ".join(parts)


def with_article(words):
    return f"{'an' if words[0] in 'aeiou' else 'a'} {words}"


def make_title(rng, maker, method, metals, stones, techniques, finish, noun):
    """A believable product name from one of a dozen patterns, using only what is true of the piece."""
    words = {
        "noun": noun,
        "metal": metal_word(metals),
        "finish": rng.choice(data.FINISH_WORDS[finish]),
        # Never "Moon Moon Necklace": a motif already in the noun is left out.
        "motif": rng.choice([motif for motif in data.MOTIFS if motif not in noun]),
        "name": rng.choice(data.NAMES),
        "adjective": rng.choice(data.ADJECTIVES),
        "place": rng.choice(maker.profile["places"]),
    }
    words["metal_noun"] = METAL_NOUNS.get(words["metal"], words["metal"])
    patterns = [
        "{finish} {metal} {noun}",
        "{motif} {noun}",
        "{name} {noun}",
        "The {name} {noun}",
        "{metal} {motif} {noun}",
        "{adjective} {noun}",
        "{motif} {noun} in {metal_noun}",
        "{adjective} {finish} {noun}",
        "{adjective} {metal} {noun}",
    ]
    if stones:
        stone = STONES_BY_SLUG[stones[0].slug][1].replace("Black ", "").title()
        # "Akoya Pearl Strand", not "Akoya Pearl Pearl Strand".
        words["stone"] = stone.replace(" Pearl", "") if "Pearl" in noun else stone
        patterns += [
            "{stone} {noun}",
            "{stone} and {metal} {noun}",
            "{name} {stone} {noun}",
            "{adjective} {stone} {noun}",
        ]
    crafted = [data.TECHNIQUE_WORDS[t] for t in techniques if t in data.TECHNIQUE_WORDS and t != "lost-wax-casting"]
    if crafted and method != MASS_PRODUCED:
        words["technique"] = rng.choice(crafted)
        patterns += ["{place} {technique} {noun}", "{technique} {metal} {noun}", "{technique} {motif} {noun}"] * 2
    if method != MASS_PRODUCED:
        patterns.append("{place} {noun}")
    title = rng.choice(patterns).format(**words)
    return title.replace("Gold Gold", "Gold")[:150]


def unique_piece_slug(title, taken):
    base = slugify(title)[:150] or "piece"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


def describe(rng, method, shape, variant, noun, metals, stones, finish):
    made = rng.choice(data.MADE_PHRASES[method])
    surface = {
        "hammered": "The surface keeps the marks of the hammer.",
        "brushed": "The surface is brushed to a soft satin.",
        "polished": f"{'They are' if is_pair(noun) else 'It is'} polished to a bright shine.",
    }[finish]
    details = data.VARIANT_DETAILS.get((shape, variant), []) * 2 + data.DETAILS[shape]
    if (shape, variant) == ("pendant", 4):
        details = data.VARIANT_DETAILS[(shape, variant)]
    detail = rng.choice(details).format(length=rng.choice([40, 45, 50]), wrist=rng.choice([16, 17, 18]))
    what = what_it_is(shape, variant, noun, metals, stones)
    # Not str.capitalize(): it would lower-case "South Sea" and "Akoya".
    return f"{what[0].upper()}{what[1:]}, {made}. {surface} {detail}"


def what_it_is(shape, variant, noun, metals, stones):
    """'a pair of studs in sterling silver, set with 2 garnets'; a pearl strand is pearls with a clasp."""
    if (shape, variant) == ("pendant", 4):
        pearls = stones[0]
        return f"a strand of {pearls.count} {stone_name(pearls, plural=True)} with a clasp in {metal_phrase(metals)}"
    what = f"a pair of {noun.lower()}" if is_pair(noun) else with_article(noun.lower())
    return f"{what} in {metal_phrase(metals)}{stone_phrase(stones)}"


def is_pair(noun):
    """Earrings and cufflinks come in pairs, and their nouns are plural: 'Studs', 'Round Cufflinks'."""
    return noun.endswith("s")


def design_story(rng, maker, method, noun, finish):
    if method == MASS_PRODUCED and rng.random() < 0.6:
        return ""
    inspiration = rng.choice(data.INSPIRATIONS).format(region=maker.artisan.region.split(",")[0])
    who = maker.first_name if maker.maker_type == MakerType.INDEPENDENT else "The studio"
    if maker.maker_type == MakerType.BRAND:
        who = "Our design team"
    pair = is_pair(noun)
    opening = rng.choice(data.STORY_OPENINGS).format(
        maker=who,
        noun=noun.lower(),
        inspiration=inspiration,
        this="these" if pair else "this",
        This="These" if pair else "This",
        are="are" if pair else "is",
    )
    followup = rng.choice(data.STORY_FOLLOWUPS[method])
    if finish == "hammered" and method == HANDCRAFTED and rng.random() < 0.5:
        followup = "The texture is left exactly as the hammer made it."
    return f"{opening} {followup}"


def variation_note(rng, method, stones):
    """How this piece will differ from its photo: the making for handwork, the stones when there are natural ones."""
    notes = [rng.choice(data.VARIATION_NOTES[method])]
    if any(stone.source == GemSource.NATURAL for stone in stones) and method != MASS_PRODUCED:
        notes.append(rng.choice(data.STONE_VARIATION_NOTES))
    return " ".join(note for note in notes if note)


def care_instructions(metals, stones, techniques):
    top = metals[0]
    family = METALS_BY_SLUG[top.slug][3]
    if top.construction != Construction.SOLID:
        key = top.construction
    elif top.slug == "oxidised-silver":
        key = "oxidised"
    elif top.slug in ("stainless-steel", "titanium"):
        key = "steel"
    else:
        key = {"silver": "silver", "gold": "gold", "platinum": "platinum"}.get(family, "base")
    parts = [data.CARE[key]]
    if any(STONES_BY_SLUG[s.slug][4] == "pearl" for s in stones):
        parts.append(data.CARE["pearl"])
    elif stones:
        parts.append(data.CARE["stone"])
    if "enameling" in techniques:
        parts.append(data.CARE["enamel"])
    return " ".join(parts)


# --- Photos, status and evidence -----------------------------------------------------


class DrawingPool:
    """
    Decides which drawing shows a piece. Up to `unique_up_to` pieces, every
    piece gets a drawing of its own; beyond that, drawings are shared through a
    pool of at most `size`, matched on shape, metal and stone as closely as the
    pool allows, so a large catalog costs a few hundred files, not one per piece.
    """

    def __init__(self, rng, pieces, unique_up_to=1000, size=240):
        self.rng = rng
        self.unique = pieces <= unique_up_to
        self.size = size
        self.by_key = {}
        self.fallbacks = {}

    def drawing_for(self, index, shape, variant, metals, stones, finish):
        visible = METALS_BY_SLUG[metals[0].slug][2]
        colours = tuple(STONES_BY_SLUG[stone.slug][3] for stone in stones[:3])
        cut = STONES_BY_SLUG[stones[0].slug][4] if stones else "faceted"
        backdrop = self.rng.randrange(len(BACKDROPS))
        if self.unique:
            return PieceDrawing(shape, variant, visible, colours, cut, finish, backdrop, index)
        key = (shape, variant, visible, colours[:1], cut)
        if key in self.by_key:
            return self.by_key[key]
        if len(self.by_key) < self.size:
            drawing = PieceDrawing(shape, variant, visible, colours[:1], cut, finish, backdrop, len(self.by_key))
            self.by_key[key] = drawing
            for fallback in ((shape, variant, visible), (shape, visible), (shape, variant), (shape,)):
                self.fallbacks.setdefault(fallback, []).append(drawing)
            return drawing
        for fallback in ((shape, variant, visible), (shape, visible), (shape, variant), (shape,)):
            if fallback in self.fallbacks:
                return self.rng.choice(self.fallbacks[fallback])
        return self.rng.choice(list(self.by_key.values()))


def image_rows(rng, ctx, method, title, noun, metals, stones, drawing, shape, variant):
    name = ctx.producer.submit(piece_photo_name(drawing), drawing)
    backdrop = BACKDROP_NAMES[drawing.backdrop]
    alt = f"{title}, {what_it_is(shape, variant, noun, metals, stones)}, photographed on a {backdrop} backdrop"
    rows = [photo_row(name, alt[:250], 0, is_process_photo=False)]
    if rng.random() < {HANDCRAFTED: 0.28, HAND_FINISHED: 0.1, MASS_PRODUCED: 0.02}[method]:
        kinds = ["sketch", "bench"] + (["wax"] if method != MASS_PRODUCED else []) + (["stones"] if stones else [])
        for kind in rng.sample(kinds, rng.randint(1, 2)):
            process = ProcessDrawing(
                kind,
                shape=shape if kind in ("sketch", "wax") else "ring",
                variant=0 if kind not in ("bench",) else rng.randint(0, 1),
            )
            if kind == "wax" and shape != "ring":
                process = ProcessDrawing("wax", shape="pendant")
            process_name = ctx.producer.submit(process_photo_name(process), process)
            rows.append(photo_row(process_name, process.alt_text(noun.lower()), len(rows), is_process_photo=True))
    return rows


def photo_row(name, alt_text, position, *, is_process_photo):
    # width and height are what ImageField would have read from the file; every drawing is 720x900.
    # The drawings are the demo's stock, shared by many pieces of many makers on purpose:
    # copy detection leaves them out (catalog.trust.copies).
    return {
        "is_stock": True,
        "image": name,
        "width": PHOTO_WIDTH,
        "height": PHOTO_HEIGHT,
        "alt_text": alt_text,
        "position": position,
        "is_process_photo": is_process_photo,
    }


def set_status_and_evidence(rng, ctx, plan, maker):
    piece = plan.piece
    if maker.is_pending:
        # A pending maker may draft but not publish.
        piece.status = PieceStatus.DRAFT
    else:
        piece.status = weighted(rng, STATUS_SHARES)
    if piece.status != PieceStatus.DRAFT:
        # Spread over the past year, to the minute, counted back from the reference date.
        piece.published_at = ctx.reference - datetime.timedelta(minutes=rng.randint(60, 365 * 24 * 60))
    plan.is_public = piece.status == PieceStatus.PUBLISHED and maker.artisan.status == ArtisanStatus.APPROVED

    documented = bool(plan.steps) or any(image["is_process_photo"] for image in plan.images)
    piece.evidence_level = EvidenceLevel.DOCUMENTED if documented else EvidenceLevel.SELF_DECLARED
    if documented and piece.published_at is not None:
        chance = {HANDCRAFTED: 0.3, HAND_FINISHED: 0.15, MASS_PRODUCED: 0.08}[piece.production_method]
        if rng.random() < chance:
            # Only staff raise a level above documented: the demo curator did.
            visited = piece.production_method != MASS_PRODUCED and rng.random() < 0.35
            piece.evidence_level = EvidenceLevel.STUDIO_VISITED if visited else EvidenceLevel.STAFF_VERIFIED
            piece.evidence_raised_by = ctx.curator
            raised = piece.published_at + datetime.timedelta(days=rng.randint(1, 40))
            piece.evidence_raised_at = min(raised, ctx.reference)
