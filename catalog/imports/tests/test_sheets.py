"""Reading and writing CSV files: encodings, separators, limits, files that are not CSVs, formulas."""

import codecs
import io

import pytest

from catalog.imports.sheets import (
    ERROR_EMPTY,
    ERROR_NO_HEADER,
    ERROR_NO_ROWS,
    ERROR_NOT_CSV,
    ERROR_TOO_BIG,
    ERROR_TOO_MANY_ROWS,
    ERROR_UNREADABLE,
    LATIN_1,
    REASON_UNCLOSED_QUOTE,
    UTF8,
    UTF16,
    WINDOWS_1252,
    SheetError,
    guard,
    read_table,
    read_upload,
    unguard,
    write_table,
)

TEXT = "title,price\nBague martelée,12.50\nCollier,30\n"


def refusal(data, **kwargs):
    with pytest.raises(SheetError) as caught:
        read_table(data, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), UTF8),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), UTF8),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), UTF16),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), UTF16),
        (TEXT.encode("utf-16-le"), UTF16),  # no byte order mark
        (TEXT.encode("cp1252"), WINDOWS_1252),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "utf16-no-bom", "windows-1252"],
)
def test_every_encoding_spreadsheets_write_reads_the_accents_right(data, encoding):
    table = read_table(data)
    assert table.headers == ["title", "price"]
    assert [row.cells for row in table.rows] == [["Bague martelée", "12.50"], ["Collier", "30"]]
    assert table.encoding == encoding


def test_a_latin_1_file_with_bytes_windows_1252_lacks_is_read_as_latin_1_with_a_note():
    data = "title,price\nBague martelée\x81,12\n".encode("latin-1")
    table = read_table(data)
    assert table.rows[0].cells == ["Bague martelée\x81", "12"]
    assert table.encoding == LATIN_1
    assert "check that accented letters look right" in table.encoding_note


def test_a_unicode_file_needs_no_note_on_its_encoding():
    assert read_table(TEXT.encode()).encoding_note == ""
    assert "Windows-1252" in read_table(TEXT.encode("cp1252")).encoding_note


def test_semicolons_and_tabs_are_found_on_the_header_line():
    semicolons = read_table("title;price;description\nBague;12,50;Argent, martelée\n".encode())
    assert semicolons.delimiter == ";"
    assert semicolons.rows[0].cells == ["Bague", "12,50", "Argent, martelée"]
    tabs = read_table(b"title\tprice\nRing\t12\n")
    assert tabs.delimiter == "\t"
    assert tabs.rows[0].cells == ["Ring", "12"]


def test_a_quoted_cell_spans_lines_and_rows_are_numbered_as_a_spreadsheet_shows_them():
    data = b'title,description\n"Ring","Line one\nLine two"\n\n,\nEarrings,Pair\n'
    table = read_table(data)
    assert [(row.number, row.cells[0]) for row in table.rows] == [(2, "Ring"), (5, "Earrings")]
    assert table.rows[0].cells[1] == "Line one\nLine two"


def test_blank_lines_before_the_header_move_its_number():
    table = read_table(b"\n\ntitle,price\nRing,12\n")
    assert table.header_number == 3
    assert table.rows[0].number == 4


def test_records_give_each_row_by_header_and_short_rows_read_as_empty():
    table = read_table(b"title,price,sku\nRing,12\n")
    assert list(table.records()) == [(2, {"title": "Ring", "price": "12", "sku": ""})]


def test_more_rows_than_the_limit_are_refused_with_the_limit_named(settings):
    settings.IMPORT_MAX_ROWS = 5000
    data = b"title,price\n" + b"Ring,12\n" * 10_000
    error = refusal(data)
    assert error.code == "too_many_rows"
    assert error.message == ERROR_TOO_MANY_ROWS % {"limit": 5000}


def test_rows_at_the_limit_are_read():
    table = read_table(b"title,price\n" + b"Ring,12\n" * 50, max_rows=50)
    assert len(table) == 50


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.IMPORT_MAX_CSV_BYTES = 10 * 1024 * 1024
    data = b"title,price\n" + b"x" * (10 * 1024 * 1024)
    error = refusal(data)
    assert error.code == "too_big"
    assert error.message == ERROR_TOO_BIG % {"limit": "10", "rows": 5000}


class Endless(io.RawIOBase):
    """A file that never ends, counting what was read from it."""

    size = None
    read_bytes = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = 64 * 1024 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size


def test_an_upload_is_read_only_up_to_the_size_limit():
    upload = Endless()
    with pytest.raises(SheetError) as caught:
        read_upload(upload, max_bytes=1024 * 1024)
    assert caught.value.code == "too_big"
    assert upload.read_bytes <= 1024 * 1024 + 64 * 1024


def test_an_upload_whose_size_is_known_is_refused_without_reading():
    upload = Endless()
    upload.size = 200 * 1024 * 1024
    with pytest.raises(SheetError):
        read_upload(upload, max_bytes=10 * 1024 * 1024)
    assert upload.read_bytes == 0


def test_an_upload_within_the_limit_gives_its_bytes():
    assert read_upload(io.BytesIO(b"title,price\n"), max_bytes=100) == b"title,price\n"


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_an_empty_file_is_refused(data):
    error = refusal(data)
    assert error.code == "empty"
    assert error.message == ERROR_EMPTY


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG picture"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive or an Excel .xlsx workbook"),
        (b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG picture"),
        (b"title,price\nRing\x00\x01\x02,12\n", "binary data"),
        (bytes(range(1, 32)) * 40, "binary data"),
    ],
    ids=["png", "xlsx", "pdf", "jpeg", "nul-bytes", "control-bytes"],
)
def test_a_file_that_is_not_a_csv_is_refused_with_what_it_looks_like(data, kind):
    error = refusal(data)
    assert error.code == "not_csv"
    assert error.message == ERROR_NOT_CSV % {"kind": kind}


def test_a_header_with_no_rows_under_it_is_refused():
    error = refusal(b"title,price\r\n\r\n")
    assert (error.code, error.message) == ("no_rows", ERROR_NO_ROWS)


def test_a_file_of_empty_cells_has_no_header():
    error = refusal(b",,,\n, ,\n")
    assert (error.code, error.message) == ("no_header", ERROR_NO_HEADER)


def test_a_quote_never_closed_is_refused_instead_of_swallowing_the_rows_after_it():
    error = refusal(b'title,price\n"Ring,12\nEarrings,30\n')
    assert error.code == "unclosed_quote"
    assert error.message == ERROR_UNREADABLE % {"reason": REASON_UNCLOSED_QUOTE}


def test_a_loose_quote_inside_a_cell_is_read_as_spreadsheets_read_it():
    table = read_table(b'title,price\n18" chain,12\n"Ring" ,30\n')
    assert [row.cells[0] for row in table.rows] == ['18" chain', "Ring "]


def test_a_bom_inside_the_header_cell_is_not_part_of_the_column_name():
    assert read_table(codecs.BOM_UTF8 + "\ufefftitle,price\nRing,1\n".encode()).headers == ["title", "price"]


def test_script_in_a_cell_is_kept_as_text():
    table = read_table(b'title,description\n<script>alert(1)</script>,"<img src=x onerror=alert(1)>"\n')
    assert table.rows[0].cells == ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+2", "-5", "@SUM(A1)", "\tTab", "\rReturn", "=1+2"]


def test_written_cells_that_spreadsheets_would_run_begin_with_a_quote():
    data = write_table(["title"], [[cell] for cell in FORMULAS])
    lines = data.decode("utf-8-sig").split("\r\n")
    for line in lines[1 : len(FORMULAS) + 1]:
        assert line.lstrip('"').startswith("'")


@pytest.mark.parametrize(
    "cell",
    [*FORMULAS, "'Tis the season", "'=already quoted", "''", "'", "'-", "plain", "", "Ünïcödé ✓", 'say "hi"', "a,b;c"],
)
def test_a_written_cell_reads_back_exactly(cell):
    table = read_table(write_table(["title", "price"], [[cell, "1"]]))
    assert table.rows[0].cells[0] == cell
    assert unguard(guard(cell)) == cell


def test_a_title_that_really_begins_with_a_quote_is_written_as_it_is():
    assert guard("'Tis the season") == "'Tis the season"
    assert guard("'=x") == "''=x"


def test_written_files_are_utf8_with_a_byte_order_mark_and_none_is_empty():
    data = write_table(["title", "price"], [["Bague martelée", None]])
    assert data.startswith(codecs.BOM_UTF8)
    assert data.decode("utf-8-sig") == "title,price\r\nBague martelée,\r\n"
