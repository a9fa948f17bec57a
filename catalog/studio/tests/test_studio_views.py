"""The studio: a maker lists, edits, previews, publishes, unpublishes and archives their own pieces."""

import pytest
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import EvidenceLevel, PieceStatus
from catalog.models import Piece, PieceImage, PieceMaterial, ProductionStep
from catalog.services import ERROR_INCOMPLETE, ERROR_MAKER_NOT_APPROVED
from catalog.studio.views import MESSAGE_EVIDENCE_DROPPED
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)
from catalog.tests.studio_helpers import existing_formsets, piece_data, piece_files

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("studio:dashboard")
CREATE = reverse("studio:piece_create")


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


@pytest.fixture
def taxonomy():
    return {"category": CategoryFactory(), "material": MaterialFactory()}


def create_piece(client, taxonomy, **overrides):
    return client.post(CREATE, {**piece_data(**taxonomy, **overrides), **piece_files()})


def test_a_maker_creates_a_draft_with_steps_materials_photos_and_an_option(client, maker, taxonomy):
    response = create_piece(client, taxonomy)

    piece = Piece.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("studio:piece_update", args=[piece.pk])
    assert (piece.artisan, piece.status, piece.slug) == (maker, PieceStatus.DRAFT, "hand-forged-ring")
    assert piece.production_steps.count() == 2
    assert piece.maker_share == 50
    assert piece.materials.get().recycled
    cover, process = piece.images.order_by("position")
    assert (cover.is_process_photo, process.is_process_photo) == (False, True)
    assert piece.cover == cover
    assert piece.personalization_options.get().max_characters == 12
    # Recorded steps and a process photo make the claim "documented".
    assert piece.evidence_level == EvidenceLevel.DOCUMENTED


def test_a_second_piece_with_the_same_title_gets_its_own_slug(client, maker, taxonomy):
    create_piece(client, taxonomy)
    create_piece(client, taxonomy)
    assert sorted(Piece.objects.values_list("slug", flat=True)) == ["hand-forged-ring", "hand-forged-ring-2"]


def test_the_cover_comes_first_whatever_position_it_was_given(client, maker, taxonomy):
    create_piece(
        client,
        taxonomy,
        **{
            "photos-0-position": "5",
            "photos-0-is_cover": "",
            "photos-1-is_process_photo": "",
            "photos-1-is_cover": "on",
        },
    )
    piece = Piece.objects.get()
    assert piece.cover.alt_text == "Hammering the band on a mandrel"


def test_a_refused_photo_leaves_nothing_of_the_piece_saved(client, maker, taxonomy):
    from artisans.tests.uploads import upload

    response = client.post(
        CREATE,
        {**piece_data(**taxonomy), **piece_files(), "photos-1-image": upload(b"GIF89a" + b"\0" * 50, "a.jpg")},
    )
    assert response.status_code == 400
    assert "photo we can read" in response.content.decode() or "GIF" in response.content.decode()
    for model in (Piece, ProductionStep, PieceMaterial, PieceImage):
        assert not model.objects.exists(), model


def test_the_dashboard_lists_only_the_makers_pieces_and_filters_by_status(client, maker):
    draft = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    published = PieceFactory(artisan=maker)
    PieceFactory()  # another maker's
    response = client.get(DASHBOARD)
    assert set(response.context["pieces"]) == {draft, published}
    response = client.get(DASHBOARD, {"status": "draft"})
    assert list(response.context["pieces"]) == [draft]
    # An unknown status shows everything rather than failing.
    assert client.get(DASHBOARD, {"status": "<script>"}).status_code == 200


def test_the_dashboard_counts_views_and_requests_and_says_what_they_count(client, maker):
    PieceFactory(artisan=maker)
    html = client.get(DASHBOARD).content.decode()
    assert '<th scope="col">Views</th>' in html and '<th scope="col">Requests</th>' in html
    assert "not your own and not search engines’" in html


@pytest.mark.parametrize("pieces", [2, 12])
def test_the_dashboard_costs_a_fixed_number_of_queries(client, maker, pieces, django_assert_max_num_queries):
    for _ in range(pieces):
        piece = PieceFactory(artisan=maker)
        PieceImageFactory(piece=piece)
        ProductionStepFactory(piece=piece)
    # savepoint and release (ATOMIC_REQUESTS), session, user, maker, status counts,
    # count for pagination, pieces, photos, steps
    with django_assert_max_num_queries(10):
        assert client.get(DASHBOARD).status_code == 200


def test_a_maker_publishes_unpublishes_and_archives_a_complete_piece(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    PieceImageFactory(piece=piece)
    PieceMaterialFactory(piece=piece)
    action = lambda name: client.post(reverse("studio:piece_action", args=[piece.pk, name]))  # noqa: E731

    assert action("publish").status_code == 302
    assert Piece.objects.published().get() == piece
    action("unpublish")
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT
    action("archive")
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.ARCHIVED


def test_publishing_an_incomplete_piece_is_refused_with_a_message(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    response = client.post(reverse("studio:piece_action", args=[piece.pk, "publish"]), follow=True)
    assert ERROR_INCOMPLETE in response.content.decode()
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT


def test_a_pending_maker_drafts_but_cannot_publish(client, taxonomy):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(pending.user)
    create_piece(client, taxonomy)
    piece = Piece.objects.get()
    response = client.post(reverse("studio:piece_action", args=[piece.pk, "publish"]), follow=True)
    assert ERROR_MAKER_NOT_APPROVED in response.content.decode()
    assert Piece.objects.get().status == PieceStatus.DRAFT


def test_a_get_cannot_publish(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    assert client.get(reverse("studio:piece_action", args=[piece.pk, "publish"])).status_code == 405


def test_an_unknown_action_is_a_404(client, maker):
    piece = PieceFactory(artisan=maker)
    assert client.post(reverse("studio:piece_action", args=[piece.pk, "delete"])).status_code == 404


def test_the_preview_shows_a_draft_to_its_maker(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None, title="Quiet draft")
    response = client.get(reverse("studio:piece_preview", args=[piece.pk]))
    assert "Quiet draft" in response.content.decode()


def raised_piece(maker):
    piece = PieceFactory(artisan=maker, evidence_level=EvidenceLevel.STAFF_VERIFIED)
    Piece.objects.filter(pk=piece.pk).update(evidence_raised_by=StaffFactory(), evidence_raised_at="2026-01-01T00:00Z")
    ProductionStepFactory(piece=piece)
    PieceMaterialFactory(piece=piece)
    PieceImageFactory(piece=piece)
    return Piece.objects.get(pk=piece.pk)


PREFIXES = ("steps-", "materials-", "photos-", "options-")


def edit(client, piece, **changes):
    fields = piece_data(category=piece.category, material=piece.materials.get().material)
    data = {key: value for key, value in fields.items() if not key.startswith(PREFIXES)}
    data.update(existing_formsets(piece))
    data.update(title=piece.title, production_method=piece.production_method, made_by=piece.made_by)
    data.update(changes)
    return client.post(reverse("studio:piece_update", args=[piece.pk]), data, follow=True)


def test_the_form_warns_before_saving_when_staff_raised_the_evidence_level(client, maker):
    piece = raised_piece(maker)
    response = client.get(reverse("studio:piece_update", args=[piece.pk]))
    assert "the level goes back to “documented”" in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"production_method": "hand_finished"},
        {"made_by": "production_partner", "production_partner": "Casting Co., Porto"},
        {"steps-0-done": "by_machine"},
        {"materials-0-purity": "950"},
    ],
    ids=["method", "made-by", "steps", "materials"],
)
def test_changing_how_a_piece_is_made_drops_a_staff_raised_level_to_documented(client, maker, change):
    piece = raised_piece(maker)
    response = edit(client, piece, **change)
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.DOCUMENTED
    assert piece.evidence_raised_by is None and piece.evidence_raised_at is None
    assert (MESSAGE_EVIDENCE_DROPPED % {"title": piece.title}) in response.content.decode()


def test_other_changes_keep_a_staff_raised_level(client, maker):
    piece = raised_piece(maker)
    edit(client, piece, description="A new description.", price="200")
    piece.refresh_from_db()
    assert piece.evidence_level == EvidenceLevel.STAFF_VERIFIED
    assert piece.price == 200


def test_the_maker_edits_their_profile_and_process_photos(client, maker):
    from catalog.tests.studio_helpers import application_data, application_files

    data = application_data(name="Oficina Nova", founded_year="2010")
    response = client.post(reverse("studio:profile"), {**data, **application_files()})
    assert response.status_code == 302
    maker.refresh_from_db()
    assert (maker.name, maker.founded_year, maker.process_photos.count()) == ("Oficina Nova", 2010, 1)


def test_a_signed_in_user_without_a_maker_profile_is_sent_to_sell(client):
    client.force_login(UserFactory())
    assert client.get(DASHBOARD).url == reverse("studio:apply")


def detailed_piece(maker, rows):
    from catalog.tests.factories import PersonalizationOptionFactory

    piece = PieceFactory(artisan=maker)
    steps = ["design", "model", "casting", "fabrication", "stone_setting", "engraving", "finishing"]
    for n in range(rows):
        PieceImageFactory(piece=piece, position=n)
        PieceMaterialFactory(piece=piece, position=n)
        ProductionStepFactory(piece=piece, step=steps[n], position=n)
    PersonalizationOptionFactory(piece=piece)
    return piece


@pytest.mark.parametrize("rows", [1, 6])
def test_the_preview_costs_a_fixed_number_of_queries(client, maker, rows, django_assert_max_num_queries):
    piece = detailed_piece(maker, rows)
    # savepoint and release, session, user, maker, the piece, then its photos, materials,
    # steps, techniques, traditions, styles and options (one query each)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("studio:piece_preview", args=[piece.pk])).status_code == 200


@pytest.mark.parametrize("rows", [1, 6])
def test_the_piece_form_costs_a_fixed_number_of_queries(client, maker, rows, django_assert_max_num_queries):
    piece = detailed_piece(maker, rows)
    # savepoint and release, session, user, maker, the piece; the form's selected
    # techniques, traditions and styles, then its choices (categories, techniques,
    # traditions, styles); one query per formset (4); the materials' and
    # certifications' choices once for all rows (a count and a list each); the maker share.
    with django_assert_max_num_queries(22):
        assert client.get(reverse("studio:piece_update", args=[piece.pk])).status_code == 200
