"""
Comparing pieces side by side across the article's dimensions.

The compare tray is a list of piece slugs kept in the session (no account
needed). `comparison(pieces)` turns 2 to 4 pieces into rows, one per
dimension, each saying whether the pieces differ and, where the article cares
about the difference, a plain-language line such as "B is plated: the finish
wears with use; A and C are solid".
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Availability, Construction, ProductionMethod
from .templatetags.catalog import money

TRAY_SESSION_KEY = "compare"
MAX_COMPARED = 4
MIN_COMPARED = 2
LETTERS = "ABCD"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,170}")

MESSAGE_TRAY_FULL = _("You can compare up to 4 pieces; remove one from the comparison first.")


# --- The tray -------------------------------------------------------------------------------


def tray(session):
    """The slugs in the visitor's compare tray, oldest first."""
    slugs = session.get(TRAY_SESSION_KEY, [])
    return [slug for slug in slugs if isinstance(slug, str)][:MAX_COMPARED]


def tray_toggle(session, slug):
    """Add the piece to the tray, or take it out if it is there. Returns False when the tray is full."""
    slugs = tray(session)
    if slug in slugs:
        slugs.remove(slug)
    elif len(slugs) >= MAX_COMPARED:
        return False
    else:
        slugs.append(slug)
    session[TRAY_SESSION_KEY] = slugs
    return True


def is_slug(text):
    """Whether text can be a piece's slug at all (so that no odd byte reaches the database)."""
    return bool(SLUG.fullmatch(text))


def requested_slugs(raw):
    """The slugs of `?pieces=a,b,c`, without blanks or repeats, in order."""
    seen = []
    for slug in (part.strip() for part in raw.split(",")):
        if slug and slug not in seen:
            seen.append(slug)
    return seen


# --- The table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    values: list
    note: str = ""

    @property
    def differs(self):
        return len(set(self.values)) > 1


def _names(items):
    return ", ".join(items) if items else "—"


def _metals(piece):
    return _names(
        [
            " ".join(part for part in (m.purity, m.get_construction_display().lower(), m.material.name) if part)
            for m in piece.metals
        ]
    )


def _stones(piece):
    return _names(
        [f"{m.material.name} ({m.get_gem_source_display().lower() or _('source not given')})" for m in piece.stones]
    )


def _repairs(piece):
    parts = []
    if piece.lifetime_repairs:
        parts.append(_("lifetime repairs"))
    if piece.resizing:
        parts.append(_("resizing"))
    if piece.warranty_months:
        parts.append(_("%(months)s-month warranty") % {"months": piece.warranty_months})
    return _names(parts)


def _share(piece):
    share = piece.maker_share
    return _("%(share)s%% of steps") % {"share": share} if share is not None else _("no steps recorded")


def _breakdown(piece):
    if not piece.has_price_breakdown:
        return _("not given")
    parts = []
    if piece.materials_cost is not None:
        parts.append(_("materials %(cost)s") % {"cost": money(piece.materials_cost)})
    if piece.labor_cost is not None:
        parts.append(_("labor %(cost)s") % {"cost": money(piece.labor_cost)})
    return ", ".join(parts)


def _who(letters, pieces, test):
    return [letter for letter, piece in zip(letters, pieces, strict=True) if test(piece)]


def _join(letters):
    if len(letters) == 1:
        return letters[0]
    return ", ".join(letters[:-1]) + _(" and ") + letters[-1]


def _contrast(letters, pieces, test, *, yes, no, applies=None):
    """
    'B is plated: …; A and C are solid', or '' when every piece is on the same
    side. Pieces for which `applies` is false (a piece with no metal recorded
    is neither plated nor solid) are on neither side.
    """
    these = _who(letters, pieces, test)
    relevant = _who(letters, pieces, applies) if applies else letters
    others = [letter for letter in relevant if letter not in these]
    if not these or not others:
        return ""
    verb_these = _("is") if len(these) == 1 else _("are")
    verb_others = _("is") if len(others) == 1 else _("are")
    return f"{_join(these)} {verb_these} {yes}; {_join(others)} {verb_others} {no}."


def _is_plated(piece):
    return any(
        m.construction in (Construction.PLATED, Construction.GOLD_FILLED, Construction.VERMEIL) for m in piece.metals
    )


def comparison(pieces):
    """The compare table's rows for 2 to 4 pieces loaded with `for_detail()`."""
    letters = list(LETTERS[: len(pieces)])

    def row(label, value, note=""):
        return Row(label, [value(piece) for piece in pieces], note)

    def contrast(test, yes, no, applies=None):
        return _contrast(letters, pieces, test, yes=yes, no=no, applies=applies)

    return [
        row(
            _("Production method"),
            lambda p: p.get_production_method_display(),
            contrast(
                lambda p: p.production_method == ProductionMethod.MASS_PRODUCED,
                _("made with molds and machines in large runs"),
                _("made or finished by hand"),
            ),
        ),
        row(
            _("Made by"),
            lambda p: p.get_made_by_display() + (f" ({p.production_partner})" if p.production_partner else ""),
        ),
        row(
            _("Maker share"),
            _share,
            contrast(
                lambda p: (p.maker_share or 0) >= 50,
                _("made mostly by the maker's own hands"),
                _("made mostly by machines or partners, or has no steps recorded"),
            ),
        ),
        row(
            _("How far it is proven"),
            lambda p: p.get_evidence_level_display(),
            contrast(
                lambda p: p.is_evidence_verified,
                _("checked by our staff"),
                _("on the maker's word or documents only"),
            ),
        ),
        row(_("Techniques"), lambda p: _names([t.name for t in p.techniques.all()])),
        row(_("Hours of work"), lambda p: f"{p.labor_hours.normalize():f} h" if p.labor_hours else "—"),
        row(
            _("Metal"),
            _metals,
            contrast(_is_plated, _("plated: the finish wears with use"), _("solid"), applies=lambda p: bool(p.metals)),
        ),
        row(
            _("Recycled metal"),
            lambda p: _("yes") if p.uses_recycled_metal else _("no"),
            contrast(lambda p: p.uses_recycled_metal, _("made of recycled metal"), _("not")),
        ),
        row(_("Stones"), _stones),
        row(
            _("How many exist"),
            lambda p: str(p.availability_badge),
            contrast(
                lambda p: p.availability in (Availability.ONE_OF_A_KIND, Availability.LIMITED_EDITION),
                _("one of a kind or a numbered edition"),
                _("made in open runs"),
            ),
        ),
        row(
            _("Personalization"),
            lambda p: _names([o.get_kind_display() for o in p.personalization_options.all()]),
            contrast(
                lambda p: bool(p.personalization_options.all()),
                _("offered to your wishes"),
                _("sold as shown"),
            ),
        ),
        row(
            _("Repairs"),
            _repairs,
            contrast(lambda p: p.lifetime_repairs, _("repaired by the maker for life"), _("not")),
        ),
        row(_("Workshop"), lambda p: p.artisan.get_workshop_size_display()),
        row(
            _("Verified certifications"),
            lambda p: _names(
                sorted(
                    {m.certification.name for m in p.materials.all() if m.certification and m.is_verified}
                    | {c.certification.name for c in p.artisan.verified_certifications}
                )
            ),
        ),
        row(_("Heritage"), lambda p: _names([t.name for t in p.traditions.all()])),
        row(_("Maker"), lambda p: f"{p.artisan.name}, {p.artisan.country.name}"),
        row(_("Price"), lambda p: money(p.price)),
        row(_("What the price pays for"), _breakdown),
    ]
