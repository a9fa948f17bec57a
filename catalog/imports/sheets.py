"""
Reading and writing the spreadsheets a maker brings and takes away, as plain tables of text.

`read_table(data)` turns an uploaded CSV's bytes into a `Table`: its header row and its rows of
text, each row numbered as a spreadsheet shows it (the header is row 1, so the first row of data is
row 2, the number every message names). It reads what spreadsheets write: UTF-8 with or without a
byte order mark, UTF-16 (little or big endian), else Windows-1252 (Latin-1's superset, what Excel
writes in Western Europe; the table says so, for a note on the preview); commas, semicolons or tabs
between cells, found on the header line; quoted cells spanning lines; blank lines skipped (and
counted, as a spreadsheet counts them). Anything else is refused with a `SheetError` whose message
is one of this module's constants and whose `code` names it: an empty file, a file that is not a
CSV (a zip, an .xlsx, a picture, a PDF, binary bytes), a header with no rows under it, more bytes
than `IMPORT_MAX_CSV_BYTES` or more rows than `IMPORT_MAX_ROWS` (counted while reading, so a huge
file is refused as soon as the limit is passed, never read whole into rows first).

`write_table(headers, rows)` writes the other way: UTF-8 with a byte order mark (so that Excel
shows accents right) and commas, every cell a spreadsheet would run as a formula (one beginning
with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`, OWASP's advice against CSV
injection. `read_table` strips that `'` again, so a round trip gives back exactly the text written:
a cell that really begins with `'` followed by one of those characters (or by another `'`) is
written with one more `'`, and a cell like "'Tis the season" is written and read as it is.

Knows nothing of pieces: which columns mean what is `catalog.imports.columns`.
"""

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.conf import settings

ERROR_EMPTY = "The file is empty. Choose the CSV file you saved from your spreadsheet."
ERROR_NOT_CSV = (
    "This file is not a CSV file (it looks like %(kind)s). In your spreadsheet, choose “Save as” or "
    "“Download” and pick “CSV (comma-separated values)”, then upload that file."
)
ERROR_TOO_BIG = "The file is larger than %(limit)s MB. Split your pieces into several files of at most %(rows)s rows."
ERROR_TOO_MANY_ROWS = (
    "The file has more than %(limit)s rows of pieces. Split it into several files of at most %(limit)s rows "
    "and import them one after the other."
)
ERROR_NO_HEADER = "The file has no header row: its first line must name the columns (title, price…)."
ERROR_NO_ROWS = "The file has a header row but no pieces under it: add one row per piece below the header."
ERROR_UNREADABLE = "The file could not be read as a CSV (%(reason)s). Save it again from your spreadsheet as CSV."
REASON_UNCLOSED_QUOTE = "a cell opens a quotation mark that is never closed"

# What a file that is not a CSV starts with, and the words that say what it is.
SIGNATURES = [
    (b"PK\x03\x04", "a zip archive or an Excel .xlsx workbook"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook"),
    (b"\x89PNG\r\n\x1a\n", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"GIF87a", "a GIF picture"),
    (b"GIF89a", "a GIF picture"),
    (b"RIFF", "a WebP picture or a media file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
]
KIND_BINARY = "binary data"

# A cell a spreadsheet would run as a formula begins with one of these (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"

# The encodings, by what the table says was used (for the preview's note).
UTF8 = "UTF-8"
UTF16 = "UTF-16"
WINDOWS_1252 = "Windows-1252"
LATIN_1 = "Latin-1"

# How many control characters (other than tab and line breaks) a text may hold before it is taken
# for binary bytes decoded by chance: a real spreadsheet has none.
CONTROL_SHARE = 0.01


class SheetError(Exception):
    """A file refused as a whole, with a message for the maker (one of the ERROR_ constants, filled) and a code."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Row:
    """One row of data: its number as a spreadsheet shows it (the header is row 1) and its cells as text."""

    number: int
    cells: list[str]

    def cell(self, index: int) -> str:
        """The cell in column `index` (from 0), or "" when the row is shorter."""
        return self.cells[index] if index < len(self.cells) else ""


@dataclass
class Table:
    """
    A CSV read: `headers` (the header row's cells, stripped), `rows` (the non-blank rows of data, in
    order, each a `Row`), the `encoding` it was read in (`UTF8`, `UTF16`, `WINDOWS_1252` or
    `LATIN_1`), the `delimiter` between cells and `header_number` (the header's row number, 1 unless
    blank lines came first).
    """

    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str = UTF8
    delimiter: str = ","
    header_number: int = 1

    def __len__(self):
        return len(self.rows)

    @property
    def encoding_note(self) -> str:
        """A line for the preview when the file was not Unicode, so that the maker checks its accents; else ""."""
        if self.encoding in (UTF8, UTF16):
            return ""
        return (
            f"Your file was not saved as Unicode (UTF-8), so we read it as {self.encoding}, the usual "
            "Western European encoding: check that accented letters look right below."
        )

    def records(self):
        """Each row as (number, {header: cell}); a header given twice keeps its first column."""
        positions = {}
        for index, header in enumerate(self.headers):
            positions.setdefault(header, index)
        for row in self.rows:
            yield row.number, {header: row.cell(index) for header, index in positions.items()}


def read_upload(upload, *, max_bytes: int | None = None) -> bytes:
    """
    The bytes of an uploaded file (a Django `UploadedFile`, or any file object), read in chunks and
    refused with `ERROR_TOO_BIG` as soon as they pass `max_bytes` (IMPORT_MAX_CSV_BYTES): a 200 MB
    upload is never read into memory whole.
    """
    limit = settings.IMPORT_MAX_CSV_BYTES if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_big(limit)
    chunks, total = [], 0
    if getattr(upload, "seekable", lambda: False)():
        upload.seek(0)
    while True:
        chunk = upload.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise _too_big(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(limit):
    return SheetError(ERROR_TOO_BIG % {"limit": _megabytes(limit), "rows": settings.IMPORT_MAX_ROWS}, code="too_big")


def _megabytes(size):
    megabytes = size / (1024 * 1024)
    return f"{megabytes:g}" if megabytes >= 1 else f"{megabytes:.2f}"


def read_table(data: bytes, *, max_rows: int | None = None, max_bytes: int | None = None) -> Table:
    """
    The CSV in `data` as a `Table`; raises `SheetError` for a file that cannot be imported (see the
    module's docstring). `max_rows` (IMPORT_MAX_ROWS) counts rows of data, not the header;
    `max_bytes` (IMPORT_MAX_CSV_BYTES) bounds the file. Cells keep their text as written (spaces
    too), but for the `'` that `write_table` puts before a formula, which is taken off again.
    """
    max_rows = settings.IMPORT_MAX_ROWS if max_rows is None else max_rows
    max_bytes = settings.IMPORT_MAX_CSV_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    if not data.strip():
        raise SheetError(ERROR_EMPTY, code="empty")
    text, encoding = _decode(data)
    if not text.strip():
        raise SheetError(ERROR_EMPTY, code="empty")
    delimiter = _delimiter(text)
    try:
        headers, header_number, rows = _records(text, delimiter, max_rows=max_rows, strict=True)
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise SheetError(ERROR_UNREADABLE % {"reason": REASON_UNCLOSED_QUOTE}, code="unclosed_quote") from error
        # A quote a hand-made file left loose inside a cell ("a" b): read the way spreadsheets do.
        try:
            headers, header_number, rows = _records(text, delimiter, max_rows=max_rows, strict=False)
        except csv.Error as error:
            raise SheetError(ERROR_UNREADABLE % {"reason": str(error)}, code="unreadable") from error
    if headers is None:
        raise SheetError(ERROR_NO_HEADER, code="no_header")
    if not rows:
        raise SheetError(ERROR_NO_ROWS, code="no_rows")
    # A header cell Excel wrote a BOM into (a file saved twice) reads as the name itself.
    headers = [header.lstrip("\ufeff").strip() for header in headers]
    return Table(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter, header_number=header_number)


def _records(text, delimiter, *, max_rows, strict):
    """(headers, the header's row number, rows) of the text; raises csv.Error, or SheetError past `max_rows`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    headers, header_number, rows = None, 1, []
    # The reader's own line count would count a quoted cell's line breaks; a spreadsheet counts
    # records, blank ones included, and so does this.
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers, header_number = [cell.strip() for cell in cells], number
            continue
        if len(rows) >= max_rows:
            raise SheetError(ERROR_TOO_MANY_ROWS % {"limit": max_rows}, code="too_many_rows")
        rows.append(Row(number=number, cells=[unguard(cell) for cell in cells]))
    return headers, header_number, rows


def _decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was read in; refuses what is not text."""
    if data.startswith(codecs.BOM_UTF8):
        return _text(data[len(codecs.BOM_UTF8) :], "utf-8", UTF8), UTF8
    if data.startswith(codecs.BOM_UTF16_LE) and not data.startswith(codecs.BOM_UTF32_LE):
        return _text(data[2:], "utf-16-le", UTF16), UTF16
    if data.startswith(codecs.BOM_UTF16_BE):
        return _text(data[2:], "utf-16-be", UTF16), UTF16
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            raise SheetError(ERROR_NOT_CSV % {"kind": kind}, code="not_csv")
    if b"\x00" in data:
        # UTF-16 saved without a byte order mark: every other byte of Latin text is NUL.
        even, odd = data[0::2], data[1::2]
        if len(data) % 2 == 0 and odd.count(0) > 0.9 * len(odd) and not even.count(0):
            return _text(data, "utf-16-le", UTF16), UTF16
        if len(data) % 2 == 0 and even.count(0) > 0.9 * len(even) and not odd.count(0):
            return _text(data, "utf-16-be", UTF16), UTF16
        raise SheetError(ERROR_NOT_CSV % {"kind": KIND_BINARY}, code="not_csv")
    try:
        return _text(data, "utf-8", UTF8), UTF8
    except SheetError:
        pass
    try:
        return _text(data, "cp1252", WINDOWS_1252), WINDOWS_1252
    except SheetError:
        # Five bytes have no character in Windows-1252; Latin-1 reads every byte.
        return _text(data, "latin-1", LATIN_1), LATIN_1


def _text(data: bytes, codec: str, name: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise SheetError(ERROR_NOT_CSV % {"kind": KIND_BINARY}, code="not_csv") from error
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n")
    if "\x00" in text or controls > CONTROL_SHARE * len(text):
        raise SheetError(ERROR_NOT_CSV % {"kind": KIND_BINARY}, code="not_csv")
    return text


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line (its first line with text) holds most, outside quotes."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def guard(cell: str) -> str:
    """The cell as written to a spreadsheet: a formula's first character made inert with a leading `'`."""
    if cell.startswith(FORMULA_STARTS) or (cell.startswith(FORMULA_GUARD) and unguard(cell) != cell):
        return FORMULA_GUARD + cell
    return cell


def unguard(cell: str) -> str:
    """The cell as written before `guard`: one leading `'` taken off when a formula's character (or `'`) follows."""
    if cell.startswith(FORMULA_GUARD) and cell[1:2] and cell[1] in (*FORMULA_STARTS, FORMULA_GUARD):
        return cell[1:]
    return cell


def write_table(headers: list[str], rows) -> bytes:
    """
    `headers` and `rows` (each a list of cells; None is written as an empty cell, anything else as
    its text) as a CSV in UTF-8 with a byte order mark, comma-separated, CRLF between rows, every
    cell guarded against formulas (`guard`). `read_table` reads it back cell for cell.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([guard(str(header)) for header in headers])
    for row in rows:
        writer.writerow(["" if cell is None else guard(str(cell)) for cell in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
