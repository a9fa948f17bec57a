"""
Writes to pieces that are more than saving a form: publishing, hiding and
featuring (evidence levels and certification claims are the trust room's:
catalog.trust.services); and the makers' side: sending an application to
sell, and saving, publishing, unpublishing and archiving a piece from the
studio; changing many of a maker's pieces at once (their status, prices, lead
time, a personalization option) and duplicating a piece as a new draft.

Each function takes the acting user and checks what that user may do, so that
the admin and the makers' studio can share one rule; each runs in one
transaction. Bulk functions issue one UPDATE and return how many rows changed.

In the catalog's third layer, beside catalog.pages and catalog.signals (the `catalog-rooms`
contract): the studio's views and the admin call it; it builds on the trust room's services and the
catalog's version.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from artisans.services import artisan_apply
from artisans.slugs import unique_slug
from catalog.choices import Availability, EvidenceLevel, PersonalizationKind, PieceStatus
from catalog.formats import money
from catalog.models import (
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Technique,
    Tradition,
)
from catalog.querysets import primary_keys
from catalog.trust.services import (
    ERROR_CURATION_STAFF_ONLY,
    HOW_MADE_FIELDS,
    claims_open_for_review,
    piece_evidence_documented,
    piece_evidence_drop,
)
from catalog.versions import bump_after_update

ERROR_NOT_YOUR_PIECE = "You can publish only your own pieces."
ERROR_MAKER_NOT_APPROVED = "Your maker profile is waiting for approval: until then you can keep drafts but not publish."
ERROR_HIDDEN_BY_STAFF = (
    "Staff hid this piece, so it cannot be published. If they rejected it in a review, you may appeal "
    "from “Reviews by staff” in your studio; otherwise write to us."
)
ERROR_INCOMPLETE = "Not published: a piece needs these before shoppers can see it."
ERROR_NOT_YOUR_PIECE_CHANGE = "You can change only your own pieces."

Pieces = QuerySet[Piece] | Iterable[Piece]


# --- A draft's checklist -----------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """
    One thing a piece needs before it can be published: its words, the piece form's section where it
    is done, and whether publishing is refused without it (else it is the studio's advice).
    """

    code: str
    words: str
    section: str
    blocks_publishing: bool


NEEDS_METHOD = "How it is made: its production method"
NEEDS_STEPS = "At least one production step, and who did it"
NEEDS_MATERIAL = "At least one material"
NEEDS_PROVENANCE = "Where each material comes from: its origin, recycled stock or a certification"
NEEDS_PHOTO = "At least one photo of the finished piece (not a process photo)"
NEEDS_ALT_TEXT = "Each photo described in your own words, not only with the piece’s title"

# The checklist in the order the piece form asks; the conditions are catalog.querysets'
# `checklist_conditions`, by the same codes. Publishing has always needed a photo of the piece and
# what it is made of (and a method, which every public page names); steps, provenance and described
# photos are what make a listing trusted, which the domain keeps optional: steps raise a claim to
# "documented" and traceable materials are a filter of their own, so a piece without them is honest,
# only less proven. They are on the list as advice, and "Needs details" finds every piece lacking any.
CHECKLIST = (
    ChecklistItem("method", NEEDS_METHOD, "how-title", blocks_publishing=True),
    ChecklistItem("steps", NEEDS_STEPS, "steps-title", blocks_publishing=False),
    ChecklistItem("materials", NEEDS_MATERIAL, "materials-title", blocks_publishing=True),
    ChecklistItem("provenance", NEEDS_PROVENANCE, "materials-title", blocks_publishing=False),
    ChecklistItem("photo", NEEDS_PHOTO, "photos-title", blocks_publishing=True),
    ChecklistItem("alt_text", NEEDS_ALT_TEXT, "photos-title", blocks_publishing=False),
)


def piece_checklist(piece: Piece) -> list[ChecklistItem]:
    """
    What the piece still needs, in the checklist's order (empty: nothing). Reads the flags of
    `Piece.objects.with_checklist()` when the piece was loaded with them, else asks once; a piece not
    saved yet needs everything but what its own fields say.
    """
    if piece.pk is None:
        return [item for item in CHECKLIST if item.code != "method" or not piece.production_method]
    if not hasattr(piece, "needs_details"):
        flags = Piece.objects.with_checklist().filter(pk=piece.pk).values(*(f"needs_{i.code}" for i in CHECKLIST))
        for name, value in flags.get().items():
            setattr(piece, name, value)
        piece.needs_details = any(getattr(piece, f"needs_{item.code}") for item in CHECKLIST)
    return [item for item in CHECKLIST if getattr(piece, f"needs_{item.code}")]


def _incomplete(pieces: QuerySet[Piece], codes: set[str], *, named: bool) -> ValidationError | None:
    """
    The refusal saying what the first pieces lacking any of `codes` still need (each by its title when
    `named`: several pieces were chosen), in the checklist's words; None when none lacks any.
    """
    flags = [f"needs_{code}" for code in codes]
    lacking = list(pieces.with_checklist().filter(_any_flag(flags)).order_by("pk")[: INCOMPLETE_NAMED + 1])
    if not lacking:
        return None
    lines = []
    for piece in lacking[:INCOMPLETE_NAMED]:
        needs = [item.words for item in CHECKLIST if item.code in codes and getattr(piece, f"needs_{item.code}")]
        if named:
            lines.append(f"“{piece.title}”: " + "; ".join(words[0].lower() + words[1:] for words in needs) + ".")
        else:
            lines.extend(f"{words}." for words in needs)
    if len(lacking) > INCOMPLETE_NAMED:
        lines.append(INCOMPLETE_MORE)
    return ValidationError(" ".join([ERROR_INCOMPLETE, *lines]), code="incomplete")


def _any_flag(flags):
    condition = models.Q()
    for flag in flags:
        condition |= models.Q(**{flag: True})
    return condition


# How many incomplete pieces a refusal names (a bulk publish of hundreds names the first few).
INCOMPLETE_NAMED = 5
INCOMPLETE_MORE = "Other pieces chosen need details too: the list's “Needs details” shows them all."


def _is_staff(actor: AbstractBaseUser) -> bool:
    return bool(actor.is_active and actor.is_staff)


def _require_staff(actor: AbstractBaseUser) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(ERROR_CURATION_STAFF_ONLY)


@transaction.atomic
def pieces_publish(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """
    Publish the pieces; returns how many changed (those already published are left alone).

    Staff may publish any piece, including one of a maker not approved yet
    (`Piece.objects.published()` keeps it off the public site until the maker
    is approved). A maker may publish only their own pieces, only once
    approved, and never one that staff hid. `published_at` keeps its first
    value when a piece is published again, so "newest" does not reshuffle.
    """
    keys = primary_keys(pieces)
    targets = Piece.objects.filter(pk__in=keys)
    if not _is_staff(actor):
        if targets.exclude(artisan__user=actor).exists():
            raise PermissionDenied(ERROR_NOT_YOUR_PIECE)
        if targets.exclude(artisan__status=ArtisanStatus.APPROVED).exists():
            raise PermissionDenied(ERROR_MAKER_NOT_APPROVED)
        if targets.filter(status=PieceStatus.HIDDEN).exists():
            raise PermissionDenied(ERROR_HIDDEN_BY_STAFF)
        # Staff may publish what a maker could not (curation); a maker's piece is public only with
        # what the checklist says publishing needs: a photo of it, what it is made of, how it is made.
        blocking = {item.code for item in CHECKLIST if item.blocks_publishing}
        if refusal := _incomplete(targets, blocking, named=len(keys) > 1):
            raise refusal
        # Repeat the checks in the UPDATE itself, in case staff acted in between.
        targets = targets.filter(artisan__user=actor, artisan__status=ArtisanStatus.APPROVED).exclude(
            status=PieceStatus.HIDDEN
        )
    else:
        # Every public page names the piece's method: even staff cannot publish a piece that says none.
        if refusal := _incomplete(targets, {"method"}, named=len(keys) > 1):
            raise refusal
    now = timezone.now()
    # A piece saved as published without a date (a form that set the status) gets one too.
    changed = targets.exclude(status=PieceStatus.PUBLISHED, published_at__isnull=False).update(
        status=PieceStatus.PUBLISHED,
        published_at=Coalesce("published_at", Value(now)),
        updated_at=now,
    )
    return bump_after_update(changed, keys)


def piece_publish(*, piece: Piece, actor: AbstractBaseUser) -> Piece:
    """Publish one piece under the rules of `pieces_publish`; returns it refreshed."""
    pieces_publish(pieces=[piece], actor=actor)
    piece.refresh_from_db(fields=["status", "published_at", "updated_at"])
    return piece


@transaction.atomic
def pieces_hide(*, pieces: Pieces, actor: AbstractBaseUser) -> int:
    """Take the pieces down (staff only); returns how many were not hidden before."""
    _require_staff(actor)
    keys = primary_keys(pieces)
    return bump_after_update(
        Piece.objects.filter(pk__in=keys)
        .exclude(status=PieceStatus.HIDDEN)
        .update(status=PieceStatus.HIDDEN, updated_at=timezone.now()),
        keys,
    )


@transaction.atomic
def pieces_set_featured(*, pieces: Pieces, featured: bool, actor: AbstractBaseUser) -> int:
    """Feature the pieces on the home page, or stop featuring them (staff only); returns how many changed."""
    _require_staff(actor)
    return (
        Piece.objects.filter(pk__in=primary_keys(pieces))
        .exclude(featured=featured)
        .update(featured=featured, updated_at=timezone.now())
    )


# --- The makers' studio ----------------------------------------------------------


@transaction.atomic
def piece_save(*, piece_form, formsets: dict, actor: AbstractBaseUser) -> Piece:
    """
    Save a maker's piece with its steps, materials, photos and options, all or nothing.

    The piece belongs to `actor`'s maker profile (a new one) or must already
    (an edit). The cover photo comes first among the photos. When how the piece
    is made changed, `piece_evidence_drop` applies; a piece with steps or
    process photos is at least documented.
    """
    piece = piece_form.instance
    artisan = Artisan.objects.owned_by(actor).get()
    if piece.pk and piece.artisan_id != artisan.pk:
        raise PermissionDenied(ERROR_NOT_YOUR_PIECE_CHANGE)
    how_made_changed = bool(HOW_MADE_FIELDS & set(piece_form.changed_data)) or any(
        formsets[name].has_changed() for name in ("steps", "materials")
    )
    is_new = piece.pk is None
    piece = piece_form.save(commit=False)
    piece.artisan = artisan
    if is_new:
        piece.slug = unique_slug(Piece.objects, piece.title, max_length=150, fallback="piece")
        piece.status = PieceStatus.DRAFT
    piece.save()
    piece_form.save_m2m()
    for formset in formsets.values():
        formset.instance = piece
        formset.save()
    _photos_put_cover_first(piece=piece, photo_forms=formsets["photos"].forms)
    if how_made_changed and not is_new:
        piece_evidence_drop(piece=piece, actor=actor)
    piece_evidence_documented(piece=piece, actor=actor)
    claims_open_for_review(claims=piece.materials.all())
    return piece


def _photos_put_cover_first(*, piece: Piece, photo_forms) -> None:
    cover = next(
        (
            form.instance
            for form in photo_forms
            if form.cleaned_data.get("is_cover") and not form.cleaned_data.get("DELETE") and form.instance.pk
        ),
        None,
    )
    if cover is None:
        return
    photos = sorted(piece.images.all(), key=lambda photo: (photo.pk != cover.pk, photo.position, photo.pk))
    for position, photo in enumerate(photos):
        if photo.position != position:
            PieceImage.objects.filter(pk=photo.pk).update(position=position)


@transaction.atomic
def piece_set_status(*, piece: Piece, status: str, actor: AbstractBaseUser) -> Piece:
    """
    The maker takes their piece back to draft (unpublish) or archives it; publishing is `piece_publish`.

    A piece hidden by staff stays hidden.
    """
    status = PieceStatus(status)
    if status not in (PieceStatus.DRAFT, PieceStatus.ARCHIVED):
        raise ValueError(f"piece_set_status cannot set {status}")
    updated = bump_after_update(
        Piece.objects.owned_by(actor)
        .filter(pk=piece.pk)
        .exclude(status=PieceStatus.HIDDEN)
        .update(status=status, updated_at=timezone.now()),
        [piece.pk],
    )
    if not updated and not Piece.objects.owned_by(actor).filter(pk=piece.pk).exists():
        raise PermissionDenied(ERROR_NOT_YOUR_PIECE_CHANGE)
    if not updated:
        raise PermissionDenied(ERROR_HIDDEN_BY_STAFF)
    piece.refresh_from_db(fields=["status", "updated_at"])
    return piece


@transaction.atomic
def artisan_application_submit(
    *,
    artisan: Artisan,
    user: AbstractBaseUser,
    techniques: Iterable[Technique],
    traditions: Iterable[Tradition],
    photo_formset,
) -> Artisan:
    """
    Send `user`'s application to sell (artisans' `artisan_apply`) with the techniques and
    traditions they work in and their process photos, all or nothing.
    """
    photos = photo_formset.save(commit=False)
    for photo in photo_formset.deleted_objects:
        photo.delete()
    artisan = artisan_apply(artisan=artisan, user=user, new_photos=[p for p in photos if not p.pk])
    for photo in photos:
        if photo.pk:
            photo.save()
    artisan.techniques.set(techniques)
    artisan.traditions.set(traditions)
    return artisan


# --- Many pieces at once, and duplicating one (the studio's list) -----------------------

ERROR_NOTHING_SELECTED = "Choose at least one piece first: tick the box beside each piece to change."
ERROR_NOT_YOURS_SELECTED = "Some of the chosen pieces are not yours, or no longer exist: nothing was changed."
ERROR_HIDDEN_SELECTED = (
    "Staff hid %(titles)s, so only staff can change their status: leave them out of the choice. Nothing was changed."
)
ERROR_PRICE_BELOW_ZERO = "No price was changed: %(titles)s would cost less than nothing."
ERROR_PRICE_BELOW_COSTS = (
    "No price was changed: %(titles)s would cost less than their materials and labor. "
    "Change the prices by less, or leave those pieces out."
)
ERROR_PRICE_TOO_HIGH = (
    "No price was changed: %(titles)s would cost more than %(max)s, the highest price a piece can have."
)
ERROR_LEAD_TIME_DAYS = "A lead time is at least one day."
ERROR_NONE_MADE_TO_ORDER = (
    "None of the chosen pieces is made to order, and only a piece made to order has a lead time: nothing was changed."
)
ERROR_ALL_HAVE_OPTION = "Every chosen piece already offers %(kind)s: nothing was added."
ERROR_OPTION_ENGRAVING_LIMIT = "An engraving option needs the most letters it can have (1 or more)."
ERROR_DUPLICATE_HIDDEN = "Staff hid this piece, so it cannot be copied. Write to us, or appeal from “Reviews by staff”."
ERROR_DUPLICATE_INVALID = "The copy could not be made: %(reason)s"

# A copy's title: the original's, cut to leave room for the suffix (Piece.title holds 150 characters).
COPY_SUFFIX = " (copy)"
# How many pieces a refusal names before "and N more".
TITLES_NAMED = 5
CENT = Decimal("0.01")
# Piece.price holds 10 digits, 2 of them after the point.
PRICE_CEILING = Decimal("99999999.99")


@dataclass
class BulkOutcome:
    """What a bulk change did: how many pieces changed, and the titles of those left as they were, and why."""

    changed: int
    skipped: list[str] = field(default_factory=list)


def titles_named(titles: list[str], limit: int = TITLES_NAMED) -> str:
    """“Ring”, “Cuff” and 3 more: the first few titles a message names."""
    named = ", ".join(f"“{title}”" for title in titles[:limit])
    if len(titles) > limit:
        named += f" and {len(titles) - limit} more"
    return named


# Pieces chosen in the studio's list: pieces, or their ids as posted (an id of no piece is refused).
Chosen = Pieces | Iterable[int]


def _selection(*, pieces: Chosen, actor: AbstractBaseUser) -> list[Piece]:
    """
    The chosen pieces, locked until the transaction ends, with their makers (for `Piece.clean`); the
    whole change is refused when none is chosen, or any is not the actor's or no longer exists: one query.
    """
    if isinstance(pieces, QuerySet):
        keys = set(primary_keys(pieces))
    else:
        keys = {piece if isinstance(piece, int) else piece.pk for piece in pieces}
    if not keys:
        raise ValidationError(ERROR_NOTHING_SELECTED, code="nothing_selected")
    # A lock on the pieces' rows only: a second tab's change waits rather than mixing with this one.
    chosen = list(
        Piece.objects.select_for_update(of=("self",)).select_related("artisan").filter(pk__in=keys).order_by("pk")
    )
    if len(chosen) != len(keys) or any(piece.artisan.user_id != actor.pk for piece in chosen):
        raise PermissionDenied(ERROR_NOT_YOURS_SELECTED)
    return chosen


def _refuse_hidden(chosen: list[Piece]) -> None:
    hidden = [piece.title for piece in chosen if piece.status == PieceStatus.HIDDEN]
    if hidden:
        raise PermissionDenied(ERROR_HIDDEN_SELECTED % {"titles": titles_named(hidden)})


def _pieces_clean(chosen: list[Piece], fields: set[str]) -> None:
    """
    `full_clean()` on each changed piece: the changed fields' own validators and `Piece.clean`'s rules
    across fields, as the studio, admin, import and demo check them. Other fields are left out, as are
    the database's checks (a query per constraint and piece): the caller checks the constraints the
    change can break over the whole choice at once, and the database holds them as a last line.
    """
    others = [f.name for f in Piece._meta.fields if f.name not in fields]
    errors = []
    for piece in chosen:
        try:
            piece.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            errors.append(f"“{piece.title}”: {' '.join(error.messages)}")
    if errors:
        raise ValidationError(" ".join(errors), code="invalid")


@transaction.atomic
def pieces_set_status(*, pieces: Chosen, status: str, actor: AbstractBaseUser) -> int:
    """
    The maker takes their published pieces back to draft (off the site) or archives their pieces, all
    or none: one piece not theirs, or hidden by staff, refuses the whole change. Publishing is `pieces_publish`.
    Returns how many changed; 3 queries whatever the number of pieces.
    """
    status = PieceStatus(status)
    if status not in (PieceStatus.DRAFT, PieceStatus.ARCHIVED):
        raise ValueError(f"pieces_set_status cannot set {status}")
    chosen = _selection(pieces=pieces, actor=actor)
    _refuse_hidden(chosen)
    keys = [piece.pk for piece in chosen]
    targets = Piece.objects.filter(pk__in=keys, artisan__user=actor).exclude(status__in=[status, PieceStatus.HIDDEN])
    if status == PieceStatus.DRAFT:
        # Taking pieces off the site concerns the published ones: an archived piece stays archived.
        targets = targets.filter(status=PieceStatus.PUBLISHED)
    changed = targets.update(status=status, updated_at=timezone.now())
    return bump_after_update(changed, keys)


@transaction.atomic
def pieces_publish_chosen(*, pieces: Chosen, actor: AbstractBaseUser) -> int:
    """
    Publish the pieces a maker chose in the studio's list, all or none: any not theirs (or of no
    piece) refuses the change, as does any hidden by staff (named); then `pieces_publish`'s rules.
    """
    chosen = _selection(pieces=pieces, actor=actor)
    _refuse_hidden(chosen)
    return pieces_publish(pieces=chosen, actor=actor)


def _new_price(price: Decimal, *, percent: Decimal | None, amount: Decimal | None) -> Decimal:
    if percent is not None:
        return (price * (Decimal(100) + percent) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return (price + amount).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def pieces_reprice(
    *,
    pieces: Chosen,
    actor: AbstractBaseUser,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    max_price: Decimal = PRICE_CEILING,
) -> int:
    """
    Change the pieces' prices by `percent` (+10 is ten per cent more) or by `amount` (-5 is five less),
    all or none: a price below zero, below the piece's materials and labor (the constraint
    `piece_costs_within_price`) or above `max_price` refuses the whole change, naming the pieces.
    Returns how many prices changed; 2 queries whatever the number of pieces.
    """
    if (percent is None) == (amount is None):
        raise ValueError("pieces_reprice takes a percent or an amount")
    chosen = _selection(pieces=pieces, actor=actor)
    before = {piece.pk: piece.price for piece in chosen}
    below_zero, below_costs, too_high = [], [], []
    for piece in chosen:
        price = _new_price(piece.price, percent=percent, amount=amount)
        costs = (piece.materials_cost or 0) + (piece.labor_cost or 0)
        if price < 0:
            below_zero.append(piece.title)
        elif price < costs:
            below_costs.append(piece.title)
        elif price > min(max_price, PRICE_CEILING):
            too_high.append(piece.title)
        piece.price = price
    refusals = [
        ValidationError(message, code=code, params={"titles": titles_named(titles), "max": money(max_price)})
        for message, code, titles in (
            (ERROR_PRICE_BELOW_ZERO, "price_below_zero", below_zero),
            (ERROR_PRICE_BELOW_COSTS, "price_below_costs", below_costs),
            (ERROR_PRICE_TOO_HIGH, "price_too_high", too_high),
        )
        if titles
    ]
    if refusals:
        raise ValidationError(refusals)
    _pieces_clean(chosen, {"price"})
    moved = [piece for piece in chosen if piece.price != before[piece.pk]]
    now = timezone.now()
    for piece in moved:
        piece.updated_at = now
    Piece.objects.bulk_update(moved, ["price", "updated_at"])
    return bump_after_update(len(moved), [piece.pk for piece in moved])


@transaction.atomic
def pieces_set_lead_time(*, pieces: Chosen, days: int, actor: AbstractBaseUser) -> BulkOutcome:
    """
    Set the lead time of the chosen pieces made to order, the only ones a lead time means something
    for (the shopper reads "ships about N days after you order" on those only); the others are left as
    they are and named in `skipped`. Refused when none is made to order. 3 queries whatever the number.
    """
    if days < 1:
        raise ValidationError(ERROR_LEAD_TIME_DAYS, code="lead_time_days")
    chosen = _selection(pieces=pieces, actor=actor)
    made_to_order = [piece for piece in chosen if piece.availability == Availability.MADE_TO_ORDER]
    if not made_to_order:
        raise ValidationError(ERROR_NONE_MADE_TO_ORDER, code="none_made_to_order")
    for piece in made_to_order:
        piece.lead_time_days = days
    _pieces_clean(made_to_order, {"lead_time_days"})
    keys = [piece.pk for piece in made_to_order]
    changed = (
        Piece.objects.filter(pk__in=keys)
        .exclude(lead_time_days=days)
        .update(lead_time_days=days, updated_at=timezone.now())
    )
    skipped = [piece.title for piece in chosen if piece.availability != Availability.MADE_TO_ORDER]
    return BulkOutcome(changed=bump_after_update(changed, keys), skipped=skipped)


@transaction.atomic
def pieces_add_option(
    *,
    pieces: Chosen,
    actor: AbstractBaseUser,
    kind: str,
    max_characters: int | None = None,
    extra_price: Decimal = Decimal("0"),
    extra_lead_days: int = 0,
    note: str = "",
) -> BulkOutcome:
    """
    Offer one more way to personalize each chosen piece. A piece that already offers this kind keeps
    its own option (its price and limits are the maker's choice for that piece) and is named in
    `skipped`; refused when every piece already offers it. 5 queries whatever the number of pieces.
    """
    kind = PersonalizationKind(kind)
    if kind == PersonalizationKind.ENGRAVING and not max_characters:
        raise ValidationError(ERROR_OPTION_ENGRAVING_LIMIT, code="engraving_limit_required")
    if kind != PersonalizationKind.ENGRAVING:
        max_characters = None
    template = PersonalizationOption(
        kind=kind, max_characters=max_characters, extra_price=extra_price, extra_lead_days=extra_lead_days, note=note
    )
    # The option is the same for every piece: its fields and checks are validated once.
    template.full_clean(exclude=["piece"], validate_unique=False)
    chosen = _selection(pieces=pieces, actor=actor)
    offering = set(
        PersonalizationOption.objects.filter(piece__in=[p.pk for p in chosen], kind=kind).values_list(
            "piece_id", flat=True
        )
    )
    targets = [piece for piece in chosen if piece.pk not in offering]
    if not targets:
        raise ValidationError(ERROR_ALL_HAVE_OPTION, code="all_have_option", params={"kind": kind.label.lower()})
    PersonalizationOption.objects.bulk_create(
        [
            PersonalizationOption(
                piece=piece,
                kind=kind,
                max_characters=max_characters,
                extra_price=extra_price,
                extra_lead_days=extra_lead_days,
                note=note,
            )
            for piece in targets
        ]
    )
    keys = [piece.pk for piece in targets]
    Piece.objects.filter(pk__in=keys).update(updated_at=timezone.now())
    skipped = [piece.title for piece in chosen if piece.pk in offering]
    return BulkOutcome(changed=bump_after_update(len(targets), keys), skipped=skipped)


def copy_title(title: str) -> str:
    return title[: Piece._meta.get_field("title").max_length - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX


@transaction.atomic
def piece_duplicate(*, piece: Piece, actor: AbstractBaseUser) -> Piece:
    """
    A new draft of the maker's piece, to change what differs: its fields, techniques, traditions,
    styles, production steps, materials and personalization options copied; its photos re-used (new
    rows naming the same stored files, which nothing deletes while a row names them: no row's deletion
    deletes a file). What others decided about the original is not copied: the copy has no SKU (one
    per maker), is not featured nor published, and starts at the evidence level of a new piece (the
    maker's word, "documented" with steps or process photos, in the queue for staff); its materials'
    certification claims wait for staff again. The copy's photos and description go through copy
    detection like any save, which compares with other makers' pieces only, so a maker's copy of
    their own piece is never flagged, while a copy of a piece that matches another maker's is.
    """
    original = Piece.objects.select_related("artisan").filter(pk=piece.pk, artisan__user=actor).first()
    if original is None:
        raise PermissionDenied(ERROR_NOT_YOUR_PIECE_CHANGE)
    if original.status == PieceStatus.HIDDEN:
        raise PermissionDenied(ERROR_DUPLICATE_HIDDEN)
    copy = Piece.objects.get(pk=original.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.title = copy_title(original.title)
    copy.slug = unique_slug(Piece.objects, copy.title, max_length=150, fallback="piece")
    copy.sku = ""
    copy.status = PieceStatus.DRAFT
    copy.featured = False
    copy.published_at = None
    copy.evidence_level = EvidenceLevel.SELF_DECLARED
    copy.evidence_raised_by = None
    copy.evidence_raised_at = None
    try:
        copy.full_clean()
    except ValidationError as error:
        raise ValidationError(
            ERROR_DUPLICATE_INVALID, code="copy_invalid", params={"reason": " ".join(error.messages)}
        ) from error
    copy.save()
    copy.techniques.set(original.techniques.all())
    copy.traditions.set(original.traditions.all())
    copy.styles.set(original.styles.all())
    ProductionStep.objects.bulk_create(
        [
            ProductionStep(
                piece=copy,
                step=step.step,
                done=step.done,
                partner_name=step.partner_name,
                note=step.note,
                position=step.position,
            )
            for step in original.production_steps.all()
        ]
    )
    PieceMaterial.objects.bulk_create(
        [
            PieceMaterial(
                piece=copy,
                material_id=row.material_id,
                purity=row.purity,
                construction=row.construction,
                plating_thickness_microns=row.plating_thickness_microns,
                recycled=row.recycled,
                origin=row.origin,
                gem_source=row.gem_source,
                treatment=row.treatment,
                certification_id=row.certification_id,
                certificate_number=row.certificate_number,
                evidence=row.evidence.name,
                # Staff verified the original's claim, not this piece's: they look again.
                is_verified=False,
                weight=row.weight,
                weight_unit=row.weight_unit,
                position=row.position,
            )
            for row in original.materials.all()
        ]
    )
    PersonalizationOption.objects.bulk_create(
        [
            PersonalizationOption(
                piece=copy,
                kind=option.kind,
                max_characters=option.max_characters,
                extra_price=option.extra_price,
                extra_lead_days=option.extra_lead_days,
                note=option.note,
            )
            for option in original.personalization_options.all()
        ]
    )
    # Saved one by one, so that each photo is hashed and compared (catalog.signals) as any upload is.
    for photo in original.images.all():
        PieceImage(
            piece=copy,
            image=photo.image.name,
            width=photo.width,
            height=photo.height,
            alt_text=photo.alt_text,
            position=photo.position,
            is_process_photo=photo.is_process_photo,
            is_stock=photo.is_stock,
        ).save()
    piece_evidence_documented(piece=copy, actor=actor)
    claims_open_for_review(claims=copy.materials.all())
    bump_after_update(1, [copy.pk])
    return copy
