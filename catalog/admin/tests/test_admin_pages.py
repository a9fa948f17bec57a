"""The catalog admin's pages: piece filters and search, the piece list and change form, collections and makers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory
from catalog.admin.pieces import PieceAdmin
from catalog.admin.tests.admin_helpers import MakerCertificationFactory, admin_url, documented_piece, post_data
from catalog.choices import (
    EvidenceLevel,
    MadeBy,
    MaterialKind,
    PieceStatus,
    ProductionMethod,
    ProductionStepKind,
    StepDoneBy,
)
from catalog.models import Piece, ProductionStep
from catalog.tests.factories import (
    CertificationFactory,
    CollectionFactory,
    CollectionPieceFactory,
    MaterialFactory,
    PieceFactory,
    PieceMaterialFactory,
)

pytestmark = pytest.mark.django_db


def piece_list(client, **params):
    """The pieces the changelist shows for these query parameters."""
    response = client.get(admin_url(Piece, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# --- Piece list filters and search ----------------------------------------------


@pytest.fixture
def sorted_pieces():
    """Pieces that differ in metal, recycling, certification, method, status and evidence."""
    gold = MaterialFactory(name="Gold", slug="gold")
    silver = MaterialFactory(name="Silver", slug="silver")
    pearl = MaterialFactory(name="Pearl", slug="pearl", kind=MaterialKind.PEARL)
    fairmined = CertificationFactory(name="Fairmined", slug="fairmined")
    fair_trade = CertificationFactory(name="Fair trade", slug="fair-trade", certifies="fair_trade")

    recycled_gold = PieceFactory(title="Recycled gold band")
    # Two gold rows, to show a filter never lists a piece twice.
    PieceMaterialFactory(piece=recycled_gold, material=gold, recycled=True, certification=fairmined)
    PieceMaterialFactory(piece=recycled_gold, material=gold, purity="14k")

    mined_silver = PieceFactory(
        title="Cast silver chain", production_method=ProductionMethod.MASS_PRODUCED, status=PieceStatus.HIDDEN
    )
    PieceMaterialFactory(piece=mined_silver, material=silver)
    # A recycled pearl is not recycled metal.
    PieceMaterialFactory(piece=mined_silver, material=pearl, recycled=True)

    fair_maker = PieceFactory(title="Pearl drop", evidence_level=EvidenceLevel.STAFF_VERIFIED)
    PieceMaterialFactory(piece=fair_maker, material=pearl)
    MakerCertificationFactory(artisan=fair_maker.artisan, certification=fair_trade)

    return {"recycled_gold": recycled_gold, "mined_silver": mined_silver, "fair_maker": fair_maker}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"metal": "gold"}, {"recycled_gold"}),
        ({"metal": "silver"}, {"mined_silver"}),
        ({"recycled": "yes"}, {"recycled_gold"}),
        ({"recycled": "no"}, {"mined_silver", "fair_maker"}),
        ({"certification": "fairmined"}, {"recycled_gold"}),
        ({"certification": "fair-trade"}, {"fair_maker"}),
        ({"production_method__exact": ProductionMethod.MASS_PRODUCED}, {"mined_silver"}),
        ({"production_method__exact": ProductionMethod.HANDCRAFTED}, {"recycled_gold", "fair_maker"}),
        ({"status__exact": PieceStatus.HIDDEN}, {"mined_silver"}),
        ({"evidence_level__exact": EvidenceLevel.STAFF_VERIFIED}, {"fair_maker"}),
        ({"evidence_level__exact": EvidenceLevel.SELF_DECLARED}, {"recycled_gold", "mined_silver"}),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "-",
)
def test_each_list_filter_narrows_the_pieces(admin_client, sorted_pieces, params, expected):
    shown = piece_list(admin_client, **params)
    assert sorted(piece.title for piece in shown) == sorted(sorted_pieces[name].title for name in expected)


def test_the_filters_show_counts_on_request(admin_client, sorted_pieces):
    response = admin_client.get(admin_url(Piece, "changelist"), {"_facets": "True"})
    assert response.status_code == 200
    assert "Gold (1)" in response.content.decode()
    assert "Has recycled metal (1)" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Pearl drop", {"fair_maker"}),  # title
        ("chain", {"mined_silver"}),  # title
        ("gold", {"recycled_gold"}),  # title and, twice, material
        ("pearl", {"mined_silver", "fair_maker"}),  # material, and title
    ],
)
def test_search_finds_pieces_by_title_and_material_once_each(admin_client, sorted_pieces, query, expected):
    shown = piece_list(admin_client, q=query)
    assert sorted(piece.title for piece in shown) == sorted(sorted_pieces[name].title for name in expected)


def test_search_finds_pieces_by_maker_name(admin_client):
    piece = PieceFactory(artisan__name="Marta Quintal")
    PieceFactory(artisan__name="Other Maker")
    assert piece_list(admin_client, q="Quintal") == [piece]


def test_search_over_several_matching_materials_lists_the_piece_once(admin_client):
    piece = PieceFactory(title="Layered necklace")
    PieceMaterialFactory(piece=piece, material=MaterialFactory(name="Sterling silver", slug="sterling-silver"))
    PieceMaterialFactory(piece=piece, material=MaterialFactory(name="Fine silver", slug="fine-silver"))
    response = admin_client.get(admin_url(Piece, "changelist"), {"q": "silver"})
    assert list(response.context["cl"].result_list) == [piece]
    assert response.context["cl"].result_count == 1


# --- The piece list page -------------------------------------------------------


def test_the_piece_list_shows_the_cover_thumbnail_with_its_alt_text(admin_client):
    piece = documented_piece()
    cover = piece.images.get(is_process_photo=False)
    response = admin_client.get(admin_url(Piece, "changelist"))
    html = response.content.decode()
    assert f'<img src="{cover.image_thumb.url}" alt="{cover.alt_text}" width="48" height="48">' in html
    # The process photo is not the cover.
    assert "Forging the band" not in html


def test_the_piece_list_marks_evidence_checked_by_staff(admin_client):
    PieceFactory(evidence_level=EvidenceLevel.STUDIO_VISITED)
    PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    html = admin_client.get(admin_url(Piece, "changelist")).content.decode()
    assert html.count('alt="Checked by staff:"') == 1
    assert "Studio visited" in html and "Documented by the maker" in html


def test_staff_verify_certification_claims_from_the_list(admin_client):
    claim = MakerCertificationFactory()
    material = PieceMaterialFactory(certification=claim.certification)
    for row in (claim, material):
        admin_client.post(
            admin_url(row, "changelist"), {"action": "verify_claims", admin.helpers.ACTION_CHECKBOX_NAME: [row.pk]}
        )
        row.refresh_from_db()
        assert row.is_verified


def test_the_piece_fieldsets_show_every_editable_field_once():
    piece_admin = admin.site._registry[Piece]
    names = []
    for _title, options in PieceAdmin.fieldsets:
        for entry in options["fields"]:
            names.extend(entry if isinstance(entry, tuple) else [entry])
    editable = {f.name for f in Piece._meta.get_fields() if getattr(f, "editable", False) and not f.auto_created}
    editable |= {"created_at", "updated_at"}  # auto_now fields: shown read-only
    editable |= {"trust_history"}  # a link to the piece's audit trail, read-only
    assert sorted(names) == sorted(set(names))
    assert set(names) == editable
    assert set(piece_admin.readonly_fields) >= {
        "created_at",
        "updated_at",
        "published_at",
        "evidence_raised_by",
        "evidence_raised_at",
    }


def test_price_is_shown_with_the_site_currency(admin_client, settings):
    PieceFactory(price=Decimal("180.00"))
    response = admin_client.get(admin_url(Piece, "changelist"))
    assert f"180.00 {settings.CURRENCY}" in response.content.decode()


# --- The piece change form -----------------------------------------------------


def test_raising_the_evidence_level_in_the_admin_records_who_and_when(admin_client, admin_user):
    piece = documented_piece()
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    data["evidence_level"] = EvidenceLevel.STAFF_VERIFIED

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.STAFF_VERIFIED
    assert piece.evidence_raised_by == admin_user
    assert timezone.now() - piece.evidence_raised_at < timedelta(minutes=1)


def test_saving_the_form_without_touching_the_evidence_level_records_nobody(admin_client):
    piece = documented_piece()
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    data["title"] = "Renamed ring"

    assert admin_client.post(url, data).status_code == 302
    piece.refresh_from_db()
    assert piece.title == "Renamed ring"
    assert piece.evidence_raised_by is None


def test_publishing_through_the_change_form_sets_the_publication_date(admin_client):
    piece = documented_piece(status=PieceStatus.DRAFT, published_at=None)
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    data["status"] = PieceStatus.PUBLISHED

    assert admin_client.post(url, data).status_code == 302
    piece.refresh_from_db()
    assert piece.status == PieceStatus.PUBLISHED
    assert piece.published_at is not None


def test_a_partner_step_without_the_partners_name_is_a_form_error_not_a_crash(admin_client):
    piece = documented_piece()
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    new = int(data["production_steps-TOTAL_FORMS"])
    data["production_steps-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"production_steps-{new}-piece": str(piece.pk),
            f"production_steps-{new}-step": ProductionStepKind.CASTING,
            f"production_steps-{new}-done": StepDoneBy.BY_PARTNER,
            f"production_steps-{new}-partner_name": "",
            f"production_steps-{new}-position": "2",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Name the partner who did this step." in response.content.decode()
    assert not ProductionStep.objects.filter(piece=piece, step=ProductionStepKind.CASTING).exists()


def test_a_piece_made_by_an_unnamed_partner_is_a_form_error_not_a_crash(admin_client):
    piece = documented_piece()
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    data.update(made_by=MadeBy.PRODUCTION_PARTNER, production_partner="")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Name the production partner who made the piece." in response.content.decode()
    piece.refresh_from_db()
    assert piece.made_by == MadeBy.ARTISAN


# --- Collections and makers -------------------------------------------------------


def test_the_collection_inline_lists_pieces_by_position(admin_client):
    collection = CollectionFactory()
    second = CollectionPieceFactory(collection=collection, position=2, piece__title="Second")
    first = CollectionPieceFactory(collection=collection, position=1, piece__title="First")
    response = admin_client.get(admin_url(collection, "change", collection.pk))
    (inline,) = response.context["inline_admin_formsets"]
    assert [form.instance for form in inline.formset.forms] == [first, second]


def test_reordering_a_collection_through_its_inline(admin_client):
    collection = CollectionFactory()
    a = CollectionPieceFactory(collection=collection, position=1)
    b = CollectionPieceFactory(collection=collection, position=2)
    url = admin_url(collection, "change", collection.pk)
    data = post_data(admin_client.get(url))
    data["entries-0-position"], data["entries-1-position"] = "2", "1"

    assert admin_client.post(url, data).status_code == 302
    assert list(collection.entries.values_list("pk", flat=True)) == [b.pk, a.pk]


def test_the_collection_list_counts_each_collections_pieces(admin_client):
    big, empty = CollectionFactory(title="Big"), CollectionFactory(title="Empty")
    CollectionPieceFactory.create_batch(3, collection=big)
    response = admin_client.get(admin_url(big, "changelist"))
    counts = {c.title: c.pieces_total for c in response.context["cl"].result_list}
    assert counts == {"Big": 3, "Empty": 0}
    assert empty  # listed with no pieces


def test_the_maker_list_counts_each_makers_pieces(admin_client):
    busy, idle = ArtisanFactory(name="Busy"), ArtisanFactory(name="Idle")
    PieceFactory.create_batch(3, artisan=busy)
    response = admin_client.get(admin_url(busy, "changelist"))
    counts = {a.name: a.pieces_total for a in response.context["cl"].result_list}
    assert counts == {"Busy": 3, "Idle": 0}
    assert f"?artisan__id__exact={busy.pk}" in response.content.decode()
    assert piece_list(admin_client, artisan__id__exact=busy.pk) != []
    assert idle
