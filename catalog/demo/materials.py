"""
What a demo piece is made of: its metals and stones, and their material rows.

`choose_metals` and `choose_stones` draw a piece's materials from the share
tables here (a mass-produced piece is more often plated, and only cheap pieces
get cubic zirconia); `choose_variant` and `fit_stones_to_design` match the
design to its stones; `material_rows` turns the choice into PieceMaterial rows
as dicts, with origins and certifications. `pieces.plan_piece` calls them; the
words, prices and photos of a piece read the metal and stone tables
(`METALS_BY_SLUG`, `STONES_BY_SLUG`) from here.
"""

from dataclasses import dataclass
from decimal import Decimal

from catalog.choices import Construction, GemSource, StoneTreatment, WeightUnit
from catalog.demo import data
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED, Shares, prepared, weighted

CENT = Decimal("0.01")

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


METAL_PURITY = {
    "sterling-silver": "925",
    "oxidised-silver": "925",
    "fine-silver": "999",
    "platinum": "950",
    "stainless-steel": "316L",
    "titanium": "Grade 2",
}

# Grams of metal in a piece of each shape.
METAL_GRAMS = {
    "ring": (2.5, 9),
    "pendant": (3, 12),
    "earrings": (2, 8),
    "bracelet": (8, 40),
    "brooch": (5, 18),
    "cufflinks": (8, 18),
}
STONE_CHANCE = {"ring": 0.55, "pendant": 0.55, "earrings": 0.55, "bracelet": 0.35, "brooch": 0.6, "cufflinks": 0.35}


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
