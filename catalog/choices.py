"""
The article's distinctions as choices, each with a label and a one-sentence
explanation written for shoppers.

Defined once here and reused by models, forms, filters, the admin and pages.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from artisans.choices import explained


@explained(
    HANDCRAFTED=_("Made by hand, one at a time, by the maker or their team."),
    HAND_FINISHED=_("Cast or stamped in small batches, then finished, set and polished by hand."),
    MASS_PRODUCED=_("Made with molds and machines in large runs; few hands touch each piece."),
)
class ProductionMethod(models.TextChoices):
    HANDCRAFTED = "handcrafted", _("Handcrafted")
    HAND_FINISHED = "hand_finished", _("Hand-finished in small batches")
    MASS_PRODUCED = "mass_produced", _("Mass-produced")

    @classmethod
    def the_other_way(cls, method):
        """What a piece made by `method` is set against ("the other way to own it"): hand against machine."""
        return cls.MASS_PRODUCED if method == cls.HANDCRAFTED else cls.HANDCRAFTED


@explained(
    ARTISAN=_("The maker named on the piece made it themselves."),
    STUDIO_TEAM=_("Made by the team in the maker's own workshop."),
    PRODUCTION_PARTNER=_("Made by an outside workshop or factory, named on the piece."),
)
class MadeBy(models.TextChoices):
    ARTISAN = "artisan", _("The artisan")
    STUDIO_TEAM = "studio_team", _("The studio team")
    PRODUCTION_PARTNER = "production_partner", _("A production partner")


@explained(
    DESIGN=_("Drawing or modelling the piece."),
    MODEL=_("Carving the wax or building the model that a cast is taken from."),
    CASTING=_("Pouring molten metal into a mold."),
    FABRICATION=_("Sawing, forging, bending and soldering metal into shape."),
    STONE_SETTING=_("Fixing the stones into their settings."),
    ENGRAVING=_("Cutting letters or patterns into the metal."),
    FINISHING=_("Filing, sanding and polishing to the final surface."),
)
class ProductionStepKind(models.TextChoices):
    DESIGN = "design", _("Design")
    MODEL = "model", _("Model or wax")
    CASTING = "casting", _("Casting")
    FABRICATION = "fabrication", _("Fabrication and soldering")
    STONE_SETTING = "stone_setting", _("Stone setting")
    ENGRAVING = "engraving", _("Engraving")
    FINISHING = "finishing", _("Finishing and polishing")


@explained(
    BY_HAND=_("Done by the maker's own hands."),
    WITH_HAND_TOOLS=_("Done by the maker with hand-held tools such as a saw, file or flex-shaft."),
    BY_PARTNER=_("Done by an outside workshop, named here."),
    BY_MACHINE=_("Done by a machine: casting lines, CNC, stamping or plating baths."),
)
class StepDoneBy(models.TextChoices):
    BY_HAND = "by_hand", _("By hand")
    WITH_HAND_TOOLS = "with_hand_tools", _("With hand tools")
    BY_PARTNER = "by_partner", _("By a partner")
    BY_MACHINE = "by_machine", _("By machine")

    @property
    def is_makers_hand(self):
        """Whether the step counts towards the maker share."""
        return self in (StepDoneBy.BY_HAND, StepDoneBy.WITH_HAND_TOOLS)


@explained(
    ONE_OF_A_KIND=_("There is only this one; once sold, it is gone."),
    LIMITED_EDITION=_("A numbered run that will not be repeated."),
    MADE_TO_ORDER=_("Made for you after you order, in the lead time shown."),
    OPEN_STOCK=_("Made continuously and kept in stock."),
)
class Availability(models.TextChoices):
    ONE_OF_A_KIND = "one_of_a_kind", _("One of a kind")
    LIMITED_EDITION = "limited_edition", _("Limited edition")
    MADE_TO_ORDER = "made_to_order", _("Made to order")
    OPEN_STOCK = "open_stock", _("Open stock")


@explained(
    DRAFT=_("Being prepared by the maker; not public."),
    PUBLISHED=_("Public, when its maker is approved."),
    ARCHIVED=_("Withdrawn by the maker; kept for the record."),
    HIDDEN=_("Taken down by staff."),
)
class PieceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")
    HIDDEN = "hidden", _("Hidden by staff")


@explained(
    SELF_DECLARED=_("The maker's word; nobody has checked it yet."),
    DOCUMENTED=_("The maker shows process photos or the production steps of this piece."),
    STAFF_VERIFIED=_("Our staff reviewed the maker's evidence for this piece."),
    STUDIO_VISITED=_("Our staff or a partner saw the workshop where it is made."),
)
class EvidenceLevel(models.TextChoices):
    SELF_DECLARED = "self_declared", _("Maker's statement")
    DOCUMENTED = "documented", _("Documented by the maker")
    STAFF_VERIFIED = "staff_verified", _("Verified by staff")
    STUDIO_VISITED = "studio_visited", _("Studio visited")


# The public words for a piece's evidence level: (the piece page's, a card's). A level staff raised
# names the claim it checked, in the piece's own method's words: a mass-produced piece can be
# verified as made as described, never as handcrafted (domain.md, "Maker terms"). The two lower
# levels check nothing yet, so their words are the same whatever the method. Staff screens keep
# EvidenceLevel's own labels.
EVIDENCE_LABELS = {
    EvidenceLevel.SELF_DECLARED: (_("Maker's statement"), _("Maker's word")),
    EvidenceLevel.DOCUMENTED: (_("Documented by the maker"), _("Making documented")),
    (EvidenceLevel.STAFF_VERIFIED, ProductionMethod.HANDCRAFTED): (
        _("Verified: handcrafted"),
        _("Verified: handcrafted"),
    ),
    (EvidenceLevel.STAFF_VERIFIED, ProductionMethod.HAND_FINISHED): (
        _("Verified: hand-finished in small batches"),
        _("Verified: hand-finished"),
    ),
    (EvidenceLevel.STAFF_VERIFIED, ProductionMethod.MASS_PRODUCED): (
        _("Verified: made as described"),
        _("Verified: made as described"),
    ),
    (EvidenceLevel.STUDIO_VISITED, ProductionMethod.HANDCRAFTED): (
        _("Workshop visited: handcrafted"),
        _("Workshop visited: handcrafted"),
    ),
    (EvidenceLevel.STUDIO_VISITED, ProductionMethod.HAND_FINISHED): (
        _("Workshop visited: hand-finished in small batches"),
        _("Workshop visited: hand-finished"),
    ),
    (EvidenceLevel.STUDIO_VISITED, ProductionMethod.MASS_PRODUCED): (
        _("Workshop visited: made as described"),
        _("Workshop visited: made as described"),
    ),
}


def evidence_label(level, method, *, short=False):
    """
    The evidence level as shoppers read it for a piece made by `method`: the
    piece page's words, or with `short` a card's. The only place these words
    are chosen; every public page asks here (through `Piece.evidence_label`).
    """
    labels = EVIDENCE_LABELS.get(level) or EVIDENCE_LABELS[(EvidenceLevel(level), ProductionMethod(method))]
    return labels[1] if short else labels[0]


@explained(
    METAL=_("Gold, silver, platinum and the other metals a piece is made of."),
    GEMSTONE=_("Precious and semi-precious stones, natural or lab-grown."),
    PEARL=_("Pearls, cultured or natural."),
    OTHER=_("Enamel, wood, resin, leather and everything else."),
)
class MaterialKind(models.TextChoices):
    METAL = "metal", _("Metal")
    GEMSTONE = "gemstone", _("Gemstone")
    PEARL = "pearl", _("Pearl")
    OTHER = "other", _("Other material")


@explained(
    SOLID=_("The same metal all the way through; there is no surface layer to wear away."),
    PLATED=_("A thin layer of precious metal over a base metal; the layer wears with use."),
    GOLD_FILLED=_("A thick layer of gold bonded to a base metal; lasts years, not a lifetime."),
    VERMEIL=_("Gold plated over sterling silver, at least 2.5 microns thick."),
)
class Construction(models.TextChoices):
    SOLID = "solid", _("Solid")
    PLATED = "plated", _("Plated")
    GOLD_FILLED = "gold_filled", _("Gold-filled")
    VERMEIL = "vermeil", _("Vermeil")


@explained(
    NATURAL=_("Formed in the earth and mined."),
    LAB_GROWN=_("Grown in a laboratory; the same material as the natural stone."),
)
class GemSource(models.TextChoices):
    NATURAL = "natural", _("Natural")
    LAB_GROWN = "lab_grown", _("Lab-grown")


@explained(
    UNTREATED=_("Nothing done to the stone but cutting and polishing."),
    TREATED=_("Heated, filled or irradiated to improve its colour or clarity."),
    LAB_CREATED=_("Created in a laboratory."),
    SIMULANT=_("A different material made to look like the stone named."),
)
class StoneTreatment(models.TextChoices):
    UNTREATED = "untreated", _("Untreated")
    TREATED = "treated", _("Treated")
    LAB_CREATED = "lab_created", _("Lab-created")
    SIMULANT = "simulant", _("Simulant")


@explained(
    GRAMS=_("Grams, for metal."),
    CARATS=_("Carats, for stones."),
)
class WeightUnit(models.TextChoices):
    GRAMS = "g", _("grams")
    CARATS = "ct", _("carats")


@explained(
    ENGRAVING=_("Letters, a date or a symbol engraved by hand or machine."),
    SIZING=_("Made or adjusted to your ring size, wrist or chain length."),
    METAL_CHOICE=_("Made in another metal of your choice."),
    STONE_CHOICE=_("Set with another stone of your choice."),
    CUSTOM_DESIGN=_("The maker adapts the design with you."),
)
class PersonalizationKind(models.TextChoices):
    ENGRAVING = "engraving", _("Engraving")
    SIZING = "sizing", _("Sizing")
    METAL_CHOICE = "metal_choice", _("Choice of metal")
    STONE_CHOICE = "stone_choice", _("Choice of stone")
    CUSTOM_DESIGN = "custom_design", _("Custom design")


@explained(
    RECYCLED_CONTENT=_("The metal is certified to come from recycled sources."),
    RESPONSIBLE_MINING=_("The metal comes from certified artisanal or small-scale mines."),
    RESPONSIBLE_PRACTICES=_("The business is audited for human rights, labor, environment and ethics."),
    FAIR_TRADE=_("Miners or makers are paid a fair-trade minimum and premium."),
    LIVING_WAGE=_("Everyone in the workshop is paid a certified living wage."),
    CHAIN_OF_CUSTODY=_("The material is traced from the mine or refiner to the maker."),
    GEM_ORIGIN=_("A laboratory report identifies the stone and its origin."),
    CONFLICT_FREE=_("The diamonds were traded under the Kimberley Process."),
)
class CertificationScope(models.TextChoices):
    RECYCLED_CONTENT = "recycled_content", _("Recycled content")
    RESPONSIBLE_MINING = "responsible_mining", _("Responsible mining")
    RESPONSIBLE_PRACTICES = "responsible_practices", _("Responsible business practices")
    FAIR_TRADE = "fair_trade", _("Fair trade")
    LIVING_WAGE = "living_wage", _("Living wage")
    CHAIN_OF_CUSTODY = "chain_of_custody", _("Chain of custody")
    GEM_ORIGIN = "gem_origin", _("Gem identification and origin")
    CONFLICT_FREE = "conflict_free", _("Conflict-free")

    @property
    def is_fair_labor(self):
        return self in (CertificationScope.FAIR_TRADE, CertificationScope.LIVING_WAGE)


# --- Trust: the review queue, copy detection and shoppers' reports ---------------------


@explained(
    CLAIM=_("The maker documented the piece; staff check the evidence before it counts as verified."),
    CERTIFICATION=_("A certification claim with a certificate number or an evidence file, waiting for a check."),
    COPY=_("A photo or description matches another maker's piece."),
    REPORT=_("Shoppers reported the listing."),
    APPEAL=_("The maker answered a rejection with new evidence."),
)
class ReviewReason(models.TextChoices):
    CLAIM = "claim", _("Handcrafted claim")
    CERTIFICATION = "certification", _("Certification claim")
    COPY = "copy", _("Possible copy")
    REPORT = "report", _("Shoppers' reports")
    APPEAL = "appeal", _("Appeal")


@explained(
    WAITING=_("In the queue, waiting for staff."),
    APPROVED=_("Staff found the evidence convincing."),
    REJECTED=_("Staff did not find the evidence convincing; the maker may appeal once."),
)
class ReviewState(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


@explained(
    OPENED=_("The item entered the review queue."),
    APPROVED=_("Staff approved the claim."),
    REJECTED=_("Staff rejected the claim."),
    APPEALED=_("The maker appealed a rejection."),
    EVIDENCE_RAISED=_("Staff set the evidence level."),
    EVIDENCE_DROPPED=_("How the piece is made changed, so its level went back to documented."),
    FLAGGED=_("Copy detection matched the piece with another maker's piece."),
    FLAGS_CLEARED=_("Staff cleared the copy flags."),
    REPORTED=_("A shopper reported the listing."),
    WITHDRAWN=_("The maker withdrew a certification claim before staff decided."),
    IMPORTED=_("Staff imported pieces from a spreadsheet for the maker (onboarding help)."),
)
class TrustAction(models.TextChoices):
    OPENED = "opened", _("Queued for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPEALED = "appealed", _("Appealed")
    EVIDENCE_RAISED = "evidence_raised", _("Evidence level set")
    EVIDENCE_DROPPED = "evidence_dropped", _("Evidence level dropped")
    FLAGGED = "flagged", _("Flagged as a possible copy")
    FLAGS_CLEARED = "flags_cleared", _("Copy flags cleared")
    REPORTED = "reported", _("Reported by a shopper")
    WITHDRAWN = "withdrawn", _("Withdrawn by the maker")
    IMPORTED = "imported", _("Pieces imported by staff")


@explained(
    PHOTO=_("A photo is within a small perceptual distance of the other piece's photo."),
    TEXT=_("The description is near-identical to the other piece's."),
)
class CopyKind(models.TextChoices):
    PHOTO = "photo", _("Same photo")
    TEXT = "text", _("Same description")


@explained(
    NOT_HANDMADE=_("The piece looks factory-made although it is sold as made by hand."),
    MATERIALS=_("The metals, stones or their provenance are not what the listing says."),
    COPIED_PHOTOS=_("The photos appear in other shops or listings."),
)
class ReportReason(models.TextChoices):
    NOT_HANDMADE = "not_handmade", _("Not handmade as described")
    MATERIALS = "materials", _("Materials misstated")
    COPIED_PHOTOS = "copied_photos", _("Copied photos")
