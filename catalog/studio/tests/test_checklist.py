"""A draft's checklist: what it still needs, the same in the piece form, the list's "Needs details" and publishing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from artisans.tests.factories import ArtisanFactory, StaffFactory
from catalog.choices import PieceStatus
from catalog.models import Piece
from catalog.services import (
    CHECKLIST,
    ERROR_INCOMPLETE,
    NEEDS_ALT_TEXT,
    NEEDS_METHOD,
    NEEDS_PHOTO,
    NEEDS_PROVENANCE,
    NEEDS_STEPS,
    piece_checklist,
    piece_publish,
)
from catalog.studio.forms import ERROR_SKU_TAKEN
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)
from catalog.tests.studio_helpers import existing_formsets, piece_data, piece_files

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("studio:dashboard")


def draft(**kwargs):
    return PieceFactory(status=PieceStatus.DRAFT, published_at=None, **kwargs)


def complete(**kwargs):
    """A draft with everything its checklist asks: a step, a material with its origin, a described photo."""
    piece = draft(**kwargs)
    ProductionStepFactory(piece=piece)
    PieceMaterialFactory(piece=piece, origin="Recycled in Porto")
    PieceImageFactory(piece=piece, alt_text="The ring on a linen cloth")
    return piece


def codes(piece):
    return [item.code for item in piece_checklist(Piece.objects.get(pk=piece.pk))]


def test_a_bare_draft_needs_everything_but_its_method():
    assert codes(draft()) == ["steps", "materials", "provenance", "photo", "alt_text"]


def test_a_complete_draft_needs_nothing():
    assert codes(complete()) == []


@pytest.mark.parametrize(
    ("provenance", "needed"),
    [({}, True), ({"origin": "Bolivia"}, False), ({"recycled": True}, False), ({"certification": "cert"}, False)],
    ids=["nothing", "origin", "recycled", "certification"],
)
def test_a_material_has_its_provenance_from_an_origin_recycled_stock_or_a_certification(provenance, needed):
    piece = complete()
    if provenance.get("certification"):
        provenance = {"certification": CertificationFactory()}
    PieceMaterialFactory(piece=piece, material=MaterialFactory(name="Gold", slug="gold"), **provenance)
    assert ("provenance" in codes(piece)) == needed


def test_a_photo_described_only_by_the_pieces_title_asks_for_words():
    piece = complete(title="Moon ring")
    PieceImageFactory(piece=piece, alt_text="Moon ring")
    assert codes(piece) == ["alt_text"]


def test_a_piece_without_a_method_needs_one():
    piece = complete(production_method="")
    assert codes(piece) == ["method"]


def test_needing_details_finds_exactly_the_pieces_whose_checklist_is_not_empty():
    pieces = [complete(), draft(), complete(production_method=""), complete()]
    PieceImageFactory(piece=pieces[3], alt_text=pieces[3].title)
    expected = {piece.pk for piece in pieces if codes(piece)}
    assert set(Piece.objects.needing_details().values_list("pk", flat=True)) == expected == {p.pk for p in pieces[1:]}


# --- Publishing -------------------------------------------------------------------------------


def test_publishing_is_refused_with_the_checklists_words_for_what_it_needs():
    piece = draft()
    ProductionStepFactory(piece=piece)
    PieceMaterialFactory(piece=piece)
    with pytest.raises(ValidationError) as refused:
        piece_publish(piece=piece, actor=piece.artisan.user)
    assert refused.value.messages == [f"{ERROR_INCOMPLETE} {NEEDS_PHOTO}."]


def test_what_the_checklist_only_advises_does_not_stop_publishing():
    piece = draft()
    PieceMaterialFactory(piece=piece)  # no origin
    PieceImageFactory(piece=piece, alt_text=piece.title)  # described by the title only
    piece_publish(piece=piece, actor=piece.artisan.user)  # and no step
    assert piece.status == PieceStatus.PUBLISHED
    assert {item.code for item in CHECKLIST if not item.blocks_publishing} == {"steps", "provenance", "alt_text"}


def test_nobody_publishes_a_piece_that_does_not_say_how_it_is_made():
    piece = complete(production_method="")
    for actor in (piece.artisan.user, StaffFactory()):
        with pytest.raises(ValidationError) as refused:
            piece_publish(piece=piece, actor=actor)
        assert NEEDS_METHOD in refused.value.messages[0]
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT


def test_a_bulk_publish_names_the_pieces_that_are_not_ready():
    from catalog.services import pieces_publish

    maker = ArtisanFactory()
    ready, bare = complete(artisan=maker), draft(artisan=maker, title="Bare ring")
    with pytest.raises(ValidationError) as refused:
        pieces_publish(pieces=[ready, bare], actor=maker.user)
    needs = "at least one material; at least one photo of the finished piece (not a process photo)"
    assert refused.value.messages == [f"{ERROR_INCOMPLETE} “Bare ring”: {needs}."]
    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.DRAFT}


# --- The studio's pages -----------------------------------------------------------------------


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


def test_the_piece_form_shows_the_checklist_of_a_draft_with_links_to_its_sections(client, maker):
    piece = draft(artisan=maker)
    PieceMaterialFactory(piece=piece)
    html = client.get(reverse("studio:piece_update", args=[piece.pk])).content.decode()
    assert f'Missing:</span> <a href="#photos-title">{escape(NEEDS_PHOTO)}</a>' in html
    assert f'To add:</span> <a href="#steps-title">{escape(NEEDS_STEPS)}</a>' in html
    assert f'To add:</span> <a href="#materials-title">{escape(NEEDS_PROVENANCE)}</a>' in html
    assert f"Done:</span> {escape(NEEDS_METHOD)}" in html
    assert escape(NEEDS_ALT_TEXT) in html


def test_the_list_filters_the_pieces_that_need_details(client, maker):
    ready, bare = complete(artisan=maker, title="Ready ring"), draft(artisan=maker, title="Bare ring")
    response = client.get(DASHBOARD, {"details": "needed"})
    assert list(response.context["pieces"]) == [bare]
    html = response.content.decode()
    assert 'Needs details <span class="count">(1)</span>' in html
    assert 'href="?details=needed" aria-current="page"' in html
    # The whole list marks the piece that needs details, and only it.
    whole = client.get(DASHBOARD).content.decode()
    assert whole.count('class="needs-details"') == 1 and ready in client.get(DASHBOARD).context["pieces"]
    assert reverse("studio:import") in whole


def test_the_filter_with_no_piece_needing_details_says_so(client, maker):
    complete(artisan=maker)
    html = client.get(DASHBOARD, {"details": "needed"}).content.decode()
    assert "None of your pieces needs details" in html


@pytest.mark.parametrize("size", [2, 20])
def test_the_needs_details_list_costs_a_fixed_number_of_queries(client, maker, size, django_assert_max_num_queries):
    for n in range(size):
        (complete if n % 2 else draft)(artisan=maker)
    # savepoint and release, session, user, maker, the counts (statuses and needing details),
    # the count for pagination, the pieces (checklist flags in the same query), photos, steps
    with django_assert_max_num_queries(10):
        response = client.get(DASHBOARD, {"details": "needed"})
    assert len(response.context["pieces"]) == size // 2


# --- The SKU in the piece form ----------------------------------------------------------------


def test_the_piece_form_saves_a_sku_unique_among_the_makers_pieces(client, maker):
    category, material = CategoryFactory(), MaterialFactory()
    PieceFactory(sku="RING-1")  # another maker's: no clash
    response = client.post(
        reverse("studio:piece_create"),
        {**piece_data(category=category, material=material, sku="RING-1"), **piece_files()},
    )
    assert response.status_code == 302
    piece = Piece.objects.get(artisan=maker)
    assert piece.sku == "RING-1"

    other = draft(artisan=maker, sku="RING-2")
    data = {**piece_data(category=category, material=material), **existing_formsets(other), "sku": "RING-1"}
    response = client.post(reverse("studio:piece_update", args=[other.pk]), data)
    assert response.status_code == 400
    assert escape(ERROR_SKU_TAKEN % {"sku": "RING-1"}) in response.content.decode()
    assert Piece.objects.get(pk=other.pk).sku == "RING-2"


def test_a_draft_without_a_method_must_get_one_in_the_studio(client, maker):
    category, material = CategoryFactory(), MaterialFactory()
    response = client.post(
        reverse("studio:piece_create"), {**piece_data(category=category, material=material), "production_method": ""}
    )
    assert response.status_code == 400 and not Piece.objects.exists()
