"""
Writing one row of an import: a draft piece made, or the maker's own piece with that SKU updated,
with its materials, steps, options and photos, whole or not at all (`import_row_write`).

The rules are the studio's: every row and the piece pass `full_clean()` (the rules across fields
live in the models' `clean()` and constraints), a new piece gets its slug as the studio gives it
(`unique_slug`) and starts as a draft, a change to how an updated piece is made drops a staff-raised
evidence level (`piece_evidence_drop`), steps or process photos make a bare claim "documented", and
certification claims with a number are queued for staff. Rows are saved one by one through the
models, so `catalog.signals` moves the catalog's version on for each piece as the studio's saves do.

A row is one `transaction.atomic()`, and its `ImportedRow` is written in it: a job resumed after a
worker's restart finds the row done and makes no second piece. A row that fails raises
(`RowRefused`, or the `ValidationError` / `PhotoRefused` that stopped it) and leaves nothing: the
database rolls back, and the photo files this row stored are deleted here, since a rollback runs
no `on_commit` hook and would leave them on the disk. Photos a row replaces are deleted after the
commit, unless another piece still shows the same file (a duplicated piece re-uses its photos).

Callers: the import job (`catalog.imports.jobs`), once per row the preview found importable.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from artisans.choices import ArtisanStatus
from artisans.images import image_clean
from artisans.slugs import unique_slug
from catalog.choices import PieceStatus
from catalog.imports.fetch import fetch_photo
from catalog.imports.photos import PhotoRefused, base_name
from catalog.models import (
    ImportedRow,
    ImportJob,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
)
from catalog.trust.services import (
    HOW_MADE_FIELDS,
    claims_open_for_review,
    piece_evidence_documented,
    piece_evidence_drop,
)

ERROR_ROW_BLOCKED = "This row has a problem to fix first: %(problem)s"
ERROR_PUBLISHED_PENDING = (
    "“%(title)s” is published, and your maker profile is waiting for approval: until then an import "
    "makes and updates drafts only. Leave this row out, or import it once you are approved."
)
ERROR_NO_PHOTO_SOURCE = "Photo “%(name)s”: it is not in the zip, and fetching photos from addresses is off."

# The rows of a piece an import replaces when the row names any: {relation: (model, the row's attribute)}.
ROW_SETS = {
    "production_steps": (ProductionStep, "steps"),
    "materials": (PieceMaterial, "materials"),
    "personalization_options": (PersonalizationOption, "options"),
}
# Many-to-many fields a row may carry in its fields, set after the piece is saved.
M2M_FIELDS = ("techniques", "traditions", "styles")


class RowRefused(ValidationError):
    """A row refused as a whole, with the maker's words and a code; nothing of it was written."""


def import_row_write(*, job: ImportJob, row, archive, actor: AbstractBaseUser | None) -> ImportedRow:
    """
    Write `row` (a `catalog.imports.columns.RowDraft`) of `job` for the job's maker, atomically; returns
    its `ImportedRow` (the one already there when the row was written before: nothing is written
    again). Raises `RowRefused`, `ValidationError` or `photos.PhotoRefused` when the row cannot be
    written; then nothing of it is left, in the database or on the disk.
    """
    done = ImportedRow.objects.filter(job=job, number=row.number).select_related("piece").first()
    if done is not None:
        return done
    stored: list[PieceImage] = []
    try:
        with transaction.atomic():
            return _write(job=job, row=row, archive=archive, actor=actor, stored=stored)
    except BaseException:
        # The row's transaction is rolled back; the files it stored are not, so they go here.
        for photo in stored:
            _delete_files(photo_files(photo))
        raise


def _write(*, job, row, archive, actor, stored) -> ImportedRow:
    blocking = [problem for problem in getattr(row, "problems", ()) if problem.blocking]
    if blocking:
        raise RowRefused(ERROR_ROW_BLOCKED % {"problem": blocking[0].message}, code="row_blocked")
    artisan = job.artisan
    # The maker's own pieces only, locked: two jobs updating one piece take turns.
    piece = matched_piece(Piece.objects.select_for_update().filter(artisan=artisan), row)
    created = piece is None
    if created:
        piece = Piece(artisan=artisan, status=PieceStatus.DRAFT, sku=row.sku or "")
    else:
        piece.sku = row.sku or piece.sku
    if artisan.status != ArtisanStatus.APPROVED and piece.status == PieceStatus.PUBLISHED:
        raise RowRefused(ERROR_PUBLISHED_PENDING % {"title": piece.title}, code="published_pending")
    before = {field.attname: getattr(piece, field.attname) for field in Piece._meta.concrete_fields}
    many = _assign(piece, row.fields)
    if created:
        piece.slug = unique_slug(Piece.objects, piece.title, max_length=150, fallback="piece")
    piece.full_clean()
    # A row that says what the piece already says (a file exported and imported back) writes nothing.
    if created or any(before[name] != getattr(piece, name) for name in before):
        piece.save()
    for name, values in many.items():
        if created or {term.pk for term in values} != set(getattr(piece, name).values_list("pk", flat=True)):
            getattr(piece, name).set(values)
    rows_changed = _replace_rows(piece, row, created=created)
    _replace_photos(piece, row, archive=archive, stored=stored, created=created)
    how_made_changed = rows_changed & {"production_steps", "materials"} or any(
        before[name] != getattr(piece, name) for name in HOW_MADE_FIELDS
    )
    if how_made_changed and not created:
        piece_evidence_drop(piece=piece, actor=actor)
    # The evidence and the claims follow what the row changed of how the piece is made; a row that
    # changes none of it (a file exported and imported back) leaves them, and staff's word, as they are.
    if created or how_made_changed:
        piece_evidence_documented(piece=piece, actor=actor)
        claims_open_for_review(claims=piece.materials.all())
    return ImportedRow.objects.create(job=job, number=row.number, piece=piece, created=created)


def matched_piece(pieces, row) -> Piece | None:
    """
    The piece a row updates among `pieces` (the maker's own): by Atelier's number from an exported
    file, else by SKU; None when the row makes a new piece (no SKU, or one no piece of theirs has).
    """
    if getattr(row, "piece_id", None) is not None and (piece := pieces.filter(pk=row.piece_id).first()):
        return piece
    return pieces.filter(sku=row.sku).first() if row.sku else None


def _assign(piece: Piece, fields: dict) -> dict:
    """Set the row's fields on the piece; returns the many-to-many ones, set once it is saved."""
    many = {}
    for name, value in fields.items():
        if name in M2M_FIELDS:
            many[name] = list(value or ())
        elif name == "production_method" and not value and piece.pk:
            # A file that does not say how a piece is made never unsays what the maker said.
            continue
        else:
            setattr(piece, name, value)
    return many


def _replace_rows(piece: Piece, row, *, created: bool) -> set[str]:
    """The row's steps, materials and options replace the piece's, for each list the row names; returns those."""
    changed = set()
    for relation, (model, attribute) in ROW_SETS.items():
        values = getattr(row, attribute, None) or []
        if not values:
            continue
        if not created:
            if _same_rows(list(getattr(piece, relation).all()), values):
                continue
            getattr(piece, relation).all().delete()
        for position, data in enumerate(values):
            instance = model(piece=piece, **data)
            if "position" in {f.name for f in model._meta.fields} and "position" not in data:
                instance.position = position
            instance.full_clean()
            instance.save()
        changed.add(relation)
    return changed


def _same_rows(rows, values) -> bool:
    """Whether the piece's rows already hold exactly the row's values, in its order (then nothing is replaced)."""
    if len(rows) != len(values):
        return False
    for position, (instance, data) in enumerate(zip(rows, values, strict=True)):
        for name, value in data.items():
            field = instance._meta.get_field(name)
            current = getattr(instance, field.attname)
            wanted = value.pk if field.is_relation and value is not None else value
            if current != wanted:
                return False
        if "position" not in data and hasattr(instance, "position") and instance.position != position:
            return False
    return True


def _replace_photos(piece: Piece, row, *, archive, stored: list, created: bool) -> None:
    """
    The row's photos, in its order, replace the piece's. A photo the piece already has (the same file
    name, as an exported file names it) is kept, with the row's alt text and order; the others are read
    from the zip (or fetched, when allowed) and cleaned. Photos the row no longer names are removed.
    """
    refs = list(getattr(row, "photos", None) or [])
    if not refs:
        return
    existing = {} if created else {photo_key(photo.image.name): photo for photo in piece.images.all()}
    for position, ref in enumerate(refs):
        photo = existing.pop(photo_key(ref.name), None) if ref.name else None
        if photo is not None:
            kept = (photo.alt_text, photo.is_process_photo, photo.position)
            photo.alt_text = (ref.alt or "").strip() or photo.alt_text
            photo.is_process_photo = ref.is_process_photo
            photo.position = position
            if (photo.alt_text, photo.is_process_photo, photo.position) != kept:
                photo.full_clean()
                photo.save(update_fields=["alt_text", "is_process_photo", "position"])
            continue
        content = photo_content(ref, archive=archive)
        photo = PieceImage(
            piece=piece,
            alt_text=(ref.alt or "").strip() or piece.title,
            is_process_photo=ref.is_process_photo,
            position=position,
        )
        # The field stores the file at once, before the row is saved: it is ours to delete on a rollback.
        photo.image.save(content.name, content, save=False)
        stored.append(photo)
        photo.full_clean()
        photo.save()
    if existing:
        files = [path for photo in existing.values() for path in photo_files(photo)]
        PieceImage.objects.filter(pk__in=[photo.pk for photo in existing.values()]).delete()
        transaction.on_commit(lambda: _delete_unused_files(files))


def photo_key(name: str) -> str:
    """A photo's file name as rows name it: the base name, whatever the case."""
    return base_name(name)


def photo_content(ref, *, archive) -> ContentFile:
    """A row's photo as a clean file: from the zip by its name, else fetched from its URL when that is allowed."""
    if archive is not None and ref.name:
        member = archive.find(ref.name)
        if member is not None:
            return archive.photo(member)
    if ref.url and settings.IMPORT_FETCH_PHOTOS:
        data = fetch_photo(ref.url)
        try:
            return image_clean(ContentFile(data, name=base_name(ref.url) or "photo.jpg"))
        except ValidationError as refused:
            raise PhotoRefused(refused.messages[0], code=refused.code) from refused
    raise PhotoRefused(ERROR_NO_PHOTO_SOURCE % {"name": ref.name or ref.url}, code="no_photo_source")


# The renditions the image pipeline makes of a photo as soon as it is saved (imagekit's optimistic strategy).
RENDITIONS = ("image_card", "image_card_2x", "image_display", "image_thumb")


def photo_files(photo: PieceImage) -> list[tuple]:
    """The files of a stored photo, (storage, name): the photo itself first, then its renditions."""
    files = [(photo.image.storage, photo.image.name)]
    for name in RENDITIONS:
        rendition = getattr(photo, name)
        files.append((rendition.storage, rendition.name))
    return files


def _delete_files(files) -> None:
    for storage, name in files:
        if name and storage.exists(name):
            storage.delete(name)


def _delete_unused_files(files) -> None:
    """Delete the replaced photos' files, unless a piece still shows the photo (a duplicate may share one)."""
    sources = {name for _storage, name in files[:: len(RENDITIONS) + 1]}
    still_used = set(PieceImage.objects.filter(image__in=sources).values_list("image", flat=True))
    step = len(RENDITIONS) + 1
    for start in range(0, len(files), step):
        group = files[start : start + step]
        if group[0][1] not in still_used:
            _delete_files(group)
