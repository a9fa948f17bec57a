"""
What a demo piece costs, built the way a maker builds a price: what its
materials cost, plus its hours of labor at the maker's rate (or a factory's),
times a markup, rounded up as shops round.

`pieces.plan_piece` calls `set_price` once the metals, stones and hours are
chosen; a share of makers also show the materials and labor costs.
"""

import math
from decimal import ROUND_CEILING, Decimal

from catalog.choices import Construction, GemSource, MadeBy, StoneTreatment
from catalog.demo.materials import CENT, METALS_BY_SLUG, STONES_BY_SLUG
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED

GOLD_PRICE_BY_KARAT = {"24k": 80, "22k": 73, "18k": 60, "14k": 47, "12k": 40, "10k": 33, "9k": 30}

MARKUP = {HANDCRAFTED: (1.9, 2.6), HAND_FINISHED: (2.1, 2.8), MASS_PRODUCED: (2.4, 3.6)}
PARTNER_RATE = 8  # EUR an hour in the factories that make mass-produced pieces


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
