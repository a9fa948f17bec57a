"""
Saved searches: a shopper keeps a listing's state ("Tell me about new pieces like these") under a
name, with how often to be told of new pieces (catalog.shoppers.alerts sends the digests).

What is kept is the listing's own canonical query, read by the listing's own filters (`PieceFilter`,
through the front door `catalog.listing`): the same parameters in the same order for the same
state, so saving one state twice finds the row already there (the constraint `saved_search_once`).
The page number and the sort are left out: they say where a shopper stood in the listing, not which
pieces they want to hear of.

Every read and write is scoped to the shopper here (`searches_of`); the views never filter rows
themselves. The services are atomic and take keyword-only arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone

from catalog.listing import ListingState, PieceFilter, querystring
from catalog.models import Piece
from catalog.models.shoppers import SEARCH_NAME_MAX_LENGTH, SEARCH_QUERY_MAX_LENGTH, AlertFrequency, SavedSearch

ERROR_TOO_MANY = "You have %(limit)s saved searches, the most we keep. Delete one on “Your searches” to save this one."
ERROR_QUERY_TOO_LONG = "This listing has too many filters to be saved. Remove a few and try again."
ERROR_NAME_EMPTY = "Give the search a name."
ERROR_NAME_TOO_LONG = "Keep the name under %(limit)s characters."
ERROR_NAME_INVISIBLE = "The name holds characters that cannot be shown. Type it again in plain letters."
ERROR_FREQUENCY = "Choose every day, every week or never."

NOTE_NOT_A_FILTER = "“%(pair)s” is no longer a filter"
NOTE_NOT_AN_OPTION = "“%(pair)s” is no longer an option of “%(filter)s”, so that filter is left out"
NOTE_USES_THE_REST = "%(notes)s; this search uses the rest."
# A stored parameter is quoted up to this many characters in a note.
NOTE_PAIR_MAX = 60

MESSAGE_SAVED = "Saved “%(name)s”. We will email you %(when)s about new pieces like these."
MESSAGE_SAVED_NEVER = "Saved “%(name)s”."
MESSAGE_ALREADY_SAVED = "You already saved this search, as “%(name)s”."
MESSAGE_RENAMED = "Renamed to “%(name)s”."
MESSAGE_FREQUENCY = "“%(name)s”: %(when)s."
MESSAGE_DELETED = "Deleted “%(name)s”."
MESSAGE_UNSUBSCRIBED_ONE = "You will no longer get emails about “%(name)s”. The search is still saved."
MESSAGE_UNSUBSCRIBED_ALL = "You will no longer get emails about your saved searches. The searches are still saved."

# How each frequency reads in a sentence ("We will email you every week").
WHEN = {
    AlertFrequency.DAILY: "every day",
    AlertFrequency.WEEKLY: "every week",
    AlertFrequency.NEVER: "no emails, the search is only kept",
}

# Parameters that say where a shopper stood in a listing, not which pieces it holds.
NOT_KEPT = ("page", "sort")

# Characters a name may not hold: controls and the invisible ones that make two names look alike.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067}
_INVISIBLE |= {0x2068, 0x2069, 0xFEFF}


def searches_of(user):
    """The saved searches of `user` (none for an anonymous visitor): the one place they are scoped."""
    if not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(shopper=user)


def listing_filters(query: str):
    """The listing's FilterSet for a stored or posted query string, as the listing page reads it."""
    return PieceFilter(QueryDict(query) if query else None, queryset=Piece.objects.published())


@dataclass(frozen=True)
class ListingToSave:
    query: str  # the canonical query, without "?", page and sort
    title: str  # the listing's title for that state ("Handcrafted · Rings")


def listing_to_save(query: str) -> ListingToSave:
    """What a listing state at `query` saves as: its canonical query (what the listing understood) and title."""
    filterset = listing_filters(query)
    selections = {name: value for name, value in filterset.selections.items() if name not in NOT_KEPT}
    canonical = querystring(selections).lstrip("?")
    # The counts are not needed for the title: an empty dict keeps ListingState from counting in SQL.
    title = ListingState(filterset, path="", counts={}).title
    return ListingToSave(canonical, str(title)[:SEARCH_NAME_MAX_LENGTH])


def name_clean(name: str) -> str:
    """A search's name as typed, stripped, or a ValidationError saying what to change."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(ERROR_NAME_EMPTY, code="name_empty")
    if len(name) > SEARCH_NAME_MAX_LENGTH:
        raise ValidationError(ERROR_NAME_TOO_LONG % {"limit": SEARCH_NAME_MAX_LENGTH}, code="name_too_long")
    if any(ord(char) < 32 or ord(char) in _INVISIBLE for char in name):
        raise ValidationError(ERROR_NAME_INVISIBLE, code="name_invisible")
    return name


@transaction.atomic
def saved_search_create(*, shopper, query: str) -> tuple[SavedSearch, bool]:
    """
    Save the listing state at `query` for `shopper`, weekly, named after the listing's title:
    (the search, True), or (the search already saved for that state, False). At most
    SAVED_SEARCHES_MAX a shopper: past it, a ValidationError (code "too_many").
    """
    if len(query) > SEARCH_QUERY_MAX_LENGTH:
        raise ValidationError(ERROR_QUERY_TOO_LONG, code="query_too_long")
    to_save = listing_to_save(query)
    if len(to_save.query) > SEARCH_QUERY_MAX_LENGTH:
        raise ValidationError(ERROR_QUERY_TOO_LONG, code="query_too_long")
    # The shopper's row is locked so that two tabs saving at once cannot both pass the cap.
    get_user_model().objects.select_for_update().filter(pk=shopper.pk).first()
    mine = searches_of(shopper)
    if (found := mine.filter(query=to_save.query).first()) is not None:
        return found, False
    limit = settings.SAVED_SEARCHES_MAX
    if mine.count() >= limit:
        raise ValidationError(ERROR_TOO_MANY % {"limit": limit}, code="too_many")
    try:
        with transaction.atomic():  # a savepoint: on SQLite the lock above is no lock, and the constraint decides
            return SavedSearch.objects.create(shopper=shopper, query=to_save.query, name=to_save.title), True
    except IntegrityError:
        return mine.get(query=to_save.query), False


@transaction.atomic
def saved_search_rename(*, search: SavedSearch, name: str) -> SavedSearch:
    """Give `search` (already scoped to its shopper by `searches_of`) a new name."""
    search.name = name_clean(name)
    search.save(update_fields=["name"])
    return search


@transaction.atomic
def saved_search_set_frequency(*, search: SavedSearch, frequency: str) -> SavedSearch:
    """
    How often `search` is alerted. Turning alerts back on starts from now: the pieces published
    while they were off are not sent in a burst.
    """
    if frequency not in AlertFrequency.values:
        raise ValidationError(ERROR_FREQUENCY, code="frequency")
    fields = ["frequency"]
    if search.frequency == AlertFrequency.NEVER and frequency != AlertFrequency.NEVER:
        search.alerted_until = timezone.now()
        fields.append("alerted_until")
    search.frequency = frequency
    search.save(update_fields=fields)
    return search


@transaction.atomic
def saved_search_delete(*, search: SavedSearch) -> None:
    search.delete()


@transaction.atomic
def saved_searches_unsubscribe(*, shopper_id: int, search_id: int | None = None) -> list[str]:
    """
    No more alerts for one search of the shopper, or all of them: the frequency becomes "never",
    the searches stay. The names of the searches concerned (none if the search is gone).
    """
    searches = SavedSearch.objects.filter(shopper_id=shopper_id)
    if search_id is not None:
        searches = searches.filter(pk=search_id)
    names = list(searches.values_list("name", flat=True))
    searches.exclude(frequency=AlertFrequency.NEVER).update(frequency=AlertFrequency.NEVER)
    return names


# --- What a stored query no longer holds ---------------------------------------------------


def ignored_parameters(query: str, filterset=None) -> list[str]:
    """
    The sentences /searches/ shows for a stored query whose parameters the listing no longer
    understands ("'metal=argent' is no longer a filter; this search uses the rest"), read by the
    listing's own FilterSet: a parameter it has no filter for, or a value its form refuses
    (`PieceFilter.ignored`). Empty when the listing understands all of it.
    """
    if not query:
        return []
    params = QueryDict(query)
    filterset = filterset or listing_filters(query)
    filters, errors = filterset.filters, filterset.form.errors if filterset.ignored else {}
    notes = []
    for name in params:
        if name in NOT_KEPT:
            continue
        values = params.getlist(name)
        if name not in filters:
            notes += [NOTE_NOT_A_FILTER % {"pair": _pair(name, value)} for value in values]
            continue
        if name not in errors:
            continue
        field = filterset.form.fields[name]
        refused = [value for value in values if not _accepted(field, value)]
        if refused and len(refused) < len(values):
            notes += [NOTE_NOT_AN_OPTION % {"pair": _pair(name, value), "filter": field.label} for value in refused]
        else:
            notes += [NOTE_NOT_A_FILTER % {"pair": _pair(name, value)} for value in values]
    return [NOTE_USES_THE_REST % {"notes": "; ".join(notes)}] if notes else []


def _pair(name, value):
    pair = f"{name}={value}"
    return pair if len(pair) <= NOTE_PAIR_MAX else pair[: NOTE_PAIR_MAX - 1] + "…"


def _accepted(field, value):
    """Whether the listing's form field takes `value` alone (an option of a facet, a number in range)."""
    try:
        field.clean([value] if hasattr(field, "valid_value") and field.widget.allow_multiple_selected else value)
    except ValidationError:
        return False
    return True
