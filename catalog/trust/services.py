"""
The trust room's writes: evidence levels and certification claims (raised,
verified, dropped when how a piece is made changes), the review queue
(opening an item, staff's approve and reject, the maker's one appeal), what a
rejection does to the public page (the maker's statement; a copy hidden while
its maker may appeal: docs/trust.md), copy flags and clearing them, and
shoppers' reports.

Every function runs in one transaction and writes its `TrustEvent` (the audit
trail) and queues its emails in the same transaction (sent once it commits). Only staff
decide and clear flags; only the maker appeals, and only their own rejection.

Part of the trust room, its entry point: the studio, the admin, the report page
(catalog.trust.views), pieces' writes (catalog.services.piece_save) and copy detection
(catalog.trust.copies) call it.
"""

from collections import defaultdict

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from artisans.choices import ArtisanStatus
from catalog.choices import CopyKind, EvidenceLevel, PieceStatus, ReviewReason, ReviewState, TrustAction
from catalog.models import CopyFlag, MakerCertification, Piece, PieceMaterial, PieceReport, Review, TrustEvent
from catalog.querysets import primary_keys
from catalog.trust.emails import report_outcome_send, review_decision_send
from catalog.versions import bump_after_update, bump_catalog_version

ERROR_STAFF_ONLY = "Only staff review claims."
# Staff's curation of pieces (catalog.services) and their verification of claims share one rule.
ERROR_CURATION_STAFF_ONLY = "Only staff can hide or feature pieces and verify certification claims."
ERROR_ALREADY_DECIDED = "This item was already decided; reload the queue."
ERROR_NOTE_REQUIRED = "Write a note for the maker: they read it in their studio and by email."
ERROR_FLAGGED = "This piece matches another maker's piece: clear the copy flags before verifying it."
ERROR_NOT_YOUR_REVIEW = "You can appeal only decisions about your own pieces and claims."
ERROR_APPEAL_ONCE = "A rejection can be answered once; this one cannot be appealed again."
ERROR_APPEAL_EMPTY = "Say what your new evidence shows, or attach it."
ERROR_REPORT_OWN_PIECE = "You cannot report your own piece."
ERROR_ALREADY_REPORTED = "You already reported this piece; we will email you the outcome."
ERROR_NOT_PUBLIC = "This piece is not on the public site."
ERROR_NOT_YOUR_CLAIM = "You can change only your own certification claims."
ERROR_CLAIM_NOT_APPROVED = "Certifications can be claimed once staff approved your shop."
ERROR_CLAIM_EVIDENCE = "Give the certificate number or attach the certificate (or both): staff check one of them."
ERROR_CLAIM_TWICE = "You already claim %(certification)s: see its status in the list."
ERROR_EVIDENCE_STAFF_ONLY = "Only staff can raise the evidence level above “documented”."
ERROR_UNKNOWN_EVIDENCE_LEVEL = "Choose one of the evidence levels."
ERROR_CLAIM_NOT_WAITING = "Only a claim still waiting for staff can be withdrawn."


# The levels that need someone other than the maker to have looked.
STAFF_EVIDENCE_LEVELS = frozenset({EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED})


def _is_staff(actor) -> bool:
    return bool(actor is not None and actor.is_active and actor.is_staff)


def _require_staff(actor, message=ERROR_STAFF_ONLY) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(message)


def trust_record(*, artisan_id: int, action: str, piece=None, review=None, actor=None, note: str = "") -> TrustEvent:
    """Write one line of the audit trail."""
    return TrustEvent.objects.create(
        artisan_id=artisan_id,
        piece=piece,
        review=review,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        note=note,
    )


def _subject_lookup(*, piece=None, material_claim=None, maker_claim=None) -> dict:
    subjects = {"piece": piece, "material_claim": material_claim, "maker_claim": maker_claim}
    given = {name: value for name, value in subjects.items() if value is not None}
    if len(given) != 1:
        raise ValueError("A review is about exactly one piece or claim.")
    return given


def _artisan_id_of(subject) -> int:
    if isinstance(subject, Piece | MakerCertification):
        return subject.artisan_id
    return subject.piece.artisan_id


@transaction.atomic
def review_open(*, reason: str, actor=None, note: str = "", **subject) -> Review:
    """
    Put a piece or a claim in the queue; returns the waiting item.

    A subject already waiting keeps its item (one per subject, a database
    constraint), so a report or a copy flag on a piece in the queue joins it.
    """
    lookup = _subject_lookup(**subject)
    waiting = Review.objects.waiting().filter(**lookup).first()
    if waiting is not None:
        return waiting
    (target,) = lookup.values()
    try:
        with transaction.atomic():
            review = Review.objects.create(artisan_id=_artisan_id_of(target), reason=reason, **lookup)
    except IntegrityError:  # another request queued it in between
        return Review.objects.waiting().get(**lookup)
    trust_record(
        artisan_id=review.artisan_id,
        piece=review.piece,
        review=review,
        actor=actor,
        action=TrustAction.OPENED,
        note=note or ReviewReason(reason).label,
    )
    return review


def claims_open_for_review(*, claims) -> None:
    """Queue the certification claims that carry a number or a file and are not verified yet."""
    for claim in claims:
        if claim.certification_id and not claim.is_verified and (claim.certificate_number or claim.evidence):
            kind = "material_claim" if isinstance(claim, PieceMaterial) else "maker_claim"
            review_open(reason=ReviewReason.CERTIFICATION, **{kind: claim})


@transaction.atomic
def maker_claim_add(*, artisan, actor, certification, certificate_number: str = "", evidence=None):
    """
    An approved maker claims a certification, with its certificate number or the certificate itself.

    The claim goes into the review queue; badges and filters count it only
    once staff verified it. One claim per certification and maker.
    """
    if artisan.user_id != actor.pk:
        raise PermissionDenied(ERROR_NOT_YOUR_CLAIM)
    if artisan.status != ArtisanStatus.APPROVED:
        raise PermissionDenied(ERROR_CLAIM_NOT_APPROVED)
    certificate_number = certificate_number.strip()
    if not certificate_number and not evidence:
        raise ValidationError({"certificate_number": ValidationError(ERROR_CLAIM_EVIDENCE, code="claim_evidence")})
    twice = ValidationError(
        {
            "certification": ValidationError(
                ERROR_CLAIM_TWICE, code="claim_twice", params={"certification": certification}
            )
        }
    )
    if MakerCertification.objects.filter(artisan=artisan, certification=certification).exists():
        raise twice
    claim = MakerCertification(artisan=artisan, certification=certification, certificate_number=certificate_number)
    if evidence:
        claim.evidence = evidence
    claim.full_clean(exclude=["evidence"], validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:  # a double submit raced past the check above
        raise twice from None
    claims_open_for_review(claims=[claim])
    return claim


@transaction.atomic
def maker_claim_withdraw(*, claim, actor) -> None:
    """The maker takes back a claim staff have not decided yet; the audit trail keeps that it was made."""
    claim = MakerCertification.objects.select_for_update().get(pk=claim.pk)
    if claim.artisan.user_id != actor.pk:
        raise PermissionDenied(ERROR_NOT_YOUR_CLAIM)
    if claim.is_verified or not Review.objects.waiting().filter(maker_claim=claim).exists():
        raise ValidationError(ERROR_CLAIM_NOT_WAITING, code="claim_not_waiting")
    trust_record(
        artisan_id=claim.artisan_id,
        actor=actor,
        action=TrustAction.WITHDRAWN,
        note=f"Certification claim withdrawn: {claim.certification.name}",
    )
    claim.delete()  # and its items in the queue


def trust_claims_verified(*, claims, actor) -> None:
    """Record claims verified from the admin's claims lists as approvals, and close their waiting items."""
    if not claims:
        return
    now = timezone.now()
    is_material = isinstance(claims[0], PieceMaterial)
    TrustEvent.objects.bulk_create(
        [
            TrustEvent(
                artisan_id=claim.piece.artisan_id if is_material else claim.artisan_id,
                piece_id=claim.piece_id if is_material else None,
                actor=actor,
                action=TrustAction.APPROVED,
                note=f"Certification verified: {claim.certification.name}",
            )
            for claim in claims
        ]
    )
    subject = "material_claim__in" if is_material else "maker_claim__in"
    Review.objects.waiting().filter(**{subject: claims}).update(
        state=ReviewState.APPROVED, decided_by=actor, decided_at=now, note="Verified from the list of claims."
    )


def open_copy_flags(piece_id: int):
    return CopyFlag.objects.filter(piece_id=piece_id, cleared_at__isnull=True)


@transaction.atomic
def review_decide(*, review: Review, approve: bool, note: str, actor: AbstractBaseUser) -> Review:
    """
    Staff approve or reject a waiting item, with a note the maker reads.

    Approving a piece makes it "staff verified" (refused while it has copy
    flags nobody cleared), and an approved appeal of a rejection as a copy
    puts the piece back on the public site. Rejecting a piece has the public
    effects of `piece_rejected`. Approving a claim verifies it; rejecting
    un-verifies it. Open reports on the piece are closed and their shoppers told.
    """

    _require_staff(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.state != ReviewState.WAITING:
        raise ValidationError(ERROR_ALREADY_DECIDED, code="already_decided")
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": ValidationError(ERROR_NOTE_REQUIRED, code="note_required")})
    if review.piece_id is not None:
        piece = review.piece
        if approve:
            if open_copy_flags(piece.pk).exists():
                raise ValidationError(ERROR_FLAGGED, code="flagged")
            if piece.evidence_level not in STAFF_EVIDENCE_LEVELS:
                piece_raise_evidence(piece=piece, level=EvidenceLevel.STAFF_VERIFIED, actor=actor)
            if review.appeal_of_id is not None and rejected_as_copy(review.appeal_of):
                _piece_shown_again(piece=piece)
        else:
            piece_rejected(piece=piece, actor=actor)
    else:
        certification_claim_decide(claim=review.material_claim or review.maker_claim, verified=approve)
    review.state = ReviewState.APPROVED if approve else ReviewState.REJECTED
    review.note = note
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["state", "note", "decided_by", "decided_at"])
    trust_record(
        artisan_id=review.artisan_id,
        piece=review.piece,
        review=review,
        actor=actor,
        action=TrustAction.APPROVED if approve else TrustAction.REJECTED,
        note=note,
    )
    reports = []
    if review.piece_id is not None:
        reports = list(PieceReport.objects.filter(piece_id=review.piece_id, resolved_at__isnull=True))
        PieceReport.objects.filter(pk__in=[r.pk for r in reports]).update(resolved_at=review.decided_at, review=review)
    review_decision_send(review=review)
    for report in reports:
        report_outcome_send(report=report, review=review)
    return review


@transaction.atomic
def review_appeal(*, review: Review, actor: AbstractBaseUser, text: str, evidence=None) -> Review:
    """The maker answers a rejection once, with new evidence; the appeal goes back into the queue."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not Review.objects.for_maker(actor).filter(pk=review.pk).exists():
        raise PermissionDenied(ERROR_NOT_YOUR_REVIEW)
    if not review.can_appeal:
        raise ValidationError(ERROR_APPEAL_ONCE, code="appeal_once")
    text = text.strip()
    if not text and not evidence:
        raise ValidationError({"text": ValidationError(ERROR_APPEAL_EMPTY, code="appeal_empty")})
    lookup = {
        name: getattr(review, name) for name in ("piece", "material_claim", "maker_claim") if getattr(review, name)
    }
    # A subject queued again meanwhile (a new report) carries the appeal in its waiting item.
    appeal = Review.objects.waiting().filter(**lookup).first() or Review(artisan_id=review.artisan_id, **lookup)
    appeal.reason = ReviewReason.APPEAL
    appeal.appeal_of = review
    appeal.appeal_text = text
    if evidence:
        appeal.appeal_evidence = evidence
    appeal.full_clean(exclude=["appeal_evidence"])
    appeal.save()
    trust_record(
        artisan_id=review.artisan_id,
        piece=review.piece,
        review=appeal,
        actor=actor,
        action=TrustAction.APPEALED,
        note=text,
    )
    return appeal


# --- What a rejection does to the public page --------------------------------------

# What staff read beside the Reject button, and the maker in their studio: the two public effects.
REJECTION_HIDES = (
    "Rejecting hides the piece from shoppers (the listing, its page, the sitemap) while its maker may appeal: "
    "it still matches another maker's piece."
)
REJECTION_DROPS = "Rejecting sets the piece's public evidence level to “%(level)s”."


def rejection_effects(piece: Piece, *, flagged: bool) -> list[str]:
    """What rejecting the piece now would change on the public site, in staff's words (see `piece_rejected`)."""
    effects = []
    if piece.evidence_level != EvidenceLevel.SELF_DECLARED:
        effects.append(REJECTION_DROPS % {"level": EvidenceLevel.SELF_DECLARED.label})
    if flagged:
        effects.append(REJECTION_HIDES)
    return effects


def piece_rejected(*, piece: Piece, actor: AbstractBaseUser) -> None:
    """
    The public effects of staff rejecting a piece's item in the queue, in the same transaction.

    The maker's evidence did not convince staff, so whatever level it earned
    (documented, or a level staff raised before) goes: the public level is the
    maker's statement again, and the maker's saves do not make it documented
    again (`piece_evidence_documented`); only an approved appeal raises it. A
    piece rejected while it has open copy flags is rejected as a copy: it is
    hidden from the public (`PieceStatus.HIDDEN`: the listing, its page and the
    sitemap show only published pieces) and the maker cannot publish it again;
    an approved appeal shows it again (`_piece_shown_again`).
    """
    if piece.evidence_level != EvidenceLevel.SELF_DECLARED:
        previous = EvidenceLevel(piece.evidence_level).label
        _evidence_dropped(
            piece,
            to=EvidenceLevel.SELF_DECLARED,
            actor=actor,
            note=f"From “{previous}” to “{EvidenceLevel.SELF_DECLARED.label}”: staff rejected the maker's evidence.",
        )
    if open_copy_flags(piece.pk).exists():
        changed = (
            Piece.objects.filter(pk=piece.pk)
            .exclude(status=PieceStatus.HIDDEN)
            .update(status=PieceStatus.HIDDEN, updated_at=timezone.now())
        )
        bump_after_update(changed, [piece.pk])
        piece.status = PieceStatus.HIDDEN


def rejected_as_copy(review: Review) -> bool:
    """
    Whether `review` rejected its piece as a copy: the piece had copy flags
    that were open when staff decided (flags are cleared, never deleted, so
    this can be read back at any time).
    """
    if review.state != ReviewState.REJECTED or review.piece_id is None:
        return False
    return CopyFlag.objects.filter(
        Q(cleared_at__isnull=True) | Q(cleared_at__gt=review.decided_at),
        piece_id=review.piece_id,
        created_at__lte=review.decided_at,
    ).exists()


def _piece_shown_again(*, piece: Piece) -> None:
    """An approved appeal of a rejection as a copy: the piece is public again if it ever was, else a draft."""
    status = PieceStatus.PUBLISHED if piece.published_at else PieceStatus.DRAFT
    changed = Piece.objects.filter(pk=piece.pk, status=PieceStatus.HIDDEN).update(
        status=status, updated_at=timezone.now()
    )
    bump_after_update(changed, [piece.pk])


def last_decision_rejected(piece: Piece) -> bool:
    """Whether staff's latest decision on the piece (not on its claims) was a rejection."""
    latest = (
        Review.objects.filter(piece=piece)
        .exclude(state=ReviewState.WAITING)
        .order_by("-decided_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
    return latest == ReviewState.REJECTED


FLAG_BATCH = 500


def pieces_flag(*, piece_id: int, matches: dict[int, int], kind: str) -> int:
    """Flag a piece and the pieces it matched (`matches` maps another piece to its score); see `copy_pairs_flag`."""
    return copy_pairs_flag({(piece_id, other): score for other, score in matches.items()}, kind=kind)


def copy_pairs_flag(pairs: dict[tuple[int, int], int], *, kind: str, batch: int = FLAG_BATCH) -> int:
    """
    Flag pairs of pieces (both ways round), queue them and note it in their history; returns how many new pairs.

    `pairs` maps (piece, other) to the match's score. A pair flagged before
    (staff may have cleared it) is not flagged again. A flagged piece that
    staff had verified goes back to "documented" until staff clear the flag.
    Written set by set, one transaction per `batch` pairs, so the cost in
    queries does not grow with the number of pairs in a batch.
    """
    items = [(pair, score) for pair, score in pairs.items() if pair[0] != pair[1]]
    return sum(_copy_pairs_flag_batch(dict(items[i : i + batch]), kind) for i in range(0, len(items), batch))


@transaction.atomic
def _copy_pairs_flag_batch(pairs: dict[tuple[int, int], int], kind: str) -> int:
    ids = {pk for pair in pairs for pk in pair}
    flagged = set(
        CopyFlag.objects.filter(kind=kind, piece_id__in=ids, other_id__in=ids).values_list("piece_id", "other_id")
    )
    new = {(a, b): score for (a, b), score in pairs.items() if (a, b) not in flagged and (b, a) not in flagged}
    if not new:
        return 0
    CopyFlag.objects.bulk_create(
        [
            CopyFlag(piece_id=piece_id, other_id=other_id, kind=kind, score=score)
            for (a, b), score in new.items()
            for piece_id, other_id in ((a, b), (b, a))
        ],
        ignore_conflicts=True,
    )
    partners = defaultdict(list)
    for a, b in new:
        partners[a].append(b)
        partners[b].append(a)
    pieces = Piece.objects.only("title", "artisan_id", "evidence_level").in_bulk(list(partners))
    # Queued as possible copies first: a staff-verified piece's drop below joins that item.
    reviews = _reviews_open_for_copies(pieces.values())
    label = CopyKind(kind).label
    dropped = [pk for pk, piece in pieces.items() if piece.evidence_level in STAFF_EVIDENCE_LEVELS]
    events = []
    for pk, piece in pieces.items():
        note = f"{label} as " + "; ".join(f"“{pieces[o].title}” (piece #{o})" for o in partners[pk])
        events.append(TrustEvent(artisan_id=piece.artisan_id, piece=piece, action=TrustAction.FLAGGED, note=note))
        review, opened = reviews[pk]
        if opened:
            events.append(
                TrustEvent(
                    artisan_id=piece.artisan_id,
                    piece=piece,
                    review=review,
                    action=TrustAction.OPENED,
                    note=ReviewReason.COPY.label,
                )
            )
        if pk in dropped:
            events.append(
                TrustEvent(
                    artisan_id=piece.artisan_id,
                    piece=piece,
                    action=TrustAction.EVIDENCE_DROPPED,
                    note=f"Flagged as a possible copy. {note}",
                )
            )
    if dropped:
        Piece.objects.filter(pk__in=dropped).update(
            evidence_level=EvidenceLevel.DOCUMENTED,
            evidence_raised_by=None,
            evidence_raised_at=None,
            updated_at=timezone.now(),
        )
        bump_catalog_version()
        transaction.on_commit(bump_catalog_version)
    TrustEvent.objects.bulk_create(events)
    return len(new)


def _reviews_open_for_copies(pieces) -> dict[int, tuple[Review, bool]]:
    """Each piece's waiting item, opened as a possible copy where it had none: {piece: (item, opened now)}."""
    pieces = list(pieces)
    waiting = {review.piece_id: (review, False) for review in Review.objects.waiting().filter(piece__in=pieces)}
    missing = [piece for piece in pieces if piece.pk not in waiting]
    try:
        with transaction.atomic():
            created = Review.objects.bulk_create(
                [Review(artisan_id=piece.artisan_id, piece=piece, reason=ReviewReason.COPY) for piece in missing]
            )
    except IntegrityError:  # another request queued one of them in between: one at a time
        return waiting | {piece.pk: (review_open(reason=ReviewReason.COPY, piece=piece), False) for piece in missing}
    return waiting | {review.piece_id: (review, True) for review in created}


@transaction.atomic
def copy_flags_clear(*, piece: Piece, actor: AbstractBaseUser, note: str = "") -> int:
    """
    Staff found that this piece is not a copy of the pieces it matched (the
    maker's own photos sold elsewhere, a shared supplier's text, or simply the
    original of the pair); returns how many flags were cleared.

    Only the piece's own flags are cleared: the matching pieces keep theirs,
    since clearing the original of a pair says nothing about its copy.
    """
    _require_staff(actor)
    changed = CopyFlag.objects.filter(piece=piece, cleared_at__isnull=True).update(
        cleared_by=actor, cleared_at=timezone.now()
    )
    if changed:
        trust_record(artisan_id=piece.artisan_id, piece=piece, actor=actor, action=TrustAction.FLAGS_CLEARED, note=note)
    return changed


@transaction.atomic
def piece_report(*, piece: Piece, reporter: AbstractBaseUser, reason: str, details: str = "") -> PieceReport:
    """A shopper reports a public listing; it joins the piece's item in the queue."""
    if not Piece.objects.published().filter(pk=piece.pk).exists():
        raise ValidationError(ERROR_NOT_PUBLIC, code="not_public")
    if piece.artisan.user_id == reporter.pk:
        raise ValidationError(ERROR_REPORT_OWN_PIECE, code="own_piece")
    if PieceReport.objects.filter(piece=piece, reporter=reporter, resolved_at__isnull=True).exists():
        raise ValidationError(ERROR_ALREADY_REPORTED, code="already_reported")
    review = review_open(reason=ReviewReason.REPORT, piece=piece)
    report = PieceReport(piece=piece, reporter=reporter, reason=reason, details=details.strip(), review=review)
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # a double submit raced past the check above
        raise ValidationError(ERROR_ALREADY_REPORTED, code="already_reported") from None
    trust_record(
        artisan_id=piece.artisan_id,
        piece=piece,
        review=review,
        actor=reporter,
        action=TrustAction.REPORTED,
        note=f"{report.get_reason_display()}. {report.details}".strip(),
    )
    return report


# --- Evidence levels and certification claims, set by staff -------------------------


@transaction.atomic
def piece_raise_evidence(*, piece: Piece, level: str, actor: AbstractBaseUser) -> Piece:
    """
    Set how far the piece's handcrafted claim is proven, recording who set it and when.

    Only staff may set a level above "documented". Staff may also lower a
    level (evidence found wanting); that is recorded the same way, since it is
    as much a staff judgement as raising it.
    """
    try:
        level = EvidenceLevel(level)
    except ValueError:
        raise ValidationError(
            {"evidence_level": ValidationError(ERROR_UNKNOWN_EVIDENCE_LEVEL, code="unknown_evidence_level")}
        ) from None
    if level in STAFF_EVIDENCE_LEVELS and not _is_staff(actor):
        raise PermissionDenied(ERROR_EVIDENCE_STAFF_ONLY)
    if level in STAFF_EVIDENCE_LEVELS and open_copy_flags(piece.pk).exists():
        raise ValidationError({"evidence_level": ValidationError(ERROR_FLAGGED, code="flagged")})
    piece.evidence_level = level
    piece.evidence_raised_by = actor
    piece.evidence_raised_at = timezone.now()
    piece.save(update_fields=["evidence_level", "evidence_raised_by", "evidence_raised_at", "updated_at"])
    trust_record(
        artisan_id=piece.artisan_id, piece=piece, actor=actor, action=TrustAction.EVIDENCE_RAISED, note=level.label
    )
    return piece


@transaction.atomic
def certification_claims_verify(
    *, claims: QuerySet[MakerCertification] | QuerySet[PieceMaterial], actor: AbstractBaseUser
) -> int:
    """
    Mark certification claims (of makers or of piece materials) as checked by staff.

    Returns how many were newly verified. A material that names no
    certification has nothing to verify and is left alone. Each verification
    is an approval in the audit trail, and closes the claim's waiting item in
    the review queue.
    """
    _require_staff(actor, ERROR_CURATION_STAFF_ONLY)
    targets = claims.model.objects.filter(pk__in=primary_keys(claims), is_verified=False).exclude(
        certification__isnull=True
    )
    verified = list(targets.select_related("certification", *(["piece"] if claims.model is PieceMaterial else [])))
    changed = targets.update(is_verified=True)
    trust_claims_verified(claims=verified, actor=actor)
    return bump_after_update(changed, pieces_of_claims(verified))


def pieces_of_claims(claims) -> set[int]:
    """The pieces whose facets and badges count these claims: a material's piece, every piece of a maker."""
    pieces = {claim.piece_id for claim in claims if isinstance(claim, PieceMaterial)}
    makers = {claim.artisan_id for claim in claims if isinstance(claim, MakerCertification)}
    if makers:
        pieces.update(Piece.objects.filter(artisan__in=makers).values_list("pk", flat=True))
    return pieces


def certification_claim_decide(*, claim, verified: bool) -> None:
    """Staff's decision on one claim (the review queue): counted, or no longer counted, once committed."""
    changed = type(claim).objects.filter(pk=claim.pk).exclude(is_verified=verified).update(is_verified=verified)
    bump_after_update(changed, pieces_of_claims([claim]))


# The fields that say how a piece is made; changing one (or the steps or the
# materials) needs staff to look again at a level they raised.
HOW_MADE_FIELDS = frozenset({"production_method", "made_by", "production_partner"})


def piece_evidence_drop(*, piece: Piece, actor: AbstractBaseUser | None = None, note: str = "") -> bool:
    """
    After a change to how the piece is made (or a copy flag): a staff-raised level goes back to documented.

    Returns whether it dropped. Clears who raised the level and when, since
    the level is now the maker's again; notes the drop in the piece's history
    and queues the piece for staff to look again.
    """
    if piece.evidence_level not in STAFF_EVIDENCE_LEVELS:
        return False
    previous = EvidenceLevel(piece.evidence_level).label
    note = note or f"From “{previous}”: the way the piece is made changed."
    _evidence_dropped(piece, to=EvidenceLevel.DOCUMENTED, actor=actor, note=note)
    review_open(reason=ReviewReason.CLAIM, piece=piece, actor=actor)
    return True


def _evidence_dropped(piece: Piece, *, to: EvidenceLevel, actor, note: str) -> None:
    """
    The piece's level goes down to `to`, no longer raised by anyone, with `note` in its history. A save:
    catalog.signals moves the catalog's version on for this piece.
    """
    piece.evidence_level = to
    piece.evidence_raised_by = None
    piece.evidence_raised_at = None
    piece.save(update_fields=["evidence_level", "evidence_raised_by", "evidence_raised_at", "updated_at"])
    trust_record(
        artisan_id=piece.artisan_id,
        piece=piece,
        actor=actor,
        action=TrustAction.EVIDENCE_DROPPED,
        note=note,
    )


def piece_evidence_documented(*, piece: Piece, actor: AbstractBaseUser) -> None:
    # The maker's own evidence (steps or process photos) makes a bare claim
    # "documented", and asks staff to check it; not after staff rejected that
    # evidence (`piece_rejected`): the appeal is the way back.
    if piece.evidence_level != EvidenceLevel.SELF_DECLARED or last_decision_rejected(piece):
        return
    if piece.production_steps.exists() or piece.images.filter(is_process_photo=True).exists():
        piece.evidence_level = EvidenceLevel.DOCUMENTED
        piece.save(update_fields=["evidence_level", "updated_at"])
        review_open(reason=ReviewReason.CLAIM, piece=piece, actor=actor)
