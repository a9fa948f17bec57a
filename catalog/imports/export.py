"""
A maker's pieces written out in Atelier's template (`export_csv`), the file `/studio/export.csv`
downloads: one row per piece, in the columns `catalog.imports.columns` reads, so that importing the
file back gives every piece exactly the values it has (the round trip the tests hold).

Every piece of the maker is written, whatever its status (drafts, published, archived, and those
staff hid: the maker's own data, which they may keep); the status itself is not a column, so
importing the file back never publishes, archives or shows a piece again. `atelier_id` carries the
piece's number, so that a piece with no SKU is matched too. A photo is written by the base name of
its stored file, with its alt text: the export holds no pictures.

A fixed number of queries (the pieces, their six related lists, the vocabularies' labels), whatever
the number of pieces.
"""

from django.db.models import Prefetch

from catalog.imports.columns import (
    LISTS,
    PIECE_COLUMNS,
    TEMPLATE_COUNTS,
    Column,
    Vocabulary,
    template_headers,
)
from catalog.imports.sheets import write_table
from catalog.models import Piece, PieceMaterial


def exported_pieces(artisan):
    """The maker's pieces with everything the export writes, loaded in seven queries."""
    return (
        Piece.objects.filter(artisan=artisan)
        .select_related("category")
        .prefetch_related(
            "techniques",
            "traditions",
            "styles",
            Prefetch("materials", queryset=PieceMaterial.objects.select_related("material", "certification")),
            "production_steps",
            "images",
            "personalization_options",
        )
        .order_by("pk")
    )


def export_csv(artisan) -> bytes:
    """The maker's pieces as a CSV in Atelier's template (UTF-8 with a byte order mark, formulas made inert)."""
    pieces = list(exported_pieces(artisan))
    vocabulary = Vocabulary()
    lists = {piece.pk: _lists(piece) for piece in pieces}
    counts = dict(TEMPLATE_COUNTS)
    for rows in lists.values():
        for prefix, items in rows.items():
            counts[prefix] = max(counts[prefix], len(items))
    headers = template_headers(counts)
    table = []
    for piece in pieces:
        cells = [_piece_cell(piece, column, vocabulary) for column in PIECE_COLUMNS]
        for prefix, parts in LISTS.items():
            items = lists[piece.pk][prefix]
            for number in range(counts[prefix]):
                item = items[number] if number < len(items) else None
                cells += [_part_cell(prefix, item, column, vocabulary) for _suffix, column in parts]
        table.append(cells)
    return write_table(headers, table)


def _lists(piece):
    return {
        "material": list(piece.materials.all()),
        "step": list(piece.production_steps.all()),
        "option": list(piece.personalization_options.all()),
        "photo": list(piece.images.all()),
    }


def _piece_cell(piece, column: Column, vocabulary):
    if column.name == "atelier_id":
        return piece.pk
    if column.kind == "terms":
        choices = getattr(vocabulary, column.vocabulary)
        return ", ".join(choices.written(term) for term in getattr(piece, column.field).all())
    return _written(getattr(piece, column.field), column, vocabulary)


def _part_cell(prefix, item, column: Column, vocabulary):
    if item is None:
        return ""
    if prefix == "photo" and column.field == "name":
        return item.image.name.rsplit("/", 1)[-1]
    return _written(getattr(item, column.field), column, vocabulary)


def _written(value, column: Column, vocabulary) -> str:
    """A value as the template writes it: labels for choices and terms, yes or no, plain decimals."""
    if value is None:
        return ""
    if column.kind in ("choice", "term"):
        return getattr(vocabulary, column.vocabulary).written(value)
    if column.kind == "yes_no":
        return "yes" if value else "no"
    return str(value)
