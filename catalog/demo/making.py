"""
How a demo piece is made: who made it, with which techniques, in how many hours
of labor, with which bought components, and the production steps its maker
wrote down.

The article's contrasts live here: a handcrafted piece is forged or fabricated
at the bench over many hours, a mass-produced one is cast or stamped by a named
partner in few. `pieces.plan_piece` calls these; `step_rows` gives the
ProductionStep rows as dicts.
"""

import math

from artisans.choices import MakerType, WorkshopSize
from catalog.choices import Construction, MadeBy, ProductionStepKind, StepDoneBy
from catalog.demo import data
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED, Shares, prepared, weighted

TRADITION_TECHNIQUES = {row[0]: row[4] for row in data.TRADITIONS}

# Hours of bench work for a handcrafted piece of each shape.
HANDCRAFTED_HOURS = {"ring": 4, "pendant": 4.5, "earrings": 4.5, "bracelet": 8, "brooch": 9, "cufflinks": 6}

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


def choose_made_by(rng, method, maker):
    """
    Who made it; a production partner is always named, and a maker who works alone has no studio
    team (Piece.clean's rules).
    """
    made_by = weighted(rng, MADE_BY_SHARES[method][maker.maker_type])
    if made_by == MadeBy.STUDIO_TEAM and maker.artisan.workshop_size == WorkshopSize.SOLO:
        made_by = MadeBy.ARTISAN
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
