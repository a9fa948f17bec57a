"""
What a request asks for in money and days, as both sides read it: the piece's listed price and
lead time, each chosen option's extra price and extra days, their sum at today's listed prices,
and what the maker's quote means (the total for the piece as asked, ready a number of days
after acceptance, which gives a date).

Part of the personalization room: the request form labels its options with `option_terms`, and
the views set `item.terms` (`request_terms`) on each request they show. It reads only what the
views prefetch (the piece's options and the request's thread), so it adds no query.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from catalog.choices import Availability
from catalog.formats import CURRENCY_SYMBOLS, money


def currency_symbol() -> str:
    """'€' for the site's currency, or its code when it has no symbol here."""
    return CURRENCY_SYMBOLS.get(settings.CURRENCY, settings.CURRENCY)


def option_terms(option) -> str:
    """'+€40 · 5 more days', or 'no extra cost · no extra days': what ticking the option adds."""
    price = f"+{money(option.extra_price)}" if option.extra_price else "no extra cost"
    days = option.extra_lead_days
    timing = f"{days} more day{'s' if days != 1 else ''}" if days else "no extra days"
    return f"{price} · {timing}"


@dataclass(frozen=True)
class ChosenOption:
    label: str
    extra_price: Decimal
    extra_lead_days: int
    terms: str


@dataclass(frozen=True)
class RequestTerms:
    """A request's figures. `listed_*` are at the piece's prices today; `ready_by` is the quote's date."""

    piece_price: Decimal | None
    piece_lead_days: int
    options: tuple[ChosenOption, ...]
    quote_price: Decimal | None
    quote_lead_days: int | None
    accepted_on: datetime.date | None
    needed_by: datetime.date | None
    today: datetime.date

    @property
    def currency(self) -> str:
        return currency_symbol()

    @property
    def listed_price(self) -> Decimal | None:
        if self.piece_price is None:
            return None
        return self.piece_price + sum((option.extra_price for option in self.options), Decimal("0"))

    @property
    def listed_days(self) -> int:
        return self.piece_lead_days + sum(option.extra_lead_days for option in self.options)

    @property
    def ready_by(self) -> datetime.date | None:
        """The day the quote promises: its lead time from the acceptance, or from today while it is open."""
        if self.quote_lead_days is None:
            return None
        return (self.accepted_on or self.today) + datetime.timedelta(days=self.quote_lead_days)

    @property
    def later_than_needed(self) -> bool:
        return bool(self.needed_by and self.ready_by and self.ready_by > self.needed_by)


def request_terms(request, *, today: datetime.date | None = None) -> RequestTerms:
    piece = request.piece
    options = ()
    if piece is not None:
        options = tuple(
            ChosenOption(
                label=option.get_kind_display(),
                extra_price=option.extra_price,
                extra_lead_days=option.extra_lead_days,
                terms=option_terms(option),
            )
            for option in piece.personalization_options.all()
            if option.kind in request.kinds
        )
    made_to_order = piece is not None and piece.availability == Availability.MADE_TO_ORDER
    accepted = [entry.created_at for entry in request.messages.all() if entry.action == "accept"]
    return RequestTerms(
        piece_price=piece.price if piece is not None else None,
        piece_lead_days=(piece.lead_time_days or 0) if made_to_order else 0,
        options=options,
        quote_price=request.quote_price,
        quote_lead_days=request.quote_lead_days,
        accepted_on=timezone.localdate(accepted[-1]) if accepted else None,
        needed_by=request.needed_by,
        today=today or timezone.localdate(),
    )
