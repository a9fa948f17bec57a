"""
The rules no page may contradict, as a maker meets them in the studio: the message beside the field,
a 400 with nothing saved, never a 500; and the profile refusing a solo workshop while pieces say
"made by the studio team".
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from artisans.choices import WorkshopSize
from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, MadeBy
from catalog.models import Piece, PieceMaterial
from catalog.models.pieces import ERROR_ONE_OF_A_KIND_VARIATION, ERROR_PLATING_NOT_PLATED, ERROR_STUDIO_TEAM_SOLO
from catalog.studio.forms import ERROR_SOLO_WITH_STUDIO_TEAM, PIECE_FORMSETS, PieceForm, ProfileForm
from catalog.tests.factories import CategoryFactory, MaterialFactory, PieceFactory
from catalog.tests.studio_helpers import application_data, existing_formsets, piece_data, piece_files

pytestmark = pytest.mark.django_db

CREATE = reverse("studio:piece_create")
PROFILE = reverse("studio:profile")
CHOSEN_COPY = "No two stones are the same tone; yours is chosen to match the photo as closely as possible."


@pytest.fixture
def taxonomy():
    return {"category": CategoryFactory(), "material": MaterialFactory()}


@pytest.fixture
def solo(client):
    artisan = ArtisanFactory(workshop_size=WorkshopSize.SOLO)
    client.force_login(artisan.user)
    return artisan


def piece_form(artisan, taxonomy, **changes):
    return PieceForm(piece_data(**taxonomy, **changes), instance=Piece(artisan=artisan))


# --- The form: each rule beside its field ----------------------------------------------------


@pytest.mark.parametrize(
    ("size", "valid"),
    [(WorkshopSize.SOLO, False), (WorkshopSize.SMALL_TEAM, True), (WorkshopSize.STUDIO, True)],
)
def test_the_studio_team_needs_a_workshop_larger_than_a_solo_maker(taxonomy, size, valid):
    form = piece_form(ArtisanFactory(workshop_size=size), taxonomy, made_by=MadeBy.STUDIO_TEAM)
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["made_by"] == [ERROR_STUDIO_TEAM_SOLO]
        assert form.errors.as_data()["made_by"][0].code == "studio_team_solo_maker"


@pytest.mark.parametrize("note", [CHOSEN_COPY, "Hammer marks vary.", "<script>alert(1)</script>"])
def test_a_one_of_a_kind_piece_refuses_a_variation_note_beside_it(solo, taxonomy, note):
    form = piece_form(solo, taxonomy, availability=Availability.ONE_OF_A_KIND, variation_note=note)
    assert not form.is_valid()
    assert form.errors["variation_note"] == [ERROR_ONE_OF_A_KIND_VARIATION]
    assert form.errors.as_data()["variation_note"][0].code == "one_of_a_kind_variation_note"


def test_a_blank_variation_note_is_no_note(solo, taxonomy):
    # The form strips what is typed, so spaces and line breaks alone are an empty note.
    form = piece_form(solo, taxonomy, availability=Availability.ONE_OF_A_KIND, variation_note="  \r\n\t ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["variation_note"] == ""


def test_a_piece_of_several_keeps_its_note_on_how_copies_differ(solo, taxonomy):
    form = piece_form(
        solo, taxonomy, availability=Availability.MADE_TO_ORDER, lead_time_days="21", variation_note=CHOSEN_COPY
    )
    assert form.is_valid(), form.errors


def test_a_solid_metal_with_a_plating_thickness_is_refused_beside_the_thickness(taxonomy):
    data = piece_data(**taxonomy, **{"materials-0-plating_thickness_microns": "1.5"})
    materials = PIECE_FORMSETS["materials"](data, prefix="materials")
    assert not materials.is_valid()
    assert materials.forms[0].errors["plating_thickness_microns"] == [ERROR_PLATING_NOT_PLATED]


def test_a_plated_metal_gives_its_thickness(taxonomy):
    data = piece_data(
        **taxonomy, **{"materials-0-construction": "plated", "materials-0-plating_thickness_microns": "1.5"}
    )
    assert PIECE_FORMSETS["materials"](data, prefix="materials").is_valid()


# --- The views: a 400 with the message, nothing saved ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"made_by": MadeBy.STUDIO_TEAM}, ERROR_STUDIO_TEAM_SOLO),
        ({"variation_note": CHOSEN_COPY}, ERROR_ONE_OF_A_KIND_VARIATION),
        ({"materials-0-plating_thickness_microns": "2"}, ERROR_PLATING_NOT_PLATED),
    ],
    ids=["studio-team", "one-of-a-kind-note", "solid-plating"],
)
def test_a_contradicting_new_piece_is_refused_with_its_message_and_nothing_saved(
    client, solo, taxonomy, changes, message
):
    response = client.post(CREATE, {**piece_data(**taxonomy, **changes), **piece_files()})
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not Piece.objects.exists() and not PieceMaterial.objects.exists()


def test_an_edit_into_a_contradiction_keeps_the_piece_as_it_was(client, solo, taxonomy):
    piece = PieceFactory(artisan=solo, category=taxonomy["category"])
    PieceMaterial.objects.create(piece=piece, material=taxonomy["material"], construction="solid", purity="925")
    data = {
        **piece_data(**taxonomy, title="Renamed", made_by=MadeBy.STUDIO_TEAM, variation_note=CHOSEN_COPY),
        **existing_formsets(piece),
    }
    response = client.post(reverse("studio:piece_update", args=[piece.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "no studio team made this piece" in body and "it has no note on how copies differ" in body
    piece.refresh_from_db()
    assert (piece.title, piece.made_by, piece.variation_note) != ("Renamed", MadeBy.STUDIO_TEAM, CHOSEN_COPY)
    assert piece.made_by == MadeBy.ARTISAN and piece.variation_note == ""


@pytest.mark.parametrize("made_by", ["studio_team ", "STUDIO_TEAM", "studio_team\x00", "' OR 1=1--", "x" * 5000])
def test_a_hostile_made_by_is_refused_without_a_server_error(client, solo, taxonomy, made_by):
    response = client.post(CREATE, {**piece_data(**taxonomy, made_by=made_by), **piece_files()})
    assert response.status_code == 400
    assert not Piece.objects.exists()


# --- The profile: no solo workshop while pieces say "made by the studio team" -------------------


@pytest.fixture
def team(client):
    artisan = ArtisanFactory(workshop_size=WorkshopSize.SMALL_TEAM)
    client.force_login(artisan.user)
    return artisan


def profile_data(**changes):
    data = application_data(**{"photos-TOTAL_FORMS": "0"})
    data.update(changes)
    return data


def test_a_maker_with_studio_team_pieces_cannot_call_the_workshop_solo(client, team):
    PieceFactory(artisan=team, title="Team cuff", made_by=MadeBy.STUDIO_TEAM)
    PieceFactory(artisan=team, title="Own ring", made_by=MadeBy.ARTISAN)
    form = ProfileForm(profile_data(workshop_size=WorkshopSize.SOLO), instance=team)
    assert not form.is_valid()
    assert form.errors["workshop_size"] == [ERROR_SOLO_WITH_STUDIO_TEAM % {"titles": "“Team cuff”"}]
    assert form.errors.as_data()["workshop_size"][0].code == "solo_with_studio_team"

    response = client.post(PROFILE, profile_data(workshop_size=WorkshopSize.SOLO))
    assert response.status_code == 400
    assert "Team cuff" in response.content.decode()
    team.refresh_from_db()
    assert team.workshop_size == WorkshopSize.SMALL_TEAM


def test_the_message_names_a_few_of_many_studio_team_pieces(team):
    for n in range(7):
        PieceFactory(artisan=team, title=f"Cuff {n}", made_by=MadeBy.STUDIO_TEAM)
    form = ProfileForm(profile_data(workshop_size=WorkshopSize.SOLO), instance=team)
    assert not form.is_valid()
    (message,) = form.errors["workshop_size"]
    assert "“Cuff 4”, …" in message and "Cuff 5" not in message


def test_a_maker_without_studio_team_pieces_may_become_solo(client, team):
    PieceFactory(artisan=team, made_by=MadeBy.ARTISAN)
    PieceFactory(made_by=MadeBy.STUDIO_TEAM, artisan=ArtisanFactory(workshop_size=WorkshopSize.STUDIO))
    response = client.post(PROFILE, profile_data(workshop_size=WorkshopSize.SOLO))
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.workshop_size == WorkshopSize.SOLO
