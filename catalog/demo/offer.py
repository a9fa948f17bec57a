"""
What comes with a demo piece besides its price: how it is available (one of a
kind, an edition, made to order or open stock, with its stock and lead time),
its repair and warranty terms, and the personalization it offers.

Handcrafted pieces are more often one of a kind, repaired for life and
personalizable; `pieces.plan_piece` calls these, and `option_rows` gives the
PersonalizationOption rows as dicts.
"""

from decimal import Decimal

from catalog.choices import Availability, PersonalizationKind
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED, prepared

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
