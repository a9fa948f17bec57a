"""
Comparing pieces side by side across the article's dimensions.

The compare tray is a list of piece slugs kept in the session (no account
needed), changed only by POST forms: a piece put in or taken out
(`tray_toggle`, `tray_remove`), or the whole tray emptied (`tray_clear`). A
shared comparison (`?pieces=a,b,c`) is not the tray: taking a piece out of it
is a link to the same list without it (`without`). Each piece gives a `column`, its value and its side for each of
the table's `DIMENSIONS` (the same in any comparison, so cached per piece);
`comparison(columns)` turns 2 to 4 columns into rows, one per dimension, each
saying whether the pieces differ and, where the article cares about the
difference, a plain-language line such as "B is plated: the finish wears with
use; A and C are solid".

Part of the pages room: the compare view (views), the tray shown on every page (context_processors)
and the cached columns (sheets) use it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from catalog.choices import Availability, Construction, ProductionMethod
from catalog.formats import money

TRAY_SESSION_KEY = "compare"
MAX_COMPARED = 4
MIN_COMPARED = 2
LETTERS = "ABCD"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,170}")

MESSAGE_TRAY_FULL = _("You can compare up to 4 pieces; remove one from the comparison first.")
MESSAGE_TRAY_CLEARED = _("Your comparison is cleared.")


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


def tray_remove(session, slug):
    """Take the piece out of the tray; nothing happens when it is not there (a second press, an old page)."""
    slugs = tray(session)
    if slug in slugs:
        slugs.remove(slug)
        session[TRAY_SESSION_KEY] = slugs


def tray_clear(session):
    """Empty the tray."""
    session.pop(TRAY_SESSION_KEY, None)


def without(slugs, slug):
    """The `?pieces=` list of a shared comparison without one piece, as its query value."""
    return ",".join(s for s in slugs if s != slug)


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


def _certifications(piece):
    return _names(
        sorted(
            {m.certification.name for m in piece.materials.all() if m.certification and m.is_verified}
            | {c.certification.name for c in piece.artisan.verified_certifications}
        )
    )


def _is_plated(piece):
    return any(
        m.construction in (Construction.PLATED, Construction.GOLD_FILLED, Construction.VERMEIL) for m in piece.metals
    )


@dataclass(frozen=True)
class Contrast:
    """
    The plain-language line of a row whose pieces differ: the pieces for which
    `test` holds are `yes`, the others `no`. A piece for which `applies` is
    false (a piece with no metal recorded is neither plated nor solid) is on
    neither side.
    """

    test: Callable
    yes: str
    no: str
    applies: Callable | None = None

    def side(self, piece):
        """True (yes), False (no) or None (neither) for one piece."""
        if self.test(piece):
            return True
        return False if self.applies is None or self.applies(piece) else None


@dataclass(frozen=True)
class Dimension:
    """A row of the table: its label, a piece's value, and the contrast its note draws, if any."""

    label: str
    value: Callable
    contrast: Contrast | None = None


DIMENSIONS = (
    Dimension(
        _lazy("Production method"),
        lambda p: p.get_production_method_display(),
        Contrast(
            lambda p: p.production_method == ProductionMethod.MASS_PRODUCED,
            _lazy("made with molds and machines in large runs"),
            _lazy("made or finished by hand"),
        ),
    ),
    Dimension(
        _lazy("Made by"),
        lambda p: p.get_made_by_display() + (f" ({p.production_partner})" if p.production_partner else ""),
    ),
    Dimension(
        _lazy("Maker share"),
        _share,
        Contrast(
            lambda p: (p.maker_share or 0) >= 50,
            _lazy("made mostly by the maker's own hands"),
            _lazy("made mostly by machines or partners, or without steps recorded"),
        ),
    ),
    Dimension(
        _lazy("How far it is proven"),
        lambda p: p.evidence_label,
        Contrast(
            lambda p: p.is_evidence_verified,
            _lazy("checked by our staff"),
            _lazy("on the maker's word or documents only"),
        ),
    ),
    Dimension(_lazy("Techniques"), lambda p: _names([t.name for t in p.techniques.all()])),
    Dimension(_lazy("Hours of work"), lambda p: f"{p.labor_hours.normalize():f} h" if p.labor_hours else "—"),
    Dimension(
        _lazy("Metal"),
        _metals,
        Contrast(
            _is_plated, _lazy("plated: the finish wears with use"), _lazy("solid"), applies=lambda p: bool(p.metals)
        ),
    ),
    Dimension(
        _lazy("Recycled metal"),
        lambda p: _("yes") if p.uses_recycled_metal else _("no"),
        Contrast(lambda p: p.uses_recycled_metal, _lazy("made of recycled metal"), _lazy("not")),
    ),
    Dimension(_lazy("Stones"), _stones),
    Dimension(
        _lazy("How many exist"),
        lambda p: str(p.availability_badge),
        Contrast(
            lambda p: p.availability in (Availability.ONE_OF_A_KIND, Availability.LIMITED_EDITION),
            _lazy("one of a kind or a numbered edition"),
            _lazy("made in open runs"),
        ),
    ),
    Dimension(
        _lazy("Personalization"),
        lambda p: _names([o.get_kind_display() for o in p.personalization_options.all()]),
        Contrast(
            lambda p: bool(p.personalization_options.all()),
            _lazy("offered to your wishes"),
            _lazy("sold as shown"),
        ),
    ),
    Dimension(
        _lazy("Repairs"),
        _repairs,
        Contrast(lambda p: p.lifetime_repairs, _lazy("repaired by the maker for life"), _lazy("not")),
    ),
    Dimension(_lazy("Workshop"), lambda p: p.artisan.get_workshop_size_display()),
    Dimension(_lazy("Verified certifications"), _certifications),
    Dimension(_lazy("Heritage"), lambda p: _names([t.name for t in p.traditions.all()])),
    Dimension(_lazy("Maker"), lambda p: f"{p.artisan.name}, {p.artisan.country.name}"),
    Dimension(_lazy("Price"), lambda p: money(p.price)),
    Dimension(_lazy("What the price pays for"), _breakdown),
)


@dataclass(frozen=True)
class Column:
    """
    One piece's side of the table: its heading, and its value and its side of
    the contrast for each dimension. It is the same in any comparison the piece
    is in, so it is kept in the cache per piece and catalog version (catalog.pages.sheets).
    """

    slug: str
    title: str
    url: str
    cover_url: str  # "" without a photo
    cover_alt: str
    values: tuple
    sides: tuple


def column(piece):
    """The piece's column, from a piece loaded with `for_detail()`."""
    cover = piece.cover
    return Column(
        slug=piece.slug,
        title=piece.title,
        url=piece.get_absolute_url(),
        cover_url=cover.image_card.url if cover else "",
        cover_alt=cover.alt_text if cover else "",
        values=tuple(str(dimension.value(piece)) for dimension in DIMENSIONS),
        sides=tuple(dimension.contrast.side(piece) if dimension.contrast else None for dimension in DIMENSIONS),
    )


@dataclass(frozen=True)
class Row:
    label: str
    values: list
    note: str = ""

    @property
    def differs(self):
        return len(set(self.values)) > 1


def _join(letters):
    if len(letters) == 1:
        return letters[0]
    return ", ".join(letters[:-1]) + _(" and ") + letters[-1]


def _note(letters, sides, contrast):
    """'B is plated: …; A and C are solid', or '' when every piece is on the same side."""
    these = [letter for letter, side in zip(letters, sides, strict=True) if side is True]
    others = [letter for letter, side in zip(letters, sides, strict=True) if side is False]
    if not these or not others:
        return ""
    verb_these = _("is") if len(these) == 1 else _("are")
    verb_others = _("is") if len(others) == 1 else _("are")
    return f"{_join(these)} {verb_these} {contrast.yes}; {_join(others)} {verb_others} {contrast.no}."


def comparison(columns):
    """The compare table's rows for the columns of 2 to 4 pieces."""
    letters = list(LETTERS[: len(columns)])
    rows = []
    for index, dimension in enumerate(DIMENSIONS):
        sides = [column.sides[index] for column in columns]
        note = _note(letters, sides, dimension.contrast) if dimension.contrast else ""
        rows.append(Row(str(dimension.label), [column.values[index] for column in columns], note))
    return rows
