"""
What the columns of an imported spreadsheet mean: Atelier's own template and the CSV Etsy gives
sellers of their listings, read into one `RowDraft` per row, with every problem in plain words.

- `detect_format(headers)`: which of the two a header row is (`ImportFormat`), or None;
  `table_format(table)` the same, refusing an unknown or ambiguous header with a `SheetError`;
  `header_notes(table, format=...)`: the columns a file has that we do not read (notes on row 1).
- `parse_rows(table, format=...)`: a `RowDraft` per row of data. Nothing is written: the preview
  shows the drafts and their `Problem`s, and `catalog.imports.write` writes the rows with no
  blocking problem (the rules across a piece's fields, such as a limited edition's size, are the
  models' `clean()` and constraints, which the writer's `full_clean()` checks).
- `template_headers()`, `template_csv()`, `template_guide()`, `file_rules()`: the template's
  columns, the file a maker downloads (the header row only: an example row would be imported as a
  piece when left in), the allowed values of each column (labels and codes, both accepted) and the
  rules of the file as a whole (its limits among them), for the import page.

Atelier's template has one column per field the studio's piece form asks, named by the model's
field (`title`, `production_method`, `lead_time_days`…), plus `sku` (the maker's own reference; rows
update the maker's own piece with that SKU) and `atelier_id` (Atelier's number for a piece, filled
by the export, so that a file exported and imported back updates the same pieces, SKU or not), and
numbered columns for the lists: `material_1`, `material_1_purity` … (`MATERIAL_PARTS`), `step_1`,
`step_1_done` …, `option_1`, `option_1_extra_price` …, `photo_1` (a file name in the zip, or an
address), `photo_1_alt`, `photo_1_process`. Choices are read by label or code, whatever the case,
accents, spaces or hyphens ("Sterling silver", "sterling-silver"); lists of terms (`techniques`,
`traditions`, `styles`) are separated by commas or semicolons; yes/no cells read yes, y, true, 1 or
x as yes and no, n, false, 0 or an empty cell as no. A column left out of the file is left as it is
on an updated piece; a column present with an empty cell empties the field.

Etsy's export (TITLE, DESCRIPTION, PRICE, CURRENCY_CODE, QUANTITY, TAGS, MATERIALS, IMAGE1 … IMAGE10,
VARIATION 1 TYPE / NAME / VALUES …, SKU) gives what it states and nothing more: titles,
descriptions, prices (in the site's currency only), QUANTITY as the stock (and, above 1, "open
stock": several alike are kept ready), tags that name one of our styles, materials that name one of
ours (a note names the others, for the maker to pick), variations as personalization options to
confirm, and IMAGE addresses as photos named by the base name of their path. It never states a
production method, steps, provenance or an availability the file does not: those stay empty, for
the draft's checklist to ask. The category, which Etsy's file lacks, is read from an optional
CATEGORY column, else from the first of our categories the tags or the title name.

Every number is read the way people write them: "12,50 €" is 12.50 (with a note saying so),
"1.234,56" and "1,234.56" are 1234.56; "abc", "-5", "1e9" and numbers past the studio's limits are
blocking problems that say why.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from catalog.choices import (
    Availability,
    Construction,
    GemSource,
    MadeBy,
    PersonalizationKind,
    ProductionMethod,
    ProductionStepKind,
    StepDoneBy,
    StoneTreatment,
    WeightUnit,
)
from catalog.imports.sheets import SheetError, Table, write_table
from catalog.models import (
    Category,
    Certification,
    ImportFormat,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
    Style,
    Technique,
    Tradition,
)
from catalog.models import (
    Material as MaterialTerm,
)

# --- The file as a whole -------------------------------------------------------------------------

ERROR_UNKNOWN_HEADER = (
    "We do not recognise this file's columns. Use Atelier's template (download it from this page) or "
    "the listings file Etsy gives you (Shop Manager → Settings → Options → Download data); its first row "
    "must name the columns. The first row of your file reads: %(headers)s"
)
ERROR_DUPLICATE_COLUMN = "The column “%(column)s” appears twice in the header row; keep one and import again."

# --- Problems of one cell or row (shown as "row 14, price: …") -----------------------------------

PROBLEM_REQUIRED = "empty: every piece needs %(what)s."
PROBLEM_READ_AS = "'%(value)s' read as %(read)s."
PROBLEM_NOT_A_NUMBER = "'%(value)s' is not a number we can read: write it in digits, like %(example)s."
PROBLEM_BELOW_ZERO = "'%(value)s' is below zero."
PROBLEM_TOO_LARGE = "'%(value)s' is more than %(max)s, the most we accept."
PROBLEM_TOO_MANY_DECIMALS = "'%(value)s' has more than %(places)s decimals."
PROBLEM_AMBIGUOUS_NUMBER = "'%(value)s' could be %(one)s or %(other)s: write it without a thousands separator."
PROBLEM_NOT_WHOLE = "'%(value)s' is not a whole number."
PROBLEM_NOT_YES_NO = "'%(value)s': write yes or no."
PROBLEM_UNKNOWN_CHOICE = "'%(value)s': not %(what)s we know; pick one of: %(choices)s."
PROBLEM_TOO_LONG = "%(length)s characters, more than the %(max)s allowed."
PROBLEM_PART_WITHOUT_MAIN = "filled, but %(main)s is empty: name the %(what)s first, or empty this cell."
PROBLEM_REPEATED = "'%(value)s' is given twice for this piece (also in %(other)s); keep one."
PROBLEM_ID_TWICE = "'%(value)s' is also on row %(other)s: each piece appears once."
PROBLEM_PHOTO_ADDRESS = "'%(value)s' is neither a file name nor a web address (https://…)."
PROBLEM_ALT_WITHOUT_PHOTO = "alt text without a photo in %(photo)s."
PROBLEM_CURRENCY = (
    "prices in %(currency)s: Atelier's prices are in %(site)s. Convert this row's PRICE to %(site)s and set "
    "CURRENCY_CODE to %(site)s."
)
PROBLEM_CURRENCY_ASSUMED = "empty: the price is read as %(site)s."
PROBLEM_CATEGORY_GUESSED = "read as %(category)s from the %(source)s; change it in the draft if it is wrong."
PROBLEM_CATEGORY_UNKNOWN = (
    "Etsy's file has no category and none of ours is named in the title or tags: add a CATEGORY column "
    "with one of: %(choices)s."
)
PROBLEM_STOCK_OPEN = (
    "%(quantity)s ready: read as open stock (made and kept in stock). If the piece is one of a kind, a "
    "limited edition or made to order, change its availability in the draft."
)
PROBLEM_TAGS_IGNORED = "not styles of ours, left out: %(tags)s."
PROBLEM_MATERIALS_TO_PICK = (
    "not materials we know, left out: %(names)s. Add them in the draft, choosing from our materials."
)
PROBLEM_OPTION_TO_CONFIRM = "offered as a personalization option (%(kind)s: %(values)s); confirm it in the draft."
PROBLEM_VARIATION_IGNORED = "'%(name)s' is not a kind of personalization we offer, left out."
PROBLEM_NOT_STATED = (
    "Etsy's file does not say how the piece is made, who made it or where its materials come from: "
    "the draft asks you for them."
)

# The largest numbers a row may hold: the studio's own limits (catalog.studio.forms MAX_PRICE,
# MAX_LABOR_HOURS, MAX_COUNTS), which a test holds equal, since this room may not import the studio.
MAX_PRICE = Decimal("1000000")
MAX_LABOR_HOURS = Decimal("5000")
MAX_COUNTS = {"stock": 100_000, "edition_size": 100_000, "lead_time_days": 730, "warranty_months": 1200}
# The rows' own numbers: the model's fields are small integers.
MAX_SMALL = 32_767

# How many of each list the template offers, and the most a row may fill (the studio's own maximum
# rows: 20 materials and photos, 7 steps (one per kind), 5 options (one per kind)). The export
# writes as many as its fullest piece needs.
TEMPLATE_COUNTS = {"material": 3, "step": 4, "option": 2, "photo": 4}
MAX_COUNT = {"material": 20, "step": 7, "option": 5, "photo": 20}

# A value quoted in a message is cut to this many characters.
QUOTED_MAX = 40
# Choices listed in a message, at most (a long vocabulary ends with "…").
CHOICES_LISTED = 60


# --- What a row becomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """
    Something to tell the maker about one cell (or row) of the file: its row number as the file
    shows it, the column's name as the file spells it ("" for the whole row), the words, a code, and
    whether it stops the row from being imported (`blocking`) or is a note on how it was read.
    `str(problem)` is the whole sentence: "row 14, PRICE: '12,50 €' read as 12.50."
    """

    row: int
    column: str
    message: str
    code: str
    blocking: bool

    def __str__(self):
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class PhotoRef:
    """
    A photo a row names: `name`, the file's name to find in the zip (for an address, the base name
    of its path); `url`, the address to fetch it from when fetching is on ("" for a file name);
    `alt`, what it shows ("" when the file does not say); `is_process_photo`, a photo of the making.
    """

    name: str
    url: str = ""
    alt: str = ""
    is_process_photo: bool = False


@dataclass
class RowDraft:
    """
    One row of the file, read, nothing written.

    - `number`: the row's number as the file shows it (the header is row 1).
    - `sku`: the maker's reference ("" when none); `piece_id`: Atelier's number for the piece, from
      an exported file's `atelier_id` column (None when empty). The writer matches either within the
      maker's own pieces only.
    - `fields`: the piece's fields present in the file, by model field name, with Python values
      (`category` a `Category`; `techniques`, `traditions`, `styles` lists of terms; decimals as
      `Decimal`; choices as their codes). A field the file does not give is absent.
    - `materials`, `steps`, `options`: the piece's rows, each a dict of the model's field names
      (`PieceMaterial`: material, purity, construction, plating_thickness_microns, recycled, origin,
      gem_source, treatment, certification, certificate_number, weight, weight_unit, position;
      `ProductionStep`: step, done, partner_name, note, position; `PersonalizationOption`: kind,
      max_characters, extra_price, extra_lead_days, note), in the file's order. None when the file
      has no such columns (an updated piece keeps its own); [] when it has them, empty.
    - `photos`: `PhotoRef`s in order, the first product photo the cover; None or [] as above.
    - `problems`: every `Problem` of the row, blocking or a note.
    """

    number: int
    sku: str = ""
    piece_id: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    materials: list[dict] | None = None
    steps: list[dict] | None = None
    options: list[dict] | None = None
    photos: list[PhotoRef] | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.number

    @property
    def is_blocked(self) -> bool:
        """Whether a problem stops the row from being imported."""
        return any(problem.blocking for problem in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.blocking]

    @property
    def notes(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.blocking]

    @property
    def title(self) -> str:
        return self.fields.get("title", "")


class CellProblem(Exception):
    """A cell that cannot be read: the message (filled) and its code; raised by the readers below."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


# --- Reading values ------------------------------------------------------------------------------


def normal(text: str) -> str:
    """Text as choices are compared: no accents, case folded, every run of other characters one space."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", plain.replace("&", " ")))


def quoted(value: str) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= QUOTED_MAX else value[: QUOTED_MAX - 1] + "…"


def listed(names) -> str:
    names = list(names)
    shown = ", ".join(names[:CHOICES_LISTED])
    return shown + (", …" if len(names) > CHOICES_LISTED else "")


CURRENCY_MARKS = re.compile(r"(?i)[€$£¥]|\b(?:eur|euros?|usd|gbp|chf|cad|aud|jpy)\b")
SPACES = re.compile(r"[\s\u00a0\u202f']+")


def read_decimal(text: str, *, places: int, maximum: Decimal, example: str = "12.50"):
    """
    (the cell as a Decimal or None when empty, a note or "") for a number written as people write
    them; raises `CellProblem` for a cell that is not one, below zero, past `maximum` or with more
    than `places` decimals.
    """
    raw = text.strip()
    if not raw:
        return None, ""
    value = SPACES.sub("", CURRENCY_MARKS.sub("", raw))
    sign = ""
    if value[:1] in "+-":
        sign, value = value[0], value[1:]
    if re.fullmatch(r"\d+(\.\d+)?|\.\d+", value):
        number = value
    elif re.fullmatch(r"\d+,\d{1,2}|\d+,\d{4,}|0,\d+", value):
        number = value.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", value):
        number = value.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+\.\d+|\d{1,3}(,\d{3}){2,}", value):
        number = value.replace(",", "")
    elif re.fullmatch(r"\d{1,3},\d{3}", value):
        raise CellProblem(
            PROBLEM_AMBIGUOUS_NUMBER
            % {"value": quoted(raw), "one": value.replace(",", ""), "other": value.replace(",", ".")},
            "ambiguous_number",
        )
    else:
        raise CellProblem(PROBLEM_NOT_A_NUMBER % {"value": quoted(raw), "example": example}, "not_a_number")
    try:
        result = Decimal(sign + number)
    except InvalidOperation as error:  # pragma: no cover - the patterns above admit only digits
        raise CellProblem(PROBLEM_NOT_A_NUMBER % {"value": quoted(raw), "example": example}, "not_a_number") from error
    if result < 0:
        raise CellProblem(PROBLEM_BELOW_ZERO % {"value": quoted(raw)}, "below_zero")
    if result > maximum:
        raise CellProblem(PROBLEM_TOO_LARGE % {"value": quoted(raw), "max": maximum}, "too_large")
    if -result.as_tuple().exponent > places:
        raise CellProblem(PROBLEM_TOO_MANY_DECIMALS % {"value": quoted(raw), "places": places}, "too_many_decimals")
    plain = sign.replace("+", "") + number
    note = "" if raw == plain else PROBLEM_READ_AS % {"value": quoted(raw), "read": result}
    return result, note


def read_whole(text: str, *, maximum: int):
    """(the cell as an int or None when empty, a note or ""); raises `CellProblem` like `read_decimal`."""
    raw = text.strip()
    if not raw:
        return None, ""
    value, note = read_decimal(raw, places=99, maximum=Decimal(maximum), example="3")
    if value != value.to_integral_value():
        raise CellProblem(PROBLEM_NOT_WHOLE % {"value": quoted(raw)}, "not_whole")
    return int(value), note


YES = {"yes", "y", "true", "1", "x", "oui", "ja", "si"}
NO = {"no", "n", "false", "0", "non", "nein", ""}


def read_yes_no(text: str) -> bool:
    value = normal(text)
    if value in YES or text.strip() in ("✓", "✔"):
        return True
    if value in NO:
        return False
    raise CellProblem(PROBLEM_NOT_YES_NO % {"value": quoted(text)}, "not_yes_no")


class Choices:
    """A fixed vocabulary (a `TextChoices`, or terms from the database) read by label or code."""

    def __init__(self, what: str, pairs):
        # pairs: (the value to store, its label, its code)
        self.what = what
        self.pairs = list(pairs)
        self.by_key = {}
        for value, _label, code in self.pairs:
            self.by_key.setdefault(normal(code), value)
        for value, label, _code in self.pairs:
            self.by_key.setdefault(normal(label), value)

    @classmethod
    def of(cls, what, choices):
        return cls(what, [(member.value, str(member.label), member.value) for member in choices])

    @classmethod
    def terms(cls, what, queryset):
        return cls(what, [(term, term.name, term.slug) for term in queryset])

    def find(self, text: str):
        return self.by_key.get(normal(text))

    def read(self, text: str):
        """The value named by `text`; raises `CellProblem` naming the choices when none is."""
        value = self.find(text)
        if value is None:
            raise CellProblem(
                PROBLEM_UNKNOWN_CHOICE
                % {"value": quoted(text), "what": self.what, "choices": listed(label for _v, label, _c in self.pairs)},
                "unknown_choice",
            )
        return value

    def label_of(self, value) -> str:
        return next((label for v, label, _c in self.pairs if v == value), "")

    def written(self, value) -> str:
        """How the export writes `value`: its label, or its code when another choice shares the label."""
        if value in (None, ""):
            return ""
        for v, label, code in self.pairs:
            if v == value:
                return label if self.by_key.get(normal(label)) == v else code
        return str(value)

    def guide(self):
        return [(label, code) for _v, label, code in self.pairs]


class Vocabulary:
    """Every vocabulary a row is read with, the database's read once (six queries) for a whole file."""

    def __init__(self):
        self.production_method = Choices.of(_("a production method"), ProductionMethod)
        self.made_by = Choices.of(_("a maker"), MadeBy)
        self.availability = Choices.of(_("an availability"), Availability)
        self.construction = Choices.of(_("a construction"), Construction)
        self.gem_source = Choices.of(_("a stone source"), GemSource)
        self.treatment = Choices.of(_("a stone treatment"), StoneTreatment)
        self.weight_unit = Choices.of(_("a weight unit"), WeightUnit)
        self.step = Choices.of(_("a production step"), ProductionStepKind)
        self.done = Choices.of(_("a way a step is done"), StepDoneBy)
        self.option = Choices.of(_("a kind of personalization"), PersonalizationKind)
        self.category = Choices.terms(_("a category"), Category.objects.all())
        self.material = Choices.terms(_("a material"), MaterialTerm.objects.all())
        self.certification = Choices.terms(_("a certification"), Certification.objects.all())
        self.techniques = Choices.terms(_("a technique"), Technique.objects.all())
        self.traditions = Choices.terms(_("a tradition"), Tradition.objects.all())
        self.styles = Choices.terms(_("a style"), Style.objects.all())


# --- Atelier's template --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """
    One column of the template: its `name`, the model `field` it fills, how its cell is read (`kind`:
    text, choice, term, terms, yes_no, decimal, whole, photo), the vocabulary's name on `Vocabulary`
    for choices and terms, whether every row needs it, what it means, and an example.
    """

    name: str
    field: str
    kind: str
    vocabulary: str = ""
    required: bool = False
    help: str = ""
    example: str = ""
    places: int = 2
    maximum: Any = None


def _text(name, model=Piece, field_name=None, **kwargs):
    field_name = field_name or name
    return Column(name, field_name, "text", maximum=model._meta.get_field(field_name).max_length, **kwargs)


PIECE_COLUMNS = [
    Column(
        "atelier_id",
        "piece_id",
        "whole",
        help="Atelier's number for the piece, written by the export. Leave it empty for a new piece.",
        maximum=2**63 - 1,
    ),
    _text(
        "sku",
        help="Your own reference for the piece. A row with the SKU of one of your pieces updates it.",
        example="RING-014",
    ),
    _text("title", required=True, help="The piece's name as shoppers see it.", example="Hammered silver band"),
    Column("category", "category", "term", "category", required=True, help="One of our categories.", example="Rings"),
    Column("description", "description", "text", help="What the piece is, in your words."),
    Column("production_method", "production_method", "choice", "production_method", help="How the piece is made."),
    Column("made_by", "made_by", "choice", "made_by", help="Who made it (the artisan when empty)."),
    _text("production_partner", help="The outside workshop or factory, when a partner made it."),
    Column("uses_bought_components", "uses_bought_components", "yes_no", help="Bought clasps or chains: yes or no."),
    Column("techniques", "techniques", "terms", "techniques", help="Techniques, separated by commas."),
    Column(
        "labor_hours", "labor_hours", "decimal", help="Hours of work in one piece.", places=1, maximum=MAX_LABOR_HOURS
    ),
    Column(
        "availability",
        "availability",
        "choice",
        "availability",
        required=True,
        help="How many there are.",
        example="One of a kind",
    ),
    Column(
        "edition_size",
        "edition_size",
        "whole",
        help="For a limited edition: how many will ever be made.",
        maximum=MAX_COUNTS["edition_size"],
    ),
    Column(
        "lead_time_days",
        "lead_time_days",
        "whole",
        help="For made to order: days from the order to shipping.",
        maximum=MAX_COUNTS["lead_time_days"],
    ),
    Column(
        "stock", "stock", "whole", help="How many are ready to ship now (0 when empty).", maximum=MAX_COUNTS["stock"]
    ),
    Column(
        "price", "price", "decimal", required=True, help="In the site's currency.", example="180.00", maximum=MAX_PRICE
    ),
    Column("materials_cost", "materials_cost", "decimal", help="Optional: the materials' cost.", maximum=MAX_PRICE),
    Column("labor_cost", "labor_cost", "decimal", help="Optional: the labor's cost.", maximum=MAX_PRICE),
    Column("variation_note", "variation_note", "text", help="How each piece differs from the photos."),
    Column("care_instructions", "care_instructions", "text", help="How to keep the piece."),
    Column("lifetime_repairs", "lifetime_repairs", "yes_no", help="Repaired for as long as it is worn: yes or no."),
    Column("resizing", "resizing", "yes_no", help="Resized after purchase: yes or no."),
    Column(
        "warranty_months",
        "warranty_months",
        "whole",
        help="Months you repair faults for free (0 when empty).",
        maximum=MAX_COUNTS["warranty_months"],
    ),
    Column("design_story", "design_story", "text", help="What inspired the piece."),
    Column("traditions", "traditions", "terms", "traditions", help="Craft traditions, separated by commas."),
    Column("styles", "styles", "terms", "styles", help="Styles, separated by commas.", example="Minimal, Everyday"),
]

# The numbered columns of each list: (suffix, column). The first part (suffix "") names the row.
MATERIAL_PARTS = [
    ("", Column("material", "material", "term", "material", help="One of our materials.", example="Sterling silver")),
    ("purity", _text("purity", PieceMaterial, help="For metals: 18k, 925, 950…", example="925")),
    ("construction", Column("construction", "construction", "choice", "construction", help="For metals.")),
    (
        "plating_microns",
        Column(
            "plating_microns",
            "plating_thickness_microns",
            "decimal",
            help="For plated metal: the layer's thickness in microns.",
            maximum=Decimal("999.99"),
        ),
    ),
    ("recycled", Column("recycled", "recycled", "yes_no", help="Recycled: yes or no.")),
    ("origin", _text("origin", PieceMaterial, help="The country or mine it comes from.")),
    ("gem_source", Column("gem_source", "gem_source", "choice", "gem_source", help="For stones.")),
    ("treatment", Column("treatment", "treatment", "choice", "treatment", help="For stones.")),
    ("certification", Column("certification", "certification", "term", "certification", help="A certification claim.")),
    ("certificate_number", _text("certificate_number", PieceMaterial, help="The certificate's number, if any.")),
    ("weight", Column("weight", "weight", "decimal", help="In grams or carats.", maximum=Decimal("999999.99"))),
    ("weight_unit", Column("weight_unit", "weight_unit", "choice", "weight_unit", help="g or ct (g when empty).")),
]
STEP_PARTS = [
    (
        "",
        Column(
            "step", "step", "choice", "step", help="A step of making the piece.", example="Fabrication and soldering"
        ),
    ),
    ("done", Column("done", "done", "choice", "done", help="Who or what did it.", example="By hand")),
    ("partner", _text("partner", ProductionStep, "partner_name", help="The partner, when one did the step.")),
    ("note", _text("note", ProductionStep, help="How the step was done, in a line.")),
]
OPTION_PARTS = [
    ("", Column("option", "kind", "choice", "option", help="A kind of personalization you offer.")),
    (
        "max_characters",
        Column("max_characters", "max_characters", "whole", help="For engraving: the most letters.", maximum=MAX_SMALL),
    ),
    (
        "extra_price",
        Column("extra_price", "extra_price", "decimal", help="Added to the price (0 when empty).", maximum=MAX_PRICE),
    ),
    (
        "extra_lead_days",
        Column("extra_lead_days", "extra_lead_days", "whole", help="Days added (0 when empty).", maximum=MAX_SMALL),
    ),
    ("note", _text("note", PersonalizationOption, help="What can be chosen.")),
]
PHOTO_PARTS = [
    ("", Column("photo", "name", "photo", help="A file name in your zip of photos, or its address (https://…).")),
    ("alt", _text("alt", PieceImage, "alt_text", help="What the photo shows, for people who cannot see it.")),
    ("process", Column("process", "is_process_photo", "yes_no", help="A photo of the making: yes or no.")),
]
LISTS = {"material": MATERIAL_PARTS, "step": STEP_PARTS, "option": OPTION_PARTS, "photo": PHOTO_PARTS}
# What a list's row is called in messages.
LIST_WHAT = {"material": "material", "step": "step", "option": "option", "photo": "photo"}
# The empty values of the parts a cell left empty gives.
PART_DEFAULTS = {"weight_unit": WeightUnit.GRAMS, "extra_price": Decimal("0"), "extra_lead_days": 0}
PIECE_DEFAULTS = {"made_by": MadeBy.ARTISAN, "stock": 0, "warranty_months": 0}
NUMBERED = re.compile(r"^(material|step|option|photo)_(\d{1,3})(?:_([a-z_]+))?$")


def list_headers(prefix: str, number: int) -> list[str]:
    return [f"{prefix}_{number}" + (f"_{suffix}" if suffix else "") for suffix, _column in LISTS[prefix]]


def template_headers(counts: dict[str, int] | None = None) -> list[str]:
    """The template's header row, with `counts` numbered rows of each list (TEMPLATE_COUNTS by default)."""
    counts = {**TEMPLATE_COUNTS, **(counts or {})}
    headers = [column.name for column in PIECE_COLUMNS]
    for prefix in LISTS:
        for number in range(1, counts[prefix] + 1):
            headers += list_headers(prefix, number)
    return headers


def template_csv() -> bytes:
    """The template a maker downloads: its header row, in UTF-8 with a byte order mark."""
    return write_table(template_headers(), [])


def column_key(header: str) -> str:
    """A header as the template names it: "Production method" and "production-method" are production_method."""
    return "_".join(normal(header).split())


ETSY_REQUIRED = {"TITLE", "DESCRIPTION", "PRICE", "CURRENCY_CODE", "QUANTITY"}
ETSY_HEADERS = [
    "TITLE",
    "DESCRIPTION",
    "PRICE",
    "CURRENCY_CODE",
    "QUANTITY",
    "TAGS",
    "MATERIALS",
    *[f"IMAGE{n}" for n in range(1, 11)],
    "VARIATION 1 TYPE",
    "VARIATION 1 NAME",
    "VARIATION 1 VALUES",
    "VARIATION 2 TYPE",
    "VARIATION 2 NAME",
    "VARIATION 2 VALUES",
    "SKU",
]
ETSY_KNOWN = {*ETSY_HEADERS, "CATEGORY"}
ETSY_VARIATION = re.compile(r"^VARIATION (\d+) (TYPE|NAME|VALUES)$")
ATELIER_REQUIRED = {"title", "category", "price"}


def detect_format(headers: list[str]) -> ImportFormat | None:
    """
    Which file a header row starts: Etsy's listings export (TITLE, DESCRIPTION, PRICE, CURRENCY_CODE
    and QUANTITY, in any case), Atelier's template (at least title, category and price), or None.
    """
    upper = {header.strip().upper() for header in headers}
    if ETSY_REQUIRED <= upper:
        return ImportFormat.ETSY
    if ATELIER_REQUIRED <= {column_key(header) for header in headers}:
        return ImportFormat.ATELIER
    return None


def table_format(table: Table) -> ImportFormat:
    """The table's format; raises `SheetError` when its header is unknown or names a column twice."""
    format = detect_format(table.headers)
    if format is None:
        raise SheetError(
            ERROR_UNKNOWN_HEADER % {"headers": quoted(", ".join(table.headers)) or "(nothing)"}, code="unknown_header"
        )
    keys = [_header_key(header, format) for header in table.headers if header.strip()]
    seen = set()
    for header, key in zip([h for h in table.headers if h.strip()], keys, strict=True):
        if key in seen:
            raise SheetError(ERROR_DUPLICATE_COLUMN % {"column": quoted(header)}, code="duplicate_column")
        seen.add(key)
    return format


def _header_key(header: str, format) -> str:
    return header.strip().upper() if format == ImportFormat.ETSY else column_key(header)


def _known_atelier(key: str) -> bool:
    if key in {column.name for column in PIECE_COLUMNS}:
        return True
    match = NUMBERED.match(key)
    return bool(
        match
        and 1 <= int(match[2]) <= MAX_COUNT[match[1]]
        and (match[3] or "") in {suffix for suffix, _column in LISTS[match[1]]}
    )


NOTE_COLUMN_IGNORED = "not a column we read; its cells are left out."


def header_notes(table: Table, *, format) -> list[Problem]:
    """Notes on the header row: the columns the file has that are not read (ignored, not refused)."""
    notes = []
    for header in table.headers:
        if not header.strip():
            continue
        key = _header_key(header, format)
        known = (key in ETSY_KNOWN or ETSY_VARIATION.match(key)) if format == ImportFormat.ETSY else _known_atelier(key)
        if not known:
            notes.append(Problem(table.header_number, header, NOTE_COLUMN_IGNORED, "column_ignored", False))
    return notes


def parse_rows(table: Table, *, format, vocabulary: Vocabulary | None = None) -> list[RowDraft]:
    """
    A `RowDraft` per row of the table, read as `format` (an `ImportFormat`): a fixed number of queries
    (the vocabularies, once), whatever the number of rows. An `atelier_id` given on two rows is a
    blocking problem on the second (a SKU given twice is the preview's: `catalog.imports.plan`).
    """
    vocabulary = vocabulary or Vocabulary()
    reader = _EtsyRow if format == ImportFormat.ETSY else _AtelierRow
    columns = {}
    for index, header in enumerate(table.headers):
        if header.strip():
            columns.setdefault(_header_key(header, format), (index, header))
    drafts = []
    ids = {}
    for row in table.rows:
        draft = reader(row, columns, vocabulary).read()
        if draft.piece_id is not None:
            first = ids.setdefault(draft.piece_id, draft.number)
            if first != draft.number:
                draft.problems.append(
                    _problem(
                        draft, columns, "atelier_id", PROBLEM_ID_TWICE, "id_twice", value=draft.piece_id, other=first
                    )
                )
        drafts.append(draft)
    return drafts


def _problem(draft, columns, key, message, code, **params):
    header = columns.get(key, (None, key))[1]
    return Problem(draft.number, header, message % params, code, True)


class _RowReader:
    def __init__(self, row, columns, vocabulary):
        self.row = row
        self.columns = columns
        self.vocabulary = vocabulary
        self.draft = RowDraft(number=row.number)
        # The steps' and options' kinds already given on this row, by the column that gave them.
        self.seen = {}

    def has(self, key):
        return key in self.columns

    def cell(self, key) -> str:
        index = self.columns.get(key, (None,))[0]
        return "" if index is None else self.row.cell(index)

    def header(self, key) -> str:
        return self.columns.get(key, (None, key))[1]

    def note(self, key, message, code):
        self.draft.problems.append(Problem(self.row.number, self.header(key) if key else "", message, code, False))

    def error(self, key, message, code):
        self.draft.problems.append(Problem(self.row.number, self.header(key) if key else "", message, code, True))

    def value(self, key, column: Column):
        """The cell of `key` read as `column` says; a problem is recorded and None returned when it cannot be."""
        text = self.cell(key)
        try:
            value, note = self.convert(text, column)
        except CellProblem as problem:
            self.error(key, problem.message, problem.code)
            return None
        if note:
            self.note(key, note, "read_as")
        return value

    def convert(self, text, column: Column):
        kind = column.kind
        if kind in ("text", "photo"):
            text = text.strip()
            if column.maximum and len(text) > column.maximum:
                raise CellProblem(PROBLEM_TOO_LONG % {"length": len(text), "max": column.maximum}, "too_long")
            return text, ""
        if kind == "decimal":
            return read_decimal(text, places=column.places, maximum=column.maximum)
        if kind == "whole":
            return read_whole(text, maximum=column.maximum)
        if kind == "yes_no":
            return read_yes_no(text), ""
        vocabulary = getattr(self.vocabulary, column.vocabulary, None)
        if kind in ("choice", "term"):
            return (vocabulary.read(text) if text.strip() else None), ""
        if kind == "terms":
            values = []
            for name in re.split(r"[,;]", text):
                if name.strip():
                    term = vocabulary.read(name)
                    if term not in values:
                        values.append(term)
            return values, ""
        raise ValueError(kind)  # pragma: no cover - every kind is above


class _AtelierRow(_RowReader):
    def read(self) -> RowDraft:
        draft = self.draft
        for column in PIECE_COLUMNS:
            if not self.has(column.name):
                continue
            value = self.value(column.name, column)
            blank = value in (None, "", []) and not self.cell(column.name).strip()
            if column.required and blank:
                self.error(column.name, PROBLEM_REQUIRED % {"what": _what(column)}, "required")
                continue
            if column.name == "atelier_id":
                draft.piece_id = value
            elif column.name == "sku":
                draft.sku = value or ""
            elif value is None and self.cell(column.name).strip():
                continue  # unreadable: its problem is recorded
            else:
                draft.fields[column.field] = _empty_as(column, value)
        draft.materials = self.list_rows("material", self.material)
        draft.steps = self.list_rows("step", self.step)
        draft.options = self.list_rows("option", self.option)
        draft.photos = self.list_rows("photo", self.photo)
        return draft

    def list_rows(self, prefix, make):
        numbers = sorted({int(m[2]) for key in self.columns if (m := NUMBERED.match(key)) and m[1] == prefix})
        numbers = [number for number in numbers if number <= MAX_COUNT[prefix]]
        if not numbers:
            return None
        rows = []
        for number in numbers:
            keys = {suffix: f"{prefix}_{number}" + (f"_{suffix}" if suffix else "") for suffix, _c in LISTS[prefix]}
            filled = [suffix for suffix, key in keys.items() if self.cell(key).strip()]
            if not filled:
                continue
            if "" not in filled:
                for suffix in filled:
                    self.error(
                        keys[suffix],
                        PROBLEM_PART_WITHOUT_MAIN
                        % {
                            "main": self.header(keys[""]) if self.has(keys[""]) else keys[""],
                            "what": LIST_WHAT[prefix],
                        },
                        "part_without_main",
                    )
                continue
            values, ok = {}, True
            for suffix, column in LISTS[prefix]:
                key = keys[suffix]
                if not self.has(key):
                    values[column.field] = _empty_as(column, None, PART_DEFAULTS)
                    continue
                value = self.value(key, column)
                if value is None and self.cell(key).strip():
                    ok = False
                    continue
                values[column.field] = _empty_as(column, value, PART_DEFAULTS)
            if ok:
                made = make(values, len(rows), keys)
                if made is not None:
                    rows.append(made)
        return rows

    def material(self, values, position, keys):
        values["position"] = position
        return values

    def step(self, values, position, keys):
        if not values["done"]:
            self.error(keys["done"], PROBLEM_REQUIRED % {"what": _("who or what did each step")}, "required")
            return None
        if self._repeated("step", values["step"], keys):
            return None
        values["position"] = position
        return values

    def option(self, values, position, keys):
        if self._repeated("option", values["kind"], keys):
            return None
        return values

    def photo(self, values, position, keys):
        text = values["name"]
        name, url = photo_source(text)
        if not name:
            self.error(keys[""], PROBLEM_PHOTO_ADDRESS % {"value": quoted(text)}, "photo_address")
            return None
        return PhotoRef(name=name, url=url, alt=values["alt_text"], is_process_photo=values["is_process_photo"])

    def _repeated(self, prefix, value, keys):
        first = self.seen.setdefault((prefix, value), keys[""])
        if first != keys[""]:
            self.error(
                keys[""],
                PROBLEM_REPEATED % {"value": quoted(self.cell(keys[""])), "other": self.header(first)},
                "repeated",
            )
            return True
        return False


def _what(column: Column) -> str:
    words = {
        "title": _("a title"),
        "category": _("a category"),
        "price": _("a price"),
        "availability": _("an availability"),
    }
    return words.get(column.name, column.name)


def _empty_as(column: Column, value, defaults=PIECE_DEFAULTS):
    """The value an empty cell stands for: the model's default, "" for text and choices, None for numbers."""
    if value not in (None, ""):
        return value
    if column.field in defaults:
        return defaults[column.field]
    if column.kind in ("text", "choice"):
        return ""
    if column.kind == "yes_no":
        return False
    if column.kind == "terms":
        return []
    return None


def photo_source(text: str) -> tuple[str, str]:
    """(the file name to find in the zip, the address or "") for a photo cell; ("", "") when it is neither."""
    text = text.strip()
    if re.match(r"(?i)^[a-z][a-z0-9+.-]*://", text) or text.lower().startswith(("javascript:", "data:", "file:")):
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            return "", ""
        return unquote(parts.path.rsplit("/", 1)[-1]), text
    name = re.split(r"[\\/]", text)[-1].strip()
    return name, ""


# --- Etsy's listings export ----------------------------------------------------------------------

# Etsy's variation names, by the kind of personalization they offer (matched as words of the name).
VARIATION_KINDS = [
    ({"size", "sizes", "length", "lengths", "width", "fit"}, PersonalizationKind.SIZING),
    ({"metal", "metals", "material", "materials", "finish", "gold", "silver"}, PersonalizationKind.METAL_CHOICE),
    (
        {"stone", "stones", "gem", "gemstone", "gemstones", "birthstone", "birthstones"},
        PersonalizationKind.STONE_CHOICE,
    ),
]
OPTION_NOTE_MAX = PersonalizationOption._meta.get_field("note").max_length


class _EtsyRow(_RowReader):
    def read(self) -> RowDraft:
        draft = self.draft
        fields = draft.fields
        if not self.cell("TITLE").strip():
            self.error("TITLE", PROBLEM_REQUIRED % {"what": _("a title")}, "required")
        else:
            title = self.value("TITLE", PIECE_COLUMNS[2])
            if title is not None:
                fields["title"] = title
        fields["description"] = self.cell("DESCRIPTION").strip()
        self.price()
        self.quantity()
        draft.sku = (self.value("SKU", PIECE_COLUMNS[1]) or "") if self.has("SKU") else ""
        tags = [tag.strip() for tag in self.cell("TAGS").split(",") if tag.strip()]
        self.category(tags)
        self.styles(tags)
        self.materials()
        self.options()
        self.photos()
        self.note("", PROBLEM_NOT_STATED, "not_stated")
        return draft

    def price(self):
        currency = self.cell("CURRENCY_CODE").strip().upper()
        site = settings.CURRENCY.upper()
        if not currency:
            self.note("CURRENCY_CODE", PROBLEM_CURRENCY_ASSUMED % {"site": site}, "currency_assumed")
        elif currency != site:
            self.error("CURRENCY_CODE", PROBLEM_CURRENCY % {"currency": quoted(currency), "site": site}, "currency")
        if not self.cell("PRICE").strip():
            self.error("PRICE", PROBLEM_REQUIRED % {"what": _("a price")}, "required")
            return
        price = self.value("PRICE", PIECE_COLUMNS[[c.name for c in PIECE_COLUMNS].index("price")])
        if price is not None:
            self.draft.fields["price"] = price

    def quantity(self):
        column = Column("stock", "stock", "whole", maximum=MAX_COUNTS["stock"])
        quantity = self.value("QUANTITY", column)
        if quantity is None:
            return
        # An Etsy listing is an offer renewed as it sells: open stock, the quantity ready now. The note
        # asks the maker to say so when the piece is one of a kind, an edition or made to order.
        self.draft.fields["stock"] = quantity
        self.draft.fields["availability"] = Availability.OPEN_STOCK
        self.note("QUANTITY", PROBLEM_STOCK_OPEN % {"quantity": quantity}, "open_stock")

    def category(self, tags):
        categories = self.vocabulary.category
        if self.has("CATEGORY") and self.cell("CATEGORY").strip():
            value = self.value("CATEGORY", Column("category", "category", "term", "category"))
            if value is not None:
                self.draft.fields["category"] = value
            return
        words = {}
        for term, label, slug in categories.pairs:
            for word in normal(f"{label} {slug}").split():
                if word not in ("and",):
                    words.setdefault(_singular(word), term)
        for source, texts in ((_("tags"), tags), (_("title"), [self.cell("TITLE")])):
            for text in texts:
                for word in normal(text).split():
                    term = words.get(_singular(word))
                    if term is not None:
                        self.draft.fields["category"] = term
                        self.note(
                            "CATEGORY" if self.has("CATEGORY") else "TAGS" if source == _("tags") else "TITLE",
                            PROBLEM_CATEGORY_GUESSED % {"category": term.name, "source": source},
                            "category_guessed",
                        )
                        return
        self.error(
            "CATEGORY" if self.has("CATEGORY") else "",
            PROBLEM_CATEGORY_UNKNOWN % {"choices": listed(label for _t, label, _s in categories.pairs)},
            "category_unknown",
        )

    def styles(self, tags):
        styles, ignored = [], []
        for tag in tags:
            style = self.vocabulary.styles.find(tag)
            if style is None:
                ignored.append(tag)
            elif style not in styles:
                styles.append(style)
        if styles:
            self.draft.fields["styles"] = styles
        if ignored:
            self.note("TAGS", PROBLEM_TAGS_IGNORED % {"tags": listed(quoted(tag) for tag in ignored)}, "tags_ignored")

    def materials(self):
        names = [name.strip() for name in self.cell("MATERIALS").split(",") if name.strip()]
        found, unknown = [], []
        for name in names:
            material = self.vocabulary.material.find(name)
            if material is None:
                unknown.append(name)
            elif material not in [row["material"] for row in found]:
                # Only what the file names: no purity, construction or provenance is claimed.
                found.append({"material": material, "position": len(found)})
        if found:
            self.draft.materials = found
        if unknown:
            self.note(
                "MATERIALS",
                PROBLEM_MATERIALS_TO_PICK % {"names": listed(quoted(name) for name in unknown)},
                "materials_to_pick",
            )

    def options(self):
        numbers = sorted({int(m[1]) for key in self.columns if (m := ETSY_VARIATION.match(key))})
        options = []
        for number in numbers:
            name = self.cell(f"VARIATION {number} NAME").strip() or self.cell(f"VARIATION {number} TYPE").strip()
            values = self.cell(f"VARIATION {number} VALUES").strip()
            if not name and not values:
                continue
            kind = _variation_kind(name)
            key = f"VARIATION {number} NAME" if self.has(f"VARIATION {number} NAME") else f"VARIATION {number} TYPE"
            if kind is None or kind in [option["kind"] for option in options]:
                self.note(key, PROBLEM_VARIATION_IGNORED % {"name": quoted(name or values)}, "variation_ignored")
                continue
            note = f"{name}: {values}" if values else name
            if len(note) > OPTION_NOTE_MAX:
                note = note[: OPTION_NOTE_MAX - 1] + "…"
            options.append(
                {"kind": kind, "max_characters": None, "extra_price": Decimal("0"), "extra_lead_days": 0, "note": note}
            )
            self.note(
                key,
                PROBLEM_OPTION_TO_CONFIRM % {"kind": PersonalizationKind(kind).label, "values": quoted(values or name)},
                "option_to_confirm",
            )
        if options:
            self.draft.options = options

    def photos(self):
        photos = []
        for number in range(1, 11):
            key = f"IMAGE{number}"
            text = self.cell(key).strip()
            if not text:
                continue
            name, url = photo_source(text)
            if not name:
                self.error(key, PROBLEM_PHOTO_ADDRESS % {"value": quoted(text)}, "photo_address")
                continue
            photos.append(PhotoRef(name=name, url=url))
        if photos:
            self.draft.photos = photos


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("ch", "sh", "x", "ss")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _variation_kind(name: str):
    words = set(normal(name).split())
    for names, kind in VARIATION_KINDS:
        if words & names:
            return kind
    return None


# --- The guide -----------------------------------------------------------------------------------

FILE_RULES = [
    "Save the file as CSV (comma- or semicolon-separated); UTF-8 is best, and Excel's own encodings are read too.",
    "At most %(rows)s rows of pieces and %(megabytes)s MB per file: split a larger catalog into several files.",
    "The first row names the columns; each row below it is one piece. Rows are numbered as your spreadsheet "
    "numbers them, the header being row 1.",
    "A row with the SKU (or the atelier_id) of one of your pieces updates that piece; any other row makes a new "
    "draft. A column you leave out is left as it is; an empty cell empties the field.",
    "Choices are written as their name or their code, in any case, with or without accents.",
    "From an Etsy listings file: QUANTITY becomes the stock, read as open stock; how each piece is made, by whom, "
    "and where its materials come from are left for you to say in the draft.",
]


def file_rules() -> list[str]:
    """The rules of the file as a whole, in words, with the site's limits (IMPORT_MAX_ROWS, IMPORT_MAX_CSV_BYTES)."""
    limits = {
        "rows": f"{settings.IMPORT_MAX_ROWS:,}",
        "megabytes": f"{settings.IMPORT_MAX_CSV_BYTES / (1024 * 1024):g}",
    }
    return [rule % limits if "%(" in rule else rule for rule in FILE_RULES]


@dataclass(frozen=True)
class GuideColumn:
    """One column (or numbered family of columns) of the template, for the import page's guide."""

    name: str
    help: str
    required: bool
    values: list  # [(label, code)] of the allowed values; [] for free text and numbers
    example: str


KIND_HELP = {
    "yes_no": "yes or no",
    "decimal": "a number, like 12.50",
    "whole": "a whole number",
    "terms": "several, separated by commas",
}


def template_guide(vocabulary: Vocabulary | None = None) -> list[GuideColumn]:
    """
    The template's columns in order, with the allowed values of each (labels and codes, both accepted),
    read in six queries; the numbered lists appear once each ("material_1 … material_20").
    """
    vocabulary = vocabulary or Vocabulary()
    guide = []

    def add(name, column: Column):
        values = getattr(vocabulary, column.vocabulary).guide() if column.vocabulary else []
        help_text = column.help
        if column.kind in KIND_HELP:
            help_text = f"{help_text} ({KIND_HELP[column.kind]})"
        guide.append(GuideColumn(name, help_text, column.required, values, column.example))

    for column in PIECE_COLUMNS:
        add(column.name, column)
    for prefix, parts in LISTS.items():
        for suffix, column in parts:
            tail = f"_{suffix}" if suffix else ""
            add(f"{prefix}_1{tail} … {prefix}_{MAX_COUNT[prefix]}{tail}", column)
    return guide
