"""
What the listing page shows around its cards: the facet column with counts,
the active filters as removable chips, and the canonical URL and title of the
current state.

The URL holds the whole state in one canonical order (facets in the order of
the column, then q, prices, delivery and sort; values sorted), so that two
shoppers who chose the same filters share one address.

Part of the listing room: an entry point beside catalog.listing.result, which the pages' views
build; it reads the filters, the facets and catalog.formats.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from catalog.formats import money
from catalog.listing.facets import FACETS, FACETS_BY_NAME, FLAG_KEY, GROUPS, PRICE, facet_counts, facet_options
from catalog.listing.filters import SHIPS_WITHIN_CHOICES, Sort
from catalog.listing.words import words

# The listing's parameters after its facets, in the order of the canonical URL.
EXTRA_PARAMETERS = ["q", "words", "price_min", "price_max", "ships_within", "sort"]


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    checked: bool
    explanation: str = ""


# A facet with a long list of options shows its first ones and folds the rest ("12 more"),
# unless the fold would hide no more than a couple.
SHOWN_OPTIONS = 6
FOLD_AT_LEAST = 3


@dataclass(frozen=True)
class FacetBlock:
    """One facet in the column; `shown` and `folded` split a long list of its options."""

    name: str
    label: str
    is_flag: bool
    options: list

    @property
    def shown(self):
        """The block with the options shown at once: all of them, or the first few of a long list."""
        return self if not self.folded else replace(self, options=self.options[:SHOWN_OPTIONS])

    @cached_property
    def folded(self):
        """The block with the options folded under "N more", or None when the list is short."""
        if len(self.options) < SHOWN_OPTIONS + FOLD_AT_LEAST:
            return None
        return replace(self, options=self.options[SHOWN_OPTIONS:])

    @property
    def folded_checked(self):
        """Whether a chosen option is among the folded ones: the fold is then drawn open, never hiding it."""
        return bool(self.folded) and any(option.checked for option in self.folded.options)


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


@dataclass(frozen=True)
class ReadChip:
    """A filter read from the shopper's words: its label, the words, and the listing with those words as text."""

    label: str
    typed: str
    search_as_text_url: str


@dataclass(frozen=True)
class SearchLine:
    """What the page says about the shopper's words (catalog.listing.result.SearchNote), with its links."""

    typed: str
    read: list
    corrected: str
    exact_url: str
    left_out: list
    near: list
    not_read: list
    nothing_to_search: bool
    none_found: bool


def _either(labels):
    """'A', 'A or B', 'A, B or C'."""
    return (
        labels[0]
        if len(labels) == 1
        else _("%(some)s or %(last)s") % {"some": ", ".join(labels[:-1]), "last": labels[-1]}
    )


def _text(value):
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def querystring(selections, facets=FACETS):
    """'?method=handcrafted&metal=gold&metal=silver' in canonical order, or '' for no selection."""
    pairs = []
    for name in [facet.name for facet in facets] + EXTRA_PARAMETERS:
        value = selections.get(name)
        if value in (None, "", []):
            continue
        if name == "sort" and value == Sort.NEWEST:
            continue
        values = sorted(set(value)) if isinstance(value, list) else [value]
        pairs.extend((name, _text(v)) for v in values)
    return f"?{urlencode(pairs)}" if pairs else ""


class ListingState:
    """The listing's facets, chips, canonical URL and title for one request."""

    def __init__(self, filterset, *, path, facets=FACETS, groups=GROUPS, counts=None):
        """`counts` when they are already known (the piece listing's index); counted in SQL otherwise."""
        self.path = path
        self.facets = facets
        self.groups = groups
        self.selections = filterset.selections
        self.options = facet_options()
        self.counts = facet_counts(filterset.queryset_without, facets) if counts is None else counts

    @cached_property
    def facet_groups(self):
        """[(group label, [FacetBlock, ...], open), ...] in the column's order (facets.GROUPS: price first).

        The first two groups are open, and so is any group with a chosen option;
        the others are folded (a <details> element, so without JavaScript too).
        """
        groups = {group: [] for group in self.groups}
        for facet in self.facets:
            chosen = set(self.selections.get(facet.name, []))
            counts = self.counts.get(facet.name, {})
            if facet.is_flag:
                options = [FacetOption(FLAG_KEY, str(facet.label), counts.get(FLAG_KEY, 0), FLAG_KEY in chosen)]
            else:
                options = [
                    FacetOption(o.value, o.label, counts.get(o.value, 0), o.value in chosen, o.explanation)
                    for o in self.options[facet.name]
                ]
            groups[facet.group].append(FacetBlock(facet.name, str(facet.label), facet.is_flag, options))
        shown = [(str(group), blocks) for group, blocks in groups.items() if blocks]
        delivery_chosen = any(name in self.selections for name in ("price_min", "price_max", "ships_within"))
        return [
            (
                group,
                blocks,
                index < 2
                or any(option.checked for block in blocks for option in block.options)
                or (group == self.price_group and delivery_chosen),
            )
            for index, (group, blocks) in enumerate(shown)
        ]

    @property
    def price_group(self):
        """The group whose block also holds the price range and delivery time."""
        return str(PRICE)

    def _url_without(self, name, value=None):
        selections = dict(self.selections)
        if value is not None and isinstance(selections.get(name), list):
            selections[name] = [v for v in selections[name] if v != value]
        else:
            selections.pop(name, None)
        return self.path + querystring(selections, self.facets)

    @cached_property
    def chips(self):
        """The active filters, each with the URL of the listing without it (and back on page 1)."""
        chips = []
        for facet in self.facets:
            values = self.selections.get(facet.name, [])
            if facet.is_flag and values:
                chips.append(Chip(str(facet.label), self._url_without(facet.name)))
                continue
            labels = {o.value: o.label for o in self.options[facet.name]}
            for value in sorted(set(values)):
                chips.append(Chip(labels.get(value, value), self._url_without(facet.name, value)))
        if q := self.selections.get("q"):
            chips.append(Chip(_("Search: “%(q)s”") % {"q": q}, self._url_without("q")))
        if (low := self.selections.get("price_min")) is not None:
            chips.append(Chip(_("From %(price)s") % {"price": money(low)}, self._url_without("price_min")))
        if (high := self.selections.get("price_max")) is not None:
            chips.append(Chip(_("Up to %(price)s") % {"price": money(high)}, self._url_without("price_max")))
        if (days := self.selections.get("ships_within")) is not None:
            label = _("Ships within %(days)s days") % {"days": _text(days)}
            chips.append(Chip(label, self._url_without("ships_within")))
        return chips

    def _label(self, facet, value):
        found = next((each for each in self.facets if each.name == facet), None) or FACETS_BY_NAME[facet]
        if found.is_flag:
            return str(found.label)
        return next((o.label for o in self.options.get(facet, []) if o.value == value), value)

    def search_note(self, note):
        """The SearchLine of a result's SearchNote (None when nothing was searched)."""
        if note is None:
            return None
        reading, typed = note.reading, note.reading.typed
        read = []
        for each in reading.read:
            held = [value for value in each.values if value in self.selections.get(each.facet, ())]
            if not held:
                continue
            selections = dict(self.selections)
            selections[each.facet] = [v for v in selections[each.facet] if v not in each.values]
            if not set(words(each.typed)) <= set(words(selections.get("q", ""))):
                selections["q"] = " ".join(filter(None, [selections.get("q", ""), each.typed]))
            label = _either([self._label(each.facet, value) for value in held])
            read.append(ReadChip(label, each.typed, self.path + querystring(selections, self.facets)))
        return SearchLine(
            typed=typed,
            read=read,
            corrected=reading.corrected if reading.corrections else "",
            exact_url=self.path + querystring({"q": typed, "words": typed}, self.facets),
            left_out=list(note.left_out),
            near=[
                Chip(self._label(facet, value), self.path + querystring({facet: [value]}, self.facets))
                for facet, value in note.near
            ],
            not_read=list(reading.not_read),
            nothing_to_search=bool(note.searched) and not reading.query and not note.left_out,
            none_found=note.none_found,
        )

    @cached_property
    def canonical_query(self):
        return querystring(self.selections, self.facets)

    @property
    def title(self):
        """
        'Handcrafted · Rings · Fine or Sterling silver' from the first three
        filters, a filter's options together (the title names every piece
        shown, never one option of several), or 'Jewelry'.
        """
        parts, facet_chips = [], 0
        for facet in self.facets:
            values = [FLAG_KEY] if facet.is_flag else sorted(set(self.selections.get(facet.name, [])))
            if self.selections.get(facet.name):
                parts.append(_either([self._label(facet.name, value) for value in values]))
                facet_chips += len(values)
        labels = (parts + [chip.label for chip in self.chips[facet_chips:]])[:3]
        return " · ".join(labels) if labels else _("Jewelry")

    @property
    def ships_within_choices(self):
        return SHIPS_WITHIN_CHOICES

    @property
    def sort_choices(self):
        return Sort.choices

    @property
    def price_min_value(self):
        return _text(self.selections.get("price_min", ""))

    @property
    def price_max_value(self):
        return _text(self.selections.get("price_max", ""))
