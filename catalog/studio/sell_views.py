"""
/sell/: what selling on Atelier asks of a maker and how staff review it, for everyone.

The page is public (no sign-in wall): a visitor reads what is asked before
making an account. What it offers next depends on who reads it: a visitor is
asked to create an account (or sign in) and comes back to the application form,
/sell/apply/ (`views.ApplyView`); a signed-in user without a maker profile is
sent to the form; an applicant reads where their application stands; an
approved or suspended maker is pointed to their studio.

Part of the studio room.
"""

from django.urls import reverse
from django.views.generic import TemplateView

from artisans.choices import MakerType
from catalog.choices import EvidenceLevel, MadeBy, ProductionMethod, ProductionStepKind, StepDoneBy
from catalog.studio.views import signed_in_maker

# What a maker does, or what staff do, to reach each evidence level, in a maker's words. The
# shoppers' one-sentence explanation sits beside it (EvidenceLevel's own), so both sides read
# the same ladder. Checked by a test: a new level cannot be added without saying how it is reached.
EVIDENCE_STEPS = {
    EvidenceLevel.SELF_DECLARED: "Where every piece starts: you say how it is made, and shoppers read it as your word.",
    EvidenceLevel.DOCUMENTED: (
        "Reached as soon as you record the production steps or add process photos of the piece; "
        "the piece then goes into our staff's queue."
    ),
    EvidenceLevel.STAFF_VERIFIED: (
        "Set by staff only, after they have checked your evidence. Shoppers see it worded for the piece's "
        "own method: a mass-produced piece is verified as made as described, never as handcrafted."
    ),
    EvidenceLevel.STUDIO_VISITED: "Set by staff only, when our staff or a partner have seen the workshop.",
}


class SellView(TemplateView):
    """Selling on Atelier explained, with the next step for this visitor; two queries at most when signed in."""

    template_name = "studio/sell.html"

    def get_context_data(self, **kwargs):
        artisan = signed_in_maker(self.request)
        apply_url = reverse("studio:apply")
        return super().get_context_data(
            artisan=artisan,
            apply_url=apply_url,
            evidence_levels=[(level, EVIDENCE_STEPS[level]) for level in EvidenceLevel],
            documented=EvidenceLevel.DOCUMENTED,
            staff_verified=EvidenceLevel.STAFF_VERIFIED,
            methods=list(ProductionMethod),
            made_by=list(MadeBy),
            step_kinds=list(ProductionStepKind),
            done_by=list(StepDoneBy),
            maker_types=list(MakerType),
            **kwargs,
        )
