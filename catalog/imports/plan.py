"""
The preview of an import (the dry run): what each row of the file would do for this maker, and
every problem in plain words with its row and column, before anything is written (`import_plan`).

A row creates a draft, or updates the maker's own piece with the same SKU: SKUs are matched within
the maker's pieces only, so a SKU another maker uses is a new piece of this maker's, never a change
to theirs; a row with no SKU always creates. A row is blocked (and skipped when the import runs:
`catalog.imports.jobs`) by any blocking problem: its own from reading the file
(`catalog.imports.columns`: a SKU given twice in the file among them), a photo named but not in the
zip (or no zip sent), a photo given only by its web address while fetching is off, a published piece a
pending maker would change, or a rule across fields the models' `clean()` refuses. The rules are
run on unsaved instances (`clean_fields` and `clean`), with no query per row: the plan costs the
same few queries whatever the number of rows (the SKUs matched in one). The constraints only the
database can check (a limited edition's size, a lead time for made to order…) are checked again
when each row is written (`catalog.imports.write`), and a row refused then is listed on the job's
page.

Nothing is written by the plan; `import_job_preview` keeps the upload as a job waiting for the
maker's confirmation (`catalog.imports.jobs.import_job_start`).
"""

from copy import copy
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from artisans.choices import ArtisanStatus
from artisans.models import Artisan
from catalog.choices import PieceStatus
from catalog.imports.columns import Problem, RowDraft, header_notes, parse_rows
from catalog.imports.photos import PhotoRefused, open_archive
from catalog.imports.sheets import read_table
from catalog.imports.write import M2M_FIELDS, ROW_SETS, photo_key
from catalog.models import ImportJob, ImportState, Piece, PieceImage

CREATE = "create"
UPDATE = "update"

PROBLEM_NO_ZIP = "photo “%(name)s”: no zip of photos was uploaded. Add the zip, or leave the photo out."
PROBLEM_NOT_IN_ZIP = "photo “%(name)s”: there is no photo of that name in the zip."
PROBLEM_FETCH_OFF = (
    "photo “%(name)s”: it is not in the zip, and photos are not fetched from web addresses. Put the photo "
    "in the zip, with the same file name."
)
PROBLEM_PUBLISHED_PENDING = (
    "“%(title)s” is published, and your maker profile is waiting for approval: until then an import "
    "makes and updates drafts only."
)
NOTE_FETCHED = "photo “%(name)s” will be fetched from its web address when the import runs."


@dataclass
class PlannedRow:
    """One row of the file: what it would do (`CREATE` or `UPDATE` of `piece`), its title and its problems."""

    row: RowDraft
    action: str
    title: str
    piece: Piece | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.row.number

    @property
    def blocked(self) -> bool:
        return any(problem.blocking for problem in self.problems)


@dataclass
class ImportPlan:
    """
    The preview: `rows` (every row, planned), `notes` (problems of the file or the zip as a whole,
    such as members of the zip skipped) and the counts a page shows.
    """

    rows: list[PlannedRow]
    notes: list[Problem] = field(default_factory=list)

    @property
    def importable(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.blocked]

    @property
    def to_create(self) -> list[PlannedRow]:
        return [row for row in self.importable if row.action == CREATE]

    @property
    def to_update(self) -> list[PlannedRow]:
        return [row for row in self.importable if row.action == UPDATE]

    @property
    def blocked(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.blocked]

    @property
    def problems(self) -> list[Problem]:
        """Every problem, the file's first, then by row."""
        return [*self.notes, *(problem for row in self.rows for problem in row.problems)]

    def stored_problems(self) -> list[dict]:
        """The problems as the job keeps them (`ImportJob.problems`): row, column, message, blocking."""
        return [
            {"row": p.row, "column": p.column, "message": p.message, "code": p.code, "blocking": p.blocking}
            for p in self.problems
        ]


def import_plan(*, artisan: Artisan, rows: list[RowDraft], archive=None, notes=()) -> ImportPlan:
    """
    What importing `rows` for `artisan` would do, row by row; nothing is written. A fixed number of
    queries. `notes` are the file's own (columns not read), shown first with the zip's.
    """
    skus = {row.sku for row in rows if row.sku}
    ids = {row.piece_id for row in rows if getattr(row, "piece_id", None) is not None}
    # The maker's own pieces only: another maker's SKU (or number) never matches. Two queries.
    candidates = (
        list(Piece.objects.filter(artisan=artisan).filter(Q(sku__in=skus) | Q(pk__in=ids)).prefetch_related("images"))
        if skus or ids
        else []
    )
    by_id = {piece.pk: piece for piece in candidates}
    by_sku = {piece.sku: piece for piece in candidates if piece.sku}
    notes = [
        *notes,
        *(
            Problem(row=0, column="photos", message=problem.message, code=problem.code, blocking=False)
            for problem in (archive.problems if archive is not None else ())
        ),
    ]
    planned = []
    for row in rows:
        piece = by_id.get(getattr(row, "piece_id", None)) or (by_sku.get(row.sku) if row.sku else None)
        entry = PlannedRow(
            row=row,
            action=UPDATE if piece is not None else CREATE,
            title=row.fields.get("title") or (piece.title if piece else ""),
            piece=piece,
            problems=list(row.problems),
        )
        problem = _problem_for(row)
        if piece is not None and artisan.status != ArtisanStatus.APPROVED and piece.status == PieceStatus.PUBLISHED:
            entry.problems.append(
                problem(PROBLEM_PUBLISHED_PENDING % {"title": piece.title}, "sku", "published_pending")
            )
        entry.problems.extend(_photo_problems(row, archive, problem, piece))
        if not entry.blocked:
            entry.problems.extend(_rule_problems(artisan, row, piece, problem))
        planned.append(entry)
    return ImportPlan(rows=planned, notes=notes)


def _problem_for(row):
    def problem(message, column, code, *, blocking=True):
        return Problem(row=row.number, column=column, message=message, code=code, blocking=blocking)

    return problem


def _photo_problems(row, archive, problem, piece):
    # A photo the matched piece already has (an exported file names them) is kept as it is.
    kept = {photo_key(photo.image.name) for photo in piece.images.all()} if piece is not None else set()
    for index, ref in enumerate(getattr(row, "photos", None) or [], start=1):
        column = f"photo_{index}"
        name = ref.name or ref.url
        if ref.name and photo_key(ref.name) in kept:
            continue
        if archive is not None and ref.name:
            try:
                if archive.find(ref.name) is not None:
                    continue
            except PhotoRefused as refused:
                yield problem(refused.message, column, refused.code)
                continue
        if ref.url and settings.IMPORT_FETCH_PHOTOS:
            yield problem(NOTE_FETCHED % {"name": name}, column, "fetched", blocking=False)
        elif ref.url:
            yield problem(PROBLEM_FETCH_OFF % {"name": name}, column, "fetch_off")
        elif archive is None:
            yield problem(PROBLEM_NO_ZIP % {"name": name}, column, "no_zip")
        else:
            yield problem(PROBLEM_NOT_IN_ZIP % {"name": name}, column, "not_in_zip")


# Fields an unsaved instance cannot check without a query (relations, the slug made at writing).
PIECE_UNCHECKED = ("artisan", "category", "slug", "evidence_raised_by", *M2M_FIELDS)
ROW_UNCHECKED = ("piece", "material", "certification")


def _rule_problems(artisan, row, piece, problem):
    """The models' own rules (fields and `clean()`) on unsaved copies: no query, nothing saved."""
    candidate = copy(piece) if piece is not None else Piece(artisan=artisan, status=PieceStatus.DRAFT)
    candidate.artisan = artisan  # the maker already loaded: clean() reads their workshop
    for name, value in row.fields.items():
        if name in M2M_FIELDS or (name == "production_method" and not value and piece is not None):
            continue
        setattr(candidate, name, value)
    yield from _refusals(candidate, PIECE_UNCHECKED, problem, column=lambda name: name)
    for _relation, (model, attribute) in ROW_SETS.items():
        for index, data in enumerate(getattr(row, attribute, None) or [], start=1):
            instance = model(**data)
            yield from _refusals(
                instance, ROW_UNCHECKED, problem, column=lambda name, i=index, a=attribute: _row_column(a, i, name)
            )
    for index, ref in enumerate(getattr(row, "photos", None) or [], start=1):
        if ref.alt and len(ref.alt) > PieceImage._meta.get_field("alt_text").max_length:
            yield from _refusals(
                PieceImage(alt_text=ref.alt), ("piece", "image"), problem, column=lambda name, i=index: f"photo_{i}_alt"
            )


def _row_column(attribute, index, name):
    singular = {"materials": "material", "steps": "step", "options": "option"}[attribute]
    return (
        f"{singular}_{index}"
        if name in ("__all__", singular, "material", "step", "kind")
        else f"{singular}_{index}_{name}"
    )


def _refusals(instance, unchecked, problem, *, column):
    errors = {}
    try:
        instance.clean_fields(exclude=unchecked)
    except ValidationError as refused:
        errors.update(refused.message_dict)
    try:
        instance.clean()
    except ValidationError as refused:
        found = refused.message_dict if hasattr(refused, "error_dict") else {"__all__": refused.messages}
        for name, messages in found.items():
            errors.setdefault(name, []).extend(messages)
    for name, messages in errors.items():
        for message in messages:
            yield problem(message, column(name), "rule")


def import_job_preview(
    *,
    artisan: Artisan,
    actor: AbstractBaseUser,
    csv_name: str,
    csv_bytes: bytes,
    format: str,
    rows: list[RowDraft],
    photos=None,
    archive=None,
    notes=(),
) -> tuple[ImportJob, ImportPlan]:
    """
    Plan the import and keep the upload as a job waiting for confirmation (state previewed): the
    CSV's bytes in the job's row, the zip (`photos`, an uploaded file) in the media storage under a
    random name. Returns the job and its plan. Nothing else is written; a failure stores nothing
    (the zip's file is deleted if the row could not be saved).
    """
    plan = import_plan(artisan=artisan, rows=rows, archive=archive, notes=notes)
    job = ImportJob(
        artisan=artisan,
        created_by=actor,
        format=format,
        csv_name=(csv_name or "import.csv")[:255],
        csv_bytes=csv_bytes,
        state=ImportState.PREVIEWED,
        rows_total=len(rows),
        problems=plan.stored_problems(),
    )
    try:
        with transaction.atomic():
            if photos is not None:
                photos.seek(0)
                job.photos.save("photos.zip", photos, save=False)
            job.save()
    except BaseException:
        if job.photos:
            job.photos.storage.delete(job.photos.name)
        raise
    return job, plan


def job_plan(job: ImportJob) -> ImportPlan:
    """
    The plan of a job kept for confirmation, read again from its file and zip (the preview page shows
    it; the job page of a job that ran shows its progress instead). A fixed number of queries.
    """
    table = read_table(bytes(job.csv_bytes))
    rows = parse_rows(table, format=job.format)
    notes = header_notes(table, format=job.format)
    if not job.photos:
        return import_plan(artisan=job.artisan, rows=rows, notes=notes)
    with open_archive(job.photos) as archive:
        try:
            return import_plan(artisan=job.artisan, rows=rows, archive=archive, notes=notes)
        finally:
            job.photos.close()
