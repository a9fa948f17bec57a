"""Small files for the import's tests: a CSV in Atelier's template, a zip of real photos, rows read from them."""

import csv
import io
import zipfile

from catalog.imports.columns import parse_rows, table_format
from catalog.imports.sheets import read_table
from catalog.tests.factories import image_file

# A row that makes a complete piece: every column the checklist looks at is filled.
COMPLETE = {
    "title": "Hammered silver band",
    "category": "Rings",
    "price": "180.00",
    "availability": "One of a kind",
    "production_method": "Handcrafted",
    "material_1": "Sterling silver",
    "material_1_purity": "925",
    "material_1_origin": "Recycled in Porto",
    "step_1": "Fabrication and soldering",
    "step_1_done": "By hand",
    "photo_1": "band.png",
    "photo_1_alt": "The band on a linen cloth",
}


# The same row without its photo, for tests that send no zip.
COMPLETE_NO_PHOTO = {name: value for name, value in COMPLETE.items() if not name.startswith("photo_")}


def csv_bytes(rows: list[dict], headers: list[str] | None = None) -> bytes:
    """The rows as a CSV in Atelier's template, its header the union of the rows' columns (in order)."""
    if headers is None:
        headers = []
        for row in rows:
            headers += [name for name in row if name not in headers]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(name, "") for name in headers])
    return buffer.getvalue().encode()


def photo_bytes(colour=(180, 150, 90)) -> bytes:
    return image_file(colour=colour).read()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def drafts(rows: list[dict], headers: list[str] | None = None):
    """The `RowDraft`s of the rows, read as the import reads them."""
    table = read_table(csv_bytes(rows, headers))
    return parse_rows(table, format=table_format(table))
