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

The planner is split by what it decides; each module imports only those
listed below it:

    pieces      the plan: PiecePlan, Context, plan_piece, styles, status and evidence
    photos      which drawing shows the piece, and its photo rows
    words       title, slug, description, story, variation note and care
    offer       availability, edition and stock, repairs, personalization options
    prices      materials plus labor, times a markup, rounded as shops do
    making      who made it, techniques, labor hours, production steps
    materials   metals and stones, and their material rows
    shares      weighted picks, and the shorthand for the production methods
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from artisans.choices import ArtisanStatus, MakerType
from catalog.choices import EvidenceLevel, PieceStatus
from catalog.demo import data
from catalog.demo.drawing import FINISHES
from catalog.demo.making import (
    TRADITION_TECHNIQUES,
    bought_components,
    choose_made_by,
    choose_techniques,
    labor_hours,
    step_rows,
)
from catalog.demo.materials import choose_metals, choose_stones, choose_variant, fit_stones_to_design, material_rows
from catalog.demo.offer import AVAILABILITY_SHARES, edition_and_stock, option_rows, set_repair_policy
from catalog.demo.photos import DrawingPool, image_rows
from catalog.demo.prices import set_price
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED, Shares, prepared, weighted
from catalog.demo.words import care_instructions, describe, design_story, make_title, unique_piece_slug, variation_note
from catalog.models import Piece

CATEGORY_SHARES = Shares({row: row[3] for row in data.CATEGORIES})
METHOD_SHARES = prepared(
    {
        MakerType.INDEPENDENT: {HANDCRAFTED: 74, HAND_FINISHED: 26, MASS_PRODUCED: 0},
        MakerType.STUDIO: {HANDCRAFTED: 42, HAND_FINISHED: 43, MASS_PRODUCED: 15},
        MakerType.BRAND: {HANDCRAFTED: 5, HAND_FINISHED: 30, MASS_PRODUCED: 65},
    }
)

STATUS_SHARES = Shares(
    {PieceStatus.PUBLISHED: 90, PieceStatus.DRAFT: 4, PieceStatus.ARCHIVED: 3.5, PieceStatus.HIDDEN: 2.5}
)


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
    piece.variation_note = variation_note(rng, method, availability, stones)
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
