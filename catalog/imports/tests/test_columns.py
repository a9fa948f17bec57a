"""What the columns of Atelier's template and of Etsy's export become: drafts of pieces, and problems in words."""

from decimal import Decimal
from pathlib import Path

import pytest

from catalog.choices import Availability, Construction, MadeBy, PersonalizationKind, ProductionMethod, StepDoneBy
from catalog.imports import columns
from catalog.imports.columns import (
    ERROR_DUPLICATE_COLUMN,
    ERROR_UNKNOWN_HEADER,
    ETSY_HEADERS,
    NOTE_COLUMN_IGNORED,
    PROBLEM_AMBIGUOUS_NUMBER,
    PROBLEM_BELOW_ZERO,
    PROBLEM_CURRENCY,
    PROBLEM_ID_TWICE,
    PROBLEM_NOT_A_NUMBER,
    PROBLEM_NOT_YES_NO,
    PROBLEM_PART_WITHOUT_MAIN,
    PROBLEM_PHOTO_ADDRESS,
    PROBLEM_READ_AS,
    PROBLEM_REPEATED,
    PROBLEM_REQUIRED,
    PROBLEM_TOO_LARGE,
    PROBLEM_TOO_LONG,
    PROBLEM_TOO_MANY_DECIMALS,
    PROBLEM_UNKNOWN_CHOICE,
    PhotoRef,
    Problem,
    detect_format,
    header_notes,
    parse_rows,
    table_format,
    template_csv,
    template_guide,
    template_headers,
)
from catalog.imports.sheets import SheetError, read_table, write_table
from catalog.models import ImportFormat

pytestmark = pytest.mark.django_db

ETSY_FILE = Path(__file__).parent / "files" / "etsy_listings.csv"

BASE = {"title": "Hammered band", "category": "Rings", "price": "180", "availability": "One of a kind"}


def atelier(*rows, headers=None):
    """The drafts of rows (dicts by column) written in Atelier's template, read back."""
    headers = headers or template_headers()
    data = write_table(headers, [[row.get(header, "") for header in headers] for row in rows])
    table = read_table(data)
    return parse_rows(table, format=table_format(table))


def one(**cells):
    (draft,) = atelier({**BASE, **cells})
    return draft


def problems_of(draft, column):
    return [problem for problem in draft.problems if problem.column == column]


# --- Formats ---------------------------------------------------------------------------------------


def test_the_template_and_etsys_export_are_told_apart_by_their_header():
    assert detect_format(template_headers()) == ImportFormat.ATELIER
    assert detect_format(ETSY_HEADERS) == ImportFormat.ETSY
    assert detect_format([header.lower() for header in ETSY_HEADERS]) == ImportFormat.ETSY
    assert detect_format(["Title", "Category", "Price"]) == ImportFormat.ATELIER
    assert detect_format(["name", "cost"]) is None


def test_a_file_with_unknown_columns_is_refused_naming_its_first_row():
    table = read_table(b"name,cost\nRing,12\n")
    with pytest.raises(SheetError) as caught:
        table_format(table)
    assert caught.value.code == "unknown_header"
    assert caught.value.message == ERROR_UNKNOWN_HEADER % {"headers": "name, cost"}


def test_a_column_named_twice_is_refused():
    table = read_table(b"title,category,price,Price\nRing,Rings,12,13\n")
    with pytest.raises(SheetError) as caught:
        table_format(table)
    assert caught.value.message == ERROR_DUPLICATE_COLUMN % {"column": "Price"}


def test_columns_we_do_not_read_are_noted_on_the_header_row(terms):
    table = read_table(b"title,category,price,colour,material_99\nRing,Rings,12,red,Brass\n")
    notes = header_notes(table, format=ImportFormat.ATELIER)
    assert [(note.row, note.column, note.message, note.blocking) for note in notes] == [
        (1, "colour", NOTE_COLUMN_IGNORED, False),
        (1, "material_99", NOTE_COLUMN_IGNORED, False),
    ]
    assert header_notes(read_table(template_csv() + b"x,Rings,1\n"), format=ImportFormat.ATELIER) == []


def test_the_template_is_its_header_row_in_utf8_with_a_byte_order_mark():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == ",".join(template_headers())
    headers = template_headers()
    for name in ["atelier_id", "sku", "title", "category", "production_method", "price", "styles"]:
        assert name in headers
    for name in ["material_3_purity", "step_4_done", "option_2_extra_price", "photo_4_alt", "photo_1_process"]:
        assert name in headers


def test_headers_written_as_people_write_them_are_read(terms):
    data = "Title;Category;Price;Production method;Availability\nBand;rings;180;Handcrafted;one-of-a-kind\n"
    table = read_table(data.encode())
    (draft,) = parse_rows(table, format=table_format(table))
    assert draft.fields["production_method"] == ProductionMethod.HANDCRAFTED
    assert draft.fields["category"] == terms["rings"]
    assert not draft.problems


# --- Values ---------------------------------------------------------------------------------------


def test_a_full_row_gives_every_field_with_python_values(terms):
    draft = one(
        atelier_id="41",
        sku="RING-014",
        description="Forged from wire.",
        production_method="hand_finished",
        made_by="The studio team",
        uses_bought_components="yes",
        techniques="Hand-forging; repousse",
        labor_hours="3,5",
        availability="Limited edition",
        edition_size="20",
        stock="4",
        materials_cost="40",
        labor_cost="60.5",
        lifetime_repairs="x",
        resizing="no",
        warranty_months="24",
        traditions="Portuguese filigree",
        styles="Minimal, everyday",
        variation_note="Hammer marks vary.",
    )
    assert draft.number == 2
    assert draft.piece_id == 41
    assert draft.sku == "RING-014"
    fields = draft.fields
    assert fields["title"] == "Hammered band"
    assert fields["category"] == terms["rings"]
    assert fields["production_method"] == ProductionMethod.HAND_FINISHED
    assert fields["made_by"] == MadeBy.STUDIO_TEAM
    assert fields["uses_bought_components"] is True
    assert fields["techniques"] == [terms["forging"], terms["repousse"]]
    assert fields["labor_hours"] == Decimal("3.5")
    assert (fields["availability"], fields["edition_size"], fields["stock"]) == ("limited_edition", 20, 4)
    assert (fields["price"], fields["materials_cost"], fields["labor_cost"]) == (
        Decimal("180"),
        Decimal("40"),
        Decimal("60.5"),
    )
    assert (fields["lifetime_repairs"], fields["resizing"], fields["warranty_months"]) == (True, False, 24)
    assert fields["traditions"] == [terms["filigree"]]
    assert fields["styles"] == [terms["minimal"], terms["everyday"]]
    assert fields["lead_time_days"] is None
    assert fields["care_instructions"] == ""
    assert [problem.code for problem in draft.problems] == ["read_as"]  # labor_hours' comma


def test_empty_cells_give_the_fields_empty_values_and_the_models_defaults(terms):
    draft = one()
    assert draft.fields["made_by"] == MadeBy.ARTISAN
    assert draft.fields["stock"] == 0
    assert draft.fields["warranty_months"] == 0
    assert draft.fields["production_method"] == ""
    assert draft.fields["edition_size"] is None
    assert draft.fields["styles"] == []
    assert draft.materials == draft.steps == draft.options == draft.photos == []
    assert draft.piece_id is None
    assert draft.sku == ""
    assert draft.problems == []


def test_columns_left_out_of_the_file_are_left_out_of_the_draft(terms):
    table = read_table(b"title,category,price\nBand,Rings,180\n")
    (draft,) = parse_rows(table, format=ImportFormat.ATELIER)
    assert set(draft.fields) == {"title", "category", "price"}
    assert draft.materials is draft.steps is draft.options is draft.photos is None


@pytest.mark.parametrize(
    ("column", "cell", "value"),
    [
        ("production_method", "Hand-finished in small batches", ProductionMethod.HAND_FINISHED),
        ("production_method", "HAND-FINISHED", ProductionMethod.HAND_FINISHED),
        ("production_method", "mass produced", ProductionMethod.MASS_PRODUCED),
        ("availability", "made_to_order", Availability.MADE_TO_ORDER),
        ("made_by", "a production partner", MadeBy.PRODUCTION_PARTNER),
    ],
)
def test_choices_are_read_by_label_or_code_whatever_the_case(terms, column, cell, value):
    assert one(**{column: cell, "lead_time_days": "5"}).fields[column] == value


@pytest.mark.parametrize("cell", ["Sterling silver", "sterling-silver", "STERLING SILVER", "Stérling  silver"])
def test_materials_are_read_by_name_or_slug_whatever_the_case_or_accents(terms, cell):
    draft = one(material_1=cell)
    assert draft.materials[0]["material"] == terms["sterling"]


def test_an_unknown_choice_is_blocking_and_lists_the_choices(terms):
    draft = one(material_1="argent", production_method="artisanal")
    (material,) = problems_of(draft, "material_1")
    assert material.blocking
    assert material.code == "unknown_choice"
    assert material.message == PROBLEM_UNKNOWN_CHOICE % {
        "value": "argent",
        "what": "a material",
        "choices": "Moonstone, Brass, Sterling silver, Yellow gold",
    }
    assert str(material).startswith("row 2, material_1: 'argent': not a material we know; pick one of: ")
    (method,) = problems_of(draft, "production_method")
    assert "Handcrafted, Hand-finished in small batches, Mass-produced" in method.message
    assert draft.materials == []


@pytest.mark.parametrize(
    ("cell", "price", "note"),
    [
        ("12,50 €", Decimal("12.50"), PROBLEM_READ_AS % {"value": "12,50 €", "read": "12.50"}),
        ("€12.50", Decimal("12.50"), PROBLEM_READ_AS % {"value": "€12.50", "read": "12.50"}),
        ("1.234,56", Decimal("1234.56"), PROBLEM_READ_AS % {"value": "1.234,56", "read": "1234.56"}),
        ("1,234.56", Decimal("1234.56"), PROBLEM_READ_AS % {"value": "1,234.56", "read": "1234.56"}),
        ("1 234,5", Decimal("1234.5"), PROBLEM_READ_AS % {"value": "1 234,5", "read": "1234.5"}),
        ("12.50", Decimal("12.50"), None),
        ("180", Decimal("180"), None),
    ],
)
def test_prices_written_as_people_write_them_are_read_with_a_note(terms, cell, price, note):
    draft = one(price=cell)
    assert draft.fields["price"] == price
    assert [problem.message for problem in draft.problems] == ([note] if note else [])
    assert not draft.is_blocked


def test_the_note_on_a_price_reads_as_the_issue_says(terms):
    (note,) = one(price="12,50 €").problems
    assert str(note) == "row 2, price: '12,50 €' read as 12.50."


@pytest.mark.parametrize(
    ("cell", "message", "code"),
    [
        ("abc", PROBLEM_NOT_A_NUMBER % {"value": "abc", "example": "12.50"}, "not_a_number"),
        ("-5", PROBLEM_BELOW_ZERO % {"value": "-5"}, "below_zero"),
        ("1e9", PROBLEM_NOT_A_NUMBER % {"value": "1e9", "example": "12.50"}, "not_a_number"),
        ("NaN", PROBLEM_NOT_A_NUMBER % {"value": "NaN", "example": "12.50"}, "not_a_number"),
        ("Infinity", PROBLEM_NOT_A_NUMBER % {"value": "Infinity", "example": "12.50"}, "not_a_number"),
        ("12.505", PROBLEM_TOO_MANY_DECIMALS % {"value": "12.505", "places": 2}, "too_many_decimals"),
        ("2000000", PROBLEM_TOO_LARGE % {"value": "2000000", "max": Decimal("1000000")}, "too_large"),
        ("1,234", PROBLEM_AMBIGUOUS_NUMBER % {"value": "1,234", "one": "1234", "other": "1.234"}, "ambiguous_number"),
        ("12..5", PROBLEM_NOT_A_NUMBER % {"value": "12..5", "example": "12.50"}, "not_a_number"),
        ("", PROBLEM_REQUIRED % {"what": "a price"}, "required"),
    ],
)
def test_garbage_prices_are_blocking_with_the_reason(terms, cell, message, code):
    draft = one(price=cell)
    (problem,) = draft.problems
    assert (problem.column, problem.message, problem.code, problem.blocking) == ("price", message, code, True)
    assert "price" not in draft.fields
    assert draft.is_blocked


@pytest.mark.parametrize(("cell", "value"), [("4", 4), ("4.0", 4), ("4,0", 4), (" 12 ", 12)])
def test_whole_numbers_are_read_from_what_spreadsheets_write(terms, cell, value):
    assert one(stock=cell).fields["stock"] == value


@pytest.mark.parametrize("cell", ["4.5", "-1", "abc", "100001", "1e3"])
def test_a_stock_that_is_not_a_whole_number_in_range_is_blocking(terms, cell):
    draft = one(stock=cell)
    assert draft.is_blocked
    assert problems_of(draft, "stock")[0].blocking
    assert "stock" not in draft.fields


def test_a_yes_no_cell_with_anything_else_is_blocking(terms):
    (problem,) = one(resizing="perhaps").problems
    assert problem.message == PROBLEM_NOT_YES_NO % {"value": "perhaps"}


def test_title_category_price_and_availability_are_required(terms):
    (draft,) = atelier({"title": " ", "category": "", "price": "", "availability": "", "description": "A band."})
    assert [(problem.column, problem.code) for problem in draft.problems] == [
        ("title", "required"),
        ("category", "required"),
        ("availability", "required"),
        ("price", "required"),
    ]


def test_overlong_text_is_blocking_with_its_length(terms):
    draft = one(title="x" * 151, sku="s" * 65)
    assert problems_of(draft, "title")[0].message == PROBLEM_TOO_LONG % {"length": 151, "max": 150}
    assert problems_of(draft, "sku")[0].message == PROBLEM_TOO_LONG % {"length": 65, "max": 64}


def test_script_in_text_cells_is_kept_as_text(terms):
    script = "<script>alert('x')</script>"
    draft = one(title=script, description=f"<img src=x onerror=alert(1)> {script}")
    assert draft.fields["title"] == script
    assert draft.fields["description"] == f"<img src=x onerror=alert(1)> {script}"
    assert not draft.problems


def test_messages_quote_a_long_value_cut_short(terms):
    (problem,) = one(category="a" * 500).problems
    assert "'" + "a" * 39 + "…'" in problem.message


def test_formulas_in_a_hand_made_file_are_read_as_text(terms):
    table = read_table(b"title,category,price,availability,description\n=1+2,Rings,12,one of a kind,'=cmd|calc\n")
    (draft,) = parse_rows(table, format=ImportFormat.ATELIER)
    assert draft.fields["title"] == "=1+2"
    assert draft.fields["description"] == "=cmd|calc"


# --- Numbered lists -------------------------------------------------------------------------------


def test_materials_steps_options_and_photos_are_read_in_order(terms):
    draft = one(
        material_1="Sterling silver",
        material_1_purity="925",
        material_1_construction="solid",
        material_1_recycled="yes",
        material_1_origin="Portugal",
        material_1_certification="Fairmined",
        material_1_certificate_number="FM-1",
        material_1_weight="4,2",
        material_3="moonstone",
        material_3_gem_source="Natural",
        material_3_treatment="untreated",
        material_3_weight="1.5",
        material_3_weight_unit="ct",
        step_1="Design",
        step_1_done="by hand",
        step_2="casting",
        step_2_done="By a partner",
        step_2_partner="Casting Co.",
        step_2_note="Lost wax",
        option_1="Engraving",
        option_1_max_characters="12",
        option_1_extra_price="15",
        option_2="sizing",
        option_2_extra_lead_days="3",
        option_2_note="Sizes 4 to 12",
        photo_1="ring.jpg",
        photo_1_alt="The band on linen",
        photo_2="https://example.com/photos/ring%20side.png?x=1",
        photo_3="process/bench.jpg",
        photo_3_process="yes",
    )
    first, second = draft.materials
    assert first == {
        "material": terms["sterling"],
        "purity": "925",
        "construction": Construction.SOLID,
        "plating_thickness_microns": None,
        "recycled": True,
        "origin": "Portugal",
        "gem_source": "",
        "treatment": "",
        "certification": terms["fairmined"],
        "certificate_number": "FM-1",
        "weight": Decimal("4.2"),
        "weight_unit": "g",
        "position": 0,
    }
    assert (second["material"], second["gem_source"], second["weight_unit"], second["position"]) == (
        terms["moonstone"],
        "natural",
        "ct",
        1,
    )
    assert draft.steps == [
        {"step": "design", "done": StepDoneBy.BY_HAND, "partner_name": "", "note": "", "position": 0},
        {
            "step": "casting",
            "done": StepDoneBy.BY_PARTNER,
            "partner_name": "Casting Co.",
            "note": "Lost wax",
            "position": 1,
        },
    ]
    assert draft.options == [
        {"kind": "engraving", "max_characters": 12, "extra_price": Decimal("15"), "extra_lead_days": 0, "note": ""},
        {
            "kind": "sizing",
            "max_characters": None,
            "extra_price": Decimal("0"),
            "extra_lead_days": 3,
            "note": "Sizes 4 to 12",
        },
    ]
    assert draft.photos == [
        PhotoRef(name="ring.jpg", alt="The band on linen"),
        PhotoRef(name="ring side.png", url="https://example.com/photos/ring%20side.png?x=1"),
        PhotoRef(name="bench.jpg", is_process_photo=True),
    ]
    assert [problem.code for problem in draft.problems] == ["read_as"]  # the weight's comma


def test_a_part_of_a_list_without_its_first_column_is_blocking(terms):
    draft = one(material_2_purity="925")
    (problem,) = draft.problems
    assert (problem.column, problem.blocking) == ("material_2_purity", True)
    assert problem.message == PROBLEM_PART_WITHOUT_MAIN % {"main": "material_2", "what": "material"}


def test_a_step_needs_who_did_it_and_each_kind_once(terms):
    draft = one(step_1="design", step_1_done="by hand", step_2="casting", step_3="Design", step_3_done="by machine")
    assert [(problem.column, problem.code) for problem in draft.problems] == [
        ("step_2_done", "required"),
        ("step_3", "repeated"),
    ]
    assert problems_of(draft, "step_3")[0].message == PROBLEM_REPEATED % {"value": "Design", "other": "step_1"}
    assert [step["step"] for step in draft.steps] == ["design"]


@pytest.mark.parametrize("cell", ["javascript:alert(1)", "ftp://example.com/a.jpg", "file:///etc/passwd", "https://"])
def test_a_photo_that_is_neither_a_file_name_nor_a_web_address_is_blocking(terms, cell):
    draft = one(photo_1=cell)
    (problem,) = draft.problems
    assert problem.message == PROBLEM_PHOTO_ADDRESS % {"value": cell}
    assert draft.photos == []


def test_a_photo_path_keeps_only_its_file_name(terms):
    assert one(photo_1="../../etc/passwd").photos == [PhotoRef(name="passwd")]
    assert one(photo_1="C:\\Users\\me\\ring.jpg").photos == [PhotoRef(name="ring.jpg")]


def test_the_same_atelier_id_on_two_rows_is_blocking_on_the_second(terms):
    first, second = atelier({**BASE, "atelier_id": "7"}, {**BASE, "atelier_id": "7"})
    assert not first.problems
    (problem,) = second.problems
    assert problem.message == PROBLEM_ID_TWICE % {"value": 7, "other": 2}


def test_reading_rows_costs_the_same_queries_for_2_or_200_rows(terms, django_assert_max_num_queries):
    for count in (2, 200):
        data = write_table(
            ["title", "category", "price", "material_1", "styles"], [["R", "Rings", "1", "Brass", "Minimal"]] * count
        )
        table = read_table(data)
        with django_assert_max_num_queries(6):
            drafts = parse_rows(table, format=ImportFormat.ATELIER)
        assert len(drafts) == count


# --- Etsy's export --------------------------------------------------------------------------------


@pytest.fixture
def etsy(terms):
    table = read_table(ETSY_FILE.read_bytes())
    assert table_format(table) == ImportFormat.ETSY
    assert header_notes(table, format=ImportFormat.ETSY) == []
    return parse_rows(table, format=ImportFormat.ETSY)


def test_an_etsy_export_gives_titles_descriptions_prices_and_stock(etsy):
    ring, earrings, necklace = etsy
    assert ring.fields["title"] == "Hammered Sterling Silver Ring, Stacking Band"
    assert ring.fields["description"] == "Hand forged from sterling silver wire.\nEach ring is hammered by hand."
    assert ring.fields["price"] == Decimal("45.00")
    assert ring.fields["stock"] == 3
    assert ring.fields["availability"] == Availability.OPEN_STOCK
    assert ring.sku == "ETSY-RING-1"
    assert earrings.fields["price"] == Decimal("62.50")
    assert necklace.sku == ""


def test_an_etsy_export_never_claims_how_a_piece_is_made(etsy):
    for draft in etsy:
        assert not {"production_method", "made_by", "techniques", "traditions", "labor_hours"} & set(draft.fields)
        assert draft.steps is None
        for material in draft.materials or []:
            assert set(material) == {"material", "position"}
        assert "not_stated" in [problem.code for problem in draft.notes]


def test_etsy_tags_become_our_styles_and_the_category_and_the_rest_is_noted(etsy, terms):
    ring, earrings, necklace = etsy
    assert ring.fields["styles"] == [terms["minimal"], terms["everyday"]]
    assert ring.fields["category"] == terms["rings"]
    assert earrings.fields["category"] == terms["earrings"]
    assert earrings.fields["styles"] == [terms["bohemian"]]
    assert necklace.fields["category"] == terms["necklaces"]
    (ignored,) = [problem for problem in ring.problems if problem.code == "tags_ignored"]
    assert ignored.column == "TAGS"
    assert ignored.message == "not styles of ours, left out: ring, stacking ring, gift for her."
    assert not ignored.blocking


def test_etsy_materials_are_matched_to_ours_and_the_others_left_for_the_maker(etsy, terms):
    ring, earrings, necklace = etsy
    assert ring.materials == [{"material": terms["sterling"], "position": 0}]
    assert earrings.materials == [{"material": terms["moonstone"], "position": 0}]
    assert necklace.materials == [{"material": terms["brass"], "position": 0}]
    (to_pick,) = [problem for problem in ring.problems if problem.code == "materials_to_pick"]
    assert "recycled silver" in to_pick.message
    assert not to_pick.blocking


def test_etsy_variations_are_offered_as_options_to_confirm(etsy):
    ring, earrings, necklace = etsy
    assert ring.options == [
        {
            "kind": PersonalizationKind.SIZING,
            "max_characters": None,
            "extra_price": Decimal("0"),
            "extra_lead_days": 0,
            "note": "Ring size: 5,6,7,8",
        }
    ]
    assert earrings.options is None
    assert [option["kind"] for option in necklace.options] == [PersonalizationKind.SIZING]
    codes = [(problem.column, problem.code) for problem in necklace.problems]
    assert ("VARIATION 1 NAME", "option_to_confirm") in codes
    assert ("VARIATION 2 NAME", "variation_ignored") in codes


def test_etsy_images_are_photos_named_by_the_base_name_of_their_address(etsy):
    ring = etsy[0]
    assert ring.photos == [
        PhotoRef(
            name="il_fullxfull.1111_ring.jpg",
            url="https://i.etsystatic.com/12345678/r/il/a1b2c3/1111/il_fullxfull.1111_ring.jpg",
        ),
        PhotoRef(
            name="il_fullxfull.1112_ring2.jpg",
            url="https://i.etsystatic.com/12345678/r/il/a1b2c3/1112/il_fullxfull.1112_ring2.jpg",
        ),
    ]


def test_etsy_prices_in_another_currency_are_blocking(etsy, settings):
    necklace = etsy[2]
    (problem,) = necklace.errors
    assert problem.column == "CURRENCY_CODE"
    assert problem.message == PROBLEM_CURRENCY % {"currency": "USD", "site": settings.CURRENCY}
    assert not etsy[0].is_blocked and not etsy[1].is_blocked


def test_an_etsy_row_whose_category_cannot_be_told_is_blocking_unless_a_category_column_says(terms):
    header = ",".join(["TITLE", "DESCRIPTION", "PRICE", "CURRENCY_CODE", "QUANTITY", "TAGS"])
    table = read_table(f"{header}\nAurora,Light,10,EUR,1,sky\n".encode())
    (draft,) = parse_rows(table, format=ImportFormat.ETSY)
    assert [problem.code for problem in draft.errors] == ["category_unknown"]
    assert "Rings" in draft.errors[0].message
    table = read_table(f"{header},CATEGORY\nAurora,Light,10,EUR,1,sky,earrings\n".encode())
    (draft,) = parse_rows(table, format=ImportFormat.ETSY)
    assert draft.fields["category"] == terms["earrings"]
    assert not draft.errors


def test_an_etsy_row_with_garbage_numbers_is_blocking(terms):
    header = ",".join(["TITLE", "DESCRIPTION", "PRICE", "CURRENCY_CODE", "QUANTITY"])
    table = read_table(f"{header}\nRing,,abc,EUR,-2\n".encode())
    (draft,) = parse_rows(table, format=ImportFormat.ETSY)
    assert {(problem.column, problem.code) for problem in draft.errors} == {
        ("PRICE", "not_a_number"),
        ("QUANTITY", "below_zero"),
    }


# --- The guide and the studio's limits -------------------------------------------------------------


def test_the_guide_lists_each_columns_labels_and_codes(terms, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        guide = {column.name: column for column in template_guide()}
    assert ("Hand-finished in small batches", "hand_finished") in guide["production_method"].values
    assert ("Sterling silver", "sterling-silver") in guide["material_1 … material_20"].values
    assert ("By hand", "by_hand") in guide["step_1_done … step_7_done"].values
    assert guide["title"].required and guide["price"].required
    assert not guide["description"].required


def test_the_import_reads_numbers_within_the_studios_own_limits():
    from catalog.studio import forms

    assert columns.MAX_PRICE == forms.MAX_PRICE
    assert columns.MAX_LABOR_HOURS == forms.MAX_LABOR_HOURS
    assert columns.MAX_COUNTS == forms.MAX_COUNTS


def test_a_problem_reads_as_a_sentence_with_its_row_and_column():
    assert (
        str(Problem(14, "PRICE", "'12,50 €' read as 12.50.", "read_as", False))
        == "row 14, PRICE: '12,50 €' read as 12.50."
    )
    assert str(Problem(3, "", "Etsy's file does not say.", "not_stated", False)) == "row 3: Etsy's file does not say."


def test_the_rules_of_the_file_name_the_limits(settings):
    settings.IMPORT_MAX_ROWS = 5000
    settings.IMPORT_MAX_CSV_BYTES = 10 * 1024 * 1024
    rules = columns.file_rules()
    assert "At most 5,000 rows of pieces and 10 MB per file: split a larger catalog into several files." in rules
