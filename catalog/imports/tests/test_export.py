"""The export of a maker's pieces: a round trip through the template, formulas made inert, owners only."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from artisans.choices import ArtisanStatus, WorkshopSize
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import Availability, Construction, MadeBy, PieceStatus, ProductionMethod, StepDoneBy
from catalog.imports.columns import (
    LISTS,
    PIECE_COLUMNS,
    detect_format,
    header_notes,
    parse_rows,
    table_format,
    template_headers,
)
from catalog.imports.export import export_csv
from catalog.imports.jobs import import_job_run, import_job_start
from catalog.imports.plan import import_job_preview
from catalog.imports.sheets import read_table
from catalog.models import (
    ImportFormat,
    ImportState,
    PersonalizationOption,
    Piece,
    PieceImage,
    PieceMaterial,
    ProductionStep,
)
from catalog.studio.import_files_views import EXPORT_FILE_NAME, TEMPLATE_FILE_NAME
from catalog.tests.factories import (
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)

pytestmark = pytest.mark.django_db

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example","Click")',
    "description": "+1+2 <script>alert(1)</script>",
    "design_story": "-2+3",
    "care_instructions": "@SUM(1,2)",
    # Text is stored stripped (as the studio's forms strip it), so a tab or a return never begins a
    # stored value; test_sheets holds that such cells are guarded too.
    "variation_note": "=1+1 hammer marks vary",
    "production_partner": "'=already quoted",
}


@pytest.fixture
def maker():
    return ArtisanFactory(workshop_size=WorkshopSize.SMALL_TEAM)


@pytest.fixture
def full_piece(maker, terms):
    """A piece that uses every field, every list, and text that spreadsheets would run."""
    piece = PieceFactory(
        artisan=maker,
        sku="RING-014",
        category=terms["necklaces"],
        production_method=ProductionMethod.HAND_FINISHED,
        made_by=MadeBy.PRODUCTION_PARTNER,
        uses_bought_components=True,
        labor_hours=Decimal("3.5"),
        availability=Availability.LIMITED_EDITION,
        edition_size=20,
        stock=4,
        price=Decimal("1234.50"),
        materials_cost=Decimal("200.00"),
        labor_cost=Decimal("300.25"),
        lifetime_repairs=True,
        resizing=True,
        warranty_months=24,
        **FORMULAS,
    )
    piece.techniques.set([terms["forging"], terms["repousse"]])
    piece.traditions.set([terms["filigree"]])
    piece.styles.set([terms["minimal"], terms["everyday"]])
    PieceMaterialFactory(
        piece=piece,
        material=terms["gold"],
        purity="18k",
        construction=Construction.PLATED,
        plating_thickness_microns=Decimal("2.50"),
        recycled=True,
        origin="-Porto, Portugal",
        certification=terms["fairmined"],
        certificate_number="=FM-2024",
        weight=Decimal("4.20"),
        position=0,
    )
    PieceMaterialFactory(
        piece=piece,
        material=terms["moonstone"],
        purity="",
        construction="",
        gem_source="natural",
        treatment="untreated",
        weight=Decimal("1.25"),
        weight_unit="ct",
        position=1,
    )
    ProductionStepFactory(piece=piece, step="design", done=StepDoneBy.BY_HAND, note="@sketchbook", position=0)
    ProductionStepFactory(
        piece=piece, step="casting", done=StepDoneBy.BY_PARTNER, partner_name="Casting Co.", note="Lost wax", position=1
    )
    PersonalizationOptionFactory(piece=piece, kind="engraving", max_characters=12, extra_price=Decimal("15.00"))
    PersonalizationOptionFactory(
        piece=piece, kind="sizing", max_characters=None, extra_lead_days=3, note="-sizes 4 to 12"
    )
    PieceImageFactory(piece=piece, alt_text="=The pendant on linen", position=0)
    PieceImageFactory(piece=piece, alt_text="At the bench", is_process_photo=True, position=1)
    return piece


def values_of(piece):
    """Everything the template holds about a piece, as the model has it."""
    fields = {}
    for column in PIECE_COLUMNS:
        if column.name in ("atelier_id", "sku"):
            continue
        value = getattr(piece, column.field)
        fields[column.field] = list(value.all()) if column.kind == "terms" else value
    parts = {prefix: [column.field for _suffix, column in parts] for prefix, parts in LISTS.items()}
    return {
        "piece_id": piece.pk,
        "sku": piece.sku,
        "fields": fields,
        "materials": [{name: getattr(m, name) for name in parts["material"]} for m in piece.materials.all()],
        "steps": [{name: getattr(s, name) for name in parts["step"]} for s in piece.production_steps.all()],
        "options": [{name: getattr(o, name) for name in parts["option"]} for o in piece.personalization_options.all()],
        "photos": [
            (image.image.name.rsplit("/", 1)[-1], image.alt_text, image.is_process_photo)
            for image in piece.images.all()
        ],
    }


def values_read(draft):
    def without_position(rows):
        return [{name: value for name, value in row.items() if name != "position"} for row in rows]

    return {
        "piece_id": draft.piece_id,
        "sku": draft.sku,
        "fields": draft.fields,
        "materials": without_position(draft.materials),
        "steps": without_position(draft.steps),
        "options": draft.options,
        "photos": [(photo.name, photo.alt, photo.is_process_photo) for photo in draft.photos],
    }


def read_back(artisan):
    table = read_table(export_csv(artisan))
    assert detect_format(table.headers) == ImportFormat.ATELIER
    assert header_notes(table, format=ImportFormat.ATELIER) == []
    return parse_rows(table, format=ImportFormat.ATELIER)


def test_exporting_then_reading_back_gives_every_piece_exactly_its_values(maker, full_piece, terms):
    plain = PieceFactory(artisan=maker, title="'Tis the season", sku="", category=terms["rings"])
    hidden = PieceFactory(artisan=maker, status=PieceStatus.HIDDEN, title="Taken down", category=terms["earrings"])
    drafts = read_back(maker)
    assert [draft.piece_id for draft in drafts] == [full_piece.pk, plain.pk, hidden.pk]
    for piece, draft in zip([full_piece, plain, hidden], drafts, strict=True):
        assert draft.problems == []
        assert values_read(draft) == values_of(piece)
    assert drafts[0].fields["title"] == FORMULAS["title"]
    assert drafts[0].materials[0]["certificate_number"] == "=FM-2024"
    assert drafts[0].photos[0].alt == "=The pendant on linen"
    assert [step["position"] for step in drafts[0].steps] == [0, 1]


def test_the_export_writes_formulas_so_that_spreadsheets_do_not_run_them(maker, full_piece):
    text = export_csv(maker).decode("utf-8-sig")
    assert "'=HYPERLINK(" in text
    assert "'+1+2 <script>" in text
    for cell in text.replace("\r\n", ",").split(","):
        assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t"))


def test_the_export_writes_as_many_numbered_columns_as_its_fullest_piece_needs(maker, terms):
    piece = PieceFactory(artisan=maker, category=terms["rings"])
    for position in range(5):
        PieceMaterialFactory(piece=piece, material=terms["brass"], position=position)
    table = read_table(export_csv(maker))
    assert "material_5_weight_unit" in table.headers
    assert "material_6" not in table.headers
    assert table.headers[: len(PIECE_COLUMNS)] == template_headers()[: len(PIECE_COLUMNS)]
    (draft,) = parse_rows(table, format=ImportFormat.ATELIER)
    assert len(draft.materials) == 5


def test_the_export_holds_only_the_makers_own_pieces(maker, full_piece, terms):
    other = PieceFactory(title="Someone else's ring", category=terms["rings"])
    drafts = read_back(maker)
    assert [draft.piece_id for draft in drafts] == [full_piece.pk]
    assert [draft.piece_id for draft in read_back(other.artisan)] == [other.pk]


def pieces_with_details(artisan, count, terms):
    """`count` pieces, each with a style, a material, a step, an option and a photo (rows made in bulk: fast)."""
    pieces = PieceFactory.create_batch(count, artisan=artisan, category=terms["rings"])
    photo = PieceImageFactory(piece=pieces[0]).image.name
    Piece.styles.through.objects.bulk_create(
        [Piece.styles.through(piece=piece, style=terms["minimal"]) for piece in pieces]
    )
    PieceMaterial.objects.bulk_create([PieceMaterial(piece=piece, material=terms["sterling"]) for piece in pieces])
    ProductionStep.objects.bulk_create([ProductionStep(piece=piece, step="design", done="by_hand") for piece in pieces])
    PersonalizationOption.objects.bulk_create(
        [PersonalizationOption(piece=piece, kind="engraving", max_characters=9) for piece in pieces]
    )
    PieceImage.objects.bulk_create([PieceImage(piece=piece, image=photo, alt_text="A ring") for piece in pieces[1:]])


@pytest.mark.parametrize("count", [2, 20])
def test_the_export_costs_the_same_queries_for_2_or_20_pieces(
    client, maker, terms, count, django_assert_max_num_queries
):
    pieces_with_details(maker, count, terms)
    client.force_login(maker.user)
    # 19 whatever the count: the session, the user and the maker; the pieces with their category, then
    # their techniques, traditions, styles, materials (with material and certification), steps, photos
    # and options (one query each); the six vocabularies the labels are read from; the request's savepoints.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("studio:export"))
    assert response.status_code == 200
    assert len(read_table(response.content)) == count


# --- The two downloads ----------------------------------------------------------------------------


def test_the_owner_downloads_their_pieces_as_an_attachment(client, maker, full_piece, terms):
    client.force_login(maker.user)
    response = client.get(reverse("studio:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="atelier-pieces-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert EXPORT_FILE_NAME.startswith("atelier-pieces-")
    assert "no-store" in response["Cache-Control"]
    assert response.content == export_csv(maker)


def test_any_maker_downloads_the_template_and_a_pending_one_too(client, terms):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(pending.user)
    response = client.get(reverse("studio:import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{TEMPLATE_FILE_NAME}"'
    assert read_table(response.content + b"Ring,Rings,1\n").headers == template_headers()


@pytest.mark.parametrize("name", ["studio:export", "studio:import_template"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["studio:export", "studio:import_template"])
@pytest.mark.parametrize("who", ["shopper", "staff"])
def test_a_shopper_or_staff_without_a_maker_profile_is_sent_to_apply(client, name, who, maker, terms):
    PieceFactory(artisan=maker, sku="RING-014", category=terms["rings"])
    client.force_login(UserFactory() if who == "shopper" else StaffFactory())
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("studio:apply")
    assert b"RING-014" not in response.content


def test_another_maker_gets_only_their_own_pieces(client, maker, terms):
    PieceFactory(artisan=maker, sku="RING-014", category=terms["rings"])
    other = ArtisanFactory()
    theirs = PieceFactory(artisan=other, sku="THEIRS-1", category=terms["rings"])
    client.force_login(other.user)
    response = client.get(reverse("studio:export"))
    drafts = parse_rows(read_table(response.content), format=ImportFormat.ATELIER)
    assert [draft.piece_id for draft in drafts] == [theirs.pk]
    assert b"RING-014" not in response.content


def test_exporting_again_and_again_is_limited(client, maker, settings, terms):
    settings.IMPORT_EXPORTS_PER_MINUTE = 2
    PieceFactory(artisan=maker, category=terms["rings"])
    client.force_login(maker.user)
    assert [client.get(reverse("studio:export")).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(reverse("studio:import_template")).status_code == 200


def test_a_maker_with_no_pieces_exports_the_header_row_alone(client, maker):
    client.force_login(maker.user)
    response = client.get(reverse("studio:export"))
    assert response.content.decode("utf-8-sig").strip() == ",".join(template_headers())


# --- The round trip through the import (issue 19, item 5) ---------------------------

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def catalog_of(artisan):
    """Everything an import could change of the maker's pieces, as plain values."""
    pieces = Piece.objects.filter(artisan=artisan).order_by("pk")
    return {
        "pieces": [
            {**model_to_dict(piece), "updated_at": piece.updated_at, "published_at": piece.published_at}
            for piece in pieces.prefetch_related("techniques", "traditions", "styles")
        ],
        "materials": list(PieceMaterial.objects.filter(piece__in=pieces).order_by("pk").values()),
        "steps": list(ProductionStep.objects.filter(piece__in=pieces).order_by("pk").values()),
        "options": list(PersonalizationOption.objects.filter(piece__in=pieces).order_by("pk").values()),
        "photos": list(PieceImage.objects.filter(piece__in=pieces).order_by("pk").values()),
    }


def test_exporting_then_importing_the_file_back_changes_nothing(
    maker,
    full_piece,
    terms,
    settings,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    settings.TASKS = IMMEDIATE
    PieceFactory(artisan=maker, title="'Tis the season", sku="", category=terms["rings"])
    PieceFactory(artisan=maker, title="A draft", sku="D-2", status=PieceStatus.DRAFT, category=terms["earrings"])
    before = catalog_of(maker)

    data = export_csv(maker)
    table = read_table(data)
    found = table_format(table)
    job, plan = import_job_preview(
        artisan=maker,
        actor=maker.user,
        csv_name="export.csv",
        csv_bytes=data,
        format=found,
        rows=parse_rows(table, format=found),
    )
    assert plan.blocked == [] and plan.to_create == []
    assert len(plan.to_update) == 3
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(job=job, actor=maker.user)
    import_job_run.call(job.pk)  # a second run, as a worker restarted after the first: nothing more

    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.pieces_created, job.rows_failed) == (0, 0)
    after = catalog_of(maker)
    for kind in before:
        for old, new in zip(before[kind], after[kind], strict=True):
            assert {k: v for k, v in new.items() if old.get(k) != v} == {}, (kind, old["id"])
    assert after == before
