"""
The rules no page may contradict, in staff's piece change form: the message beside the field (or the
inline row), the page again with nothing saved, never a 500; and the list keeps the raw level.
"""

import pytest

from artisans.choices import WorkshopSize
from artisans.tests.factories import ArtisanFactory
from catalog.admin.tests.admin_helpers import admin_url, documented_piece, post_data
from catalog.choices import Availability, MadeBy
from catalog.models import Piece
from catalog.models.pieces import ERROR_ONE_OF_A_KIND_VARIATION, ERROR_PLATING_NOT_PLATED, ERROR_STUDIO_TEAM_SOLO

pytestmark = pytest.mark.django_db

CHOSEN_COPY = "No two stones are the same tone; yours is chosen to match the photo as closely as possible."


def change(admin_client, piece, **changes):
    url = admin_url(Piece, "change", piece.pk)
    data = post_data(admin_client.get(url))
    data.update(changes)
    return admin_client.post(url, data)


def test_staff_cannot_say_a_solo_makers_piece_was_made_by_the_studio_team(admin_client):
    piece = documented_piece(artisan=ArtisanFactory(workshop_size=WorkshopSize.SOLO))
    response = change(admin_client, piece, made_by=MadeBy.STUDIO_TEAM, title="Renamed")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["made_by"] == [ERROR_STUDIO_TEAM_SOLO]
    piece.refresh_from_db()
    assert (piece.made_by, piece.title) == (MadeBy.ARTISAN, piece.title)
    assert piece.title != "Renamed"


def test_moving_a_studio_team_piece_to_a_solo_maker_is_refused_beside_made_by(admin_client):
    piece = documented_piece(artisan=ArtisanFactory(workshop_size=WorkshopSize.STUDIO), made_by=MadeBy.STUDIO_TEAM)
    solo = ArtisanFactory(workshop_size=WorkshopSize.SOLO)
    response = change(admin_client, piece, artisan=str(solo.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["made_by"] == [ERROR_STUDIO_TEAM_SOLO]
    piece.refresh_from_db()
    assert piece.artisan_id != solo.pk


def test_staff_may_say_the_studio_team_made_a_piece_of_a_maker_with_a_team(admin_client):
    piece = documented_piece(artisan=ArtisanFactory(workshop_size=WorkshopSize.SMALL_TEAM))
    assert change(admin_client, piece, made_by=MadeBy.STUDIO_TEAM).status_code == 302
    piece.refresh_from_db()
    assert piece.made_by == MadeBy.STUDIO_TEAM


def test_a_one_of_a_kind_piece_refuses_a_variation_note_in_the_admin(admin_client):
    piece = documented_piece(availability=Availability.ONE_OF_A_KIND)
    response = change(admin_client, piece, variation_note=CHOSEN_COPY)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["variation_note"] == [ERROR_ONE_OF_A_KIND_VARIATION]
    piece.refresh_from_db()
    assert piece.variation_note == ""


def test_a_limited_edition_keeps_its_variation_note_in_the_admin(admin_client):
    piece = documented_piece(availability=Availability.ONE_OF_A_KIND)
    response = change(
        admin_client, piece, availability=Availability.LIMITED_EDITION, edition_size="20", variation_note=CHOSEN_COPY
    )
    assert response.status_code == 302
    piece.refresh_from_db()
    assert piece.variation_note == CHOSEN_COPY


def test_a_solid_metal_with_a_plating_thickness_is_refused_in_its_inline_row(admin_client):
    piece = documented_piece()
    response = change(admin_client, piece, **{"materials-0-plating_thickness_microns": "1.5", "title": "Renamed"})
    assert response.status_code == 200
    (materials,) = [
        inline for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "materials"
    ]
    assert materials.formset.forms[0].errors["plating_thickness_microns"] == [ERROR_PLATING_NOT_PLATED]
    piece.refresh_from_db()
    assert piece.title != "Renamed"
    assert piece.materials.filter(plating_thickness_microns__isnull=False).count() == 0
