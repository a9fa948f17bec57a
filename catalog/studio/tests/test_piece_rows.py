"""
The piece form as a maker uses it: rows added, removed and moved before saving (a row button
writes nothing), no raw formset controls, what publishing needs in words, and Publish that saves
what is on the page first, in one transaction.
"""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory
from artisans.tests.uploads import upload
from catalog.choices import PieceStatus
from catalog.models import PersonalizationOption, Piece, PieceImage, PieceMaterial, ProductionStep
from catalog.services import ERROR_INCOMPLETE, ERROR_MAKER_NOT_APPROVED
from catalog.studio.forms import (
    ERROR_ROWS_UNREADABLE,
    ERROR_TOO_MANY_ROWS,
    PIECE_FORMSETS,
    row_action,
    rows_change,
)
from catalog.studio.views import NEEDS_MATERIAL, NEEDS_PHOTO
from catalog.tests.factories import (
    CategoryFactory,
    MaterialFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    ProductionStepFactory,
)
from catalog.tests.studio_helpers import edit_data, management, piece_data, piece_files

pytestmark = pytest.mark.django_db

CREATE = reverse("studio:piece_create")
ROW_MODELS = (Piece, ProductionStep, PieceMaterial, PieceImage, PersonalizationOption)


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


@pytest.fixture
def taxonomy():
    return {"category": CategoryFactory(), "material": MaterialFactory(name="Sterling silver")}


def everything():
    """Every row the piece form can write, to show that a row button wrote none."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in ROW_MODELS}


def complete_draft(maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None, price=180)
    ProductionStepFactory(piece=piece, step="design", position=0)
    ProductionStepFactory(piece=piece, step="finishing", position=1)
    PieceMaterialFactory(piece=piece)
    PieceImageFactory(piece=piece, alt_text="The ring on a linen cloth")
    return Piece.objects.get(pk=piece.pk)


def update_url(piece):
    return reverse("studio:piece_update", args=[piece.pk])


def value_of(html, name):
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return match and match.group(1)


# --- No raw formset controls ----------------------------------------------------------


def test_the_new_piece_form_has_no_raw_formset_controls(client, maker, taxonomy):
    html = client.get(CREATE).content.decode()
    assert "---------" not in html
    assert "Choose a material" in html and "Choose a category" in html and "Choose a step" in html
    assert ">Position<" not in html and 'type="number" name="steps-0-position"' not in html
    assert 'type="checkbox" name="steps-0-DELETE"' not in html and ">Delete<" not in html
    # One empty row to start each list, with a button to add more; no option row until asked for.
    assert value_of(html, "steps-TOTAL_FORMS") == "1"
    assert value_of(html, "options-TOTAL_FORMS") == "0"
    for label in ("Add a step", "Add a material", "Add a photo", "Add a personalization option"):
        assert label in html


def test_a_stored_photo_is_a_thumbnail_described_by_its_alt_text_not_a_file_path(client, maker):
    piece = complete_draft(maker)
    html = client.get(update_url(piece)).content.decode()
    assert re.search(r'<img src="[^"]+" alt="The ring on a linen cloth" width="96"', html)
    assert 'alt=""' not in html
    assert "Currently:" not in html and 'href="/media/' not in html
    assert "Replace the photo" in html


def test_the_checklist_says_what_publishing_still_needs(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None)
    html = client.get(update_url(piece)).content.decode()
    assert f'Missing:</span> <a href="#photos-title">{NEEDS_PHOTO}</a>' in html
    assert f'Missing:</span> <a href="#materials-title">{NEEDS_MATERIAL}</a>' in html
    html = client.get(update_url(complete_draft(maker))).content.decode()
    assert "Missing:" not in html


def test_a_pending_maker_is_told_why_there_is_no_publish_button(client, taxonomy):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(pending.user)
    piece = complete_draft(pending)
    html = client.get(update_url(piece)).content.decode()
    assert 'value="publish"' not in html
    assert "You can publish once staff approve your maker profile" in html


# --- Rows added, removed and moved without saving ----------------------------------------------


def test_adding_a_step_shows_the_form_again_with_one_more_row_and_writes_nothing(client, maker, taxonomy):
    data = piece_data(**taxonomy, title="Typed, not saved", row="steps:add")
    response = client.post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert value_of(html, "steps-TOTAL_FORMS") == "3"
    assert re.search(r'<select name="steps-2-step"[^>]* autofocus', html)
    # Everything typed is kept, nothing is reported as an error, nothing is written.
    assert 'value="Typed, not saved"' in html
    assert '<option value="fabrication" selected>' in html
    assert "errorlist" not in html and "Nothing was saved" not in html
    assert not Piece.objects.exists() and not ProductionStep.objects.exists()


def test_adding_a_row_to_a_saved_piece_writes_nothing(client, maker):
    piece = complete_draft(maker)
    before = everything()
    response = client.post(update_url(piece), edit_data(piece, price="999", row="materials:add"))
    assert response.status_code == 200
    assert value_of(response.content.decode(), "materials-TOTAL_FORMS") == "2"
    assert value_of(response.content.decode(), "price") == "999"
    assert everything() == before


def test_removing_a_new_row_drops_it_from_the_page_and_the_save(client, maker, taxonomy):
    response = client.post(CREATE, piece_data(**taxonomy, row="steps:remove:1"))
    html = response.content.decode()
    assert 'name="steps-1-step"' in html and 'type="hidden" name="steps-1-DELETE" value="on"' in html
    assert "Step 2" not in html and "will be removed" not in html
    assert not Piece.objects.exists()
    # Saving what the page now holds keeps one step.
    client.post(CREATE, {**piece_data(**taxonomy, **{"steps-1-DELETE": "on"}), **piece_files()})
    assert list(Piece.objects.get().production_steps.values_list("step", flat=True)) == ["fabrication"]


def test_removing_a_saved_row_can_be_undone_until_the_piece_is_saved(client, maker):
    piece = complete_draft(maker)
    before = everything()
    html = client.post(update_url(piece), edit_data(piece, row="steps:remove:0")).content.decode()
    assert "Step “Design: By hand” will be removed when you save." in html or "will be removed when you save" in html
    assert 'value="steps:keep:0"' in html
    assert everything() == before
    html = client.post(
        update_url(piece), edit_data(piece, **{"steps-0-DELETE": "on"}, row="steps:keep:0")
    ).content.decode()
    assert "will be removed" not in html and 'value="steps:remove:0"' in html
    client.post(update_url(piece), edit_data(piece, **{"steps-0-DELETE": "on"}))
    assert list(piece.production_steps.values_list("step", flat=True)) == ["finishing"]


def test_moving_a_step_down_swaps_it_with_the_next_and_the_save_keeps_the_order(client, maker):
    piece = complete_draft(maker)
    before = everything()
    html = client.post(update_url(piece), edit_data(piece, row="steps:down:0")).content.decode()
    assert (value_of(html, "steps-0-position"), value_of(html, "steps-1-position")) == ("1", "0")
    # The rows are shown in their new order: the finishing step first.
    assert html.index('name="steps-1-step"') < html.index('name="steps-0-step"')
    assert everything() == before
    client.post(update_url(piece), edit_data(piece, **{"steps-0-position": "1", "steps-1-position": "0"}))
    assert list(piece.production_steps.values_list("step", flat=True)) == ["finishing", "design"]


def test_a_list_at_its_maximum_refuses_another_row(client, maker, taxonomy):
    steps = ["design", "model", "casting", "fabrication", "stone_setting", "engraving", "finishing"]
    data = piece_data(**taxonomy, **management("steps", 7), row="steps:add")
    for index, step in enumerate(steps):
        data.update(
            {f"steps-{index}-step": step, f"steps-{index}-done": "by_hand", f"steps-{index}-position": str(index)}
        )
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert ERROR_TOO_MANY_ROWS % {"max": 7, "rows": "production steps"} in response.content.decode()
    assert value_of(response.content.decode(), "steps-TOTAL_FORMS") == "7"


def test_an_added_row_takes_the_place_of_a_removed_new_one():
    data = {**management("options", 2), "options-1-DELETE": "on", "options-1-kind": "sizing"}
    from django.http import QueryDict

    posted = QueryDict(mutable=True)
    posted.update(data)
    changed, focus, error = rows_change(
        posted, None, formsets=PIECE_FORMSETS, instance=Piece(), action=("options", "add", None)
    )
    assert error is None and focus == ("options", "field", 1)
    assert changed["options-TOTAL_FORMS"] == "2"
    assert "options-1-DELETE" not in changed and "options-1-kind" not in changed


# --- Hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["steps:explode", "nope:add", "steps:add:3", "steps:remove:99999", "steps:up:-1", "steps:up:x", "<script>", ""],
)
def test_an_unknown_row_button_changes_nothing_and_never_fails(client, maker, taxonomy, value):
    response = client.post(CREATE, piece_data(**taxonomy, row=value))
    assert response.status_code in (200, 400)
    assert value_of(response.content.decode(), "steps-TOTAL_FORMS") == "2"
    assert not Piece.objects.exists()


@pytest.mark.parametrize("total", ["abc", "-1", "", "1e9"])
def test_garbage_row_counts_are_refused_with_a_message(client, maker, taxonomy, total):
    response = client.post(CREATE, piece_data(**taxonomy, **{"steps-TOTAL_FORMS": total}, row="steps:add"))
    assert response.status_code == 400
    assert ERROR_ROWS_UNREADABLE % {"rows": "production steps"} in response.content.decode()
    response = client.post(CREATE, {**piece_data(**taxonomy, **{"steps-TOTAL_FORMS": total}), **piece_files()})
    assert response.status_code == 400
    assert not Piece.objects.exists()


def test_a_row_count_above_the_maximum_is_refused_and_never_rendered_in_full(client, maker, taxonomy):
    data = piece_data(**taxonomy, **{"materials-TOTAL_FORMS": "100000"})
    response = client.post(CREATE, {**data, **piece_files()})
    assert response.status_code == 400
    assert not Piece.objects.exists()
    response = client.post(CREATE, {**data, "row": "materials:add"})
    assert response.status_code == 400
    assert response.content.decode().count('name="materials-') < 2 * 20 * 20


def test_another_makers_photo_id_in_the_post_is_neither_shown_nor_changed(client, maker):
    piece = complete_draft(maker)
    theirs = PieceImageFactory(alt_text="Another maker's secret bench")
    data = edit_data(piece, **{"photos-0-id": str(theirs.pk), "photos-0-alt_text": "Taken over"})
    for extra in ({"row": "photos:add"}, {}, {"then": "publish"}):
        response = client.post(update_url(piece), {**data, **extra})
        assert "secret bench" not in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.alt_text, theirs.piece_id) == ("Another maker's secret bench", theirs.piece.pk)


@pytest.mark.parametrize("who", ["another maker", "anonymous"])
def test_row_buttons_and_publish_on_another_makers_piece_are_refused(client, who):
    piece = complete_draft(ArtisanFactory())
    before = everything()
    if who == "another maker":
        client.force_login(ArtisanFactory().user)
    for extra in ({"row": "steps:add"}, {"row": "steps:remove:0"}, {"then": "publish"}):
        response = client.post(update_url(piece), edit_data(piece, **extra))
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        else:
            assert response.status_code == 404
    assert everything() == before


def test_script_typed_in_a_row_is_shown_escaped_after_a_row_button(client, maker, taxonomy):
    script = "<script>alert('x')</script>"
    html = client.post(
        CREATE, piece_data(**taxonomy, title=script, **{"steps-0-note": script}, row="steps:add")
    ).content.decode()
    assert script not in html
    assert escape(script) in html


def test_a_fake_image_with_a_row_button_is_asked_for_again_and_writes_nothing(client, maker, taxonomy):
    fake = upload(b"GIF89a" + b"\0" * 50, "ring.jpg")
    response = client.post(CREATE, {**piece_data(**taxonomy, row="photos:add"), "photos-0-image": fake})
    assert response.status_code == 200
    assert "Choose this photo again" in response.content.decode()
    assert not PieceImage.objects.exists()


# --- Publish saves what is on the page first -------------------------------------------------


def test_publish_keeps_the_edit_made_on_the_page(client, maker):
    piece = complete_draft(maker)
    response = client.post(update_url(piece), edit_data(piece, price="245.00", then="publish"), follow=True)
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.PUBLISHED, 245)
    assert Piece.objects.published().get() == piece
    assert "is published" in response.content.decode()


def test_publish_with_an_invalid_edit_publishes_nothing_and_shows_the_error(client, maker):
    piece = complete_draft(maker)
    response = client.post(update_url(piece), edit_data(piece, price="ten euros", then="publish"))
    assert response.status_code == 400
    assert "Nothing was saved or published" in response.content.decode()
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.DRAFT, 180)


def test_a_refused_publish_undoes_the_save_in_the_same_transaction(client, maker):
    piece = PieceFactory(artisan=maker, status=PieceStatus.DRAFT, published_at=None, price=180)
    PieceMaterialFactory(piece=piece)
    response = client.post(update_url(piece), edit_data(piece, price="245.00", then="publish"))
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(ERROR_INCOMPLETE) in html and 'value="245.00"' in html
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.DRAFT, 180)


def test_a_pending_maker_who_posts_publish_gets_nothing_saved(client):
    pending = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(pending.user)
    piece = complete_draft(pending)
    response = client.post(update_url(piece), edit_data(piece, price="245.00", then="publish"))
    assert response.status_code == 400 and escape(ERROR_MAKER_NOT_APPROVED) in response.content.decode()
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.DRAFT, 180)


def test_a_new_piece_can_be_saved_and_published_at_once(client, maker, taxonomy):
    client.post(CREATE, {**piece_data(**taxonomy, then="publish"), **piece_files()})
    assert Piece.objects.published().get().title == "Hand-forged ring"


def test_unpublish_and_archive_keep_the_edit_too(client, maker):
    piece = complete_draft(maker)
    client.post(update_url(piece), edit_data(piece, then="publish"))
    client.post(update_url(piece), edit_data(piece, title="Renamed ring", then="unpublish"))
    piece.refresh_from_db()
    assert (piece.status, piece.title) == (PieceStatus.DRAFT, "Renamed ring")
    client.post(update_url(piece), edit_data(piece, price="190", then="archive"))
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.ARCHIVED, 190)


def test_an_unknown_then_only_saves(client, maker):
    piece = complete_draft(maker)
    client.post(update_url(piece), edit_data(piece, price="200", then="delete"))
    piece.refresh_from_db()
    assert (piece.status, piece.price) == (PieceStatus.DRAFT, 200)


def test_row_action_values_are_parsed_strictly():
    assert row_action("steps:add", formsets=PIECE_FORMSETS) == ("steps", "add", None)
    assert row_action("photos:up:2", formsets=PIECE_FORMSETS) == ("photos", "up", 2)
    for value in ("steps:add:1", "steps:up", "steps:up:1.5", "hidden:add", "steps:drop:1", "steps:up:123456"):
        assert row_action(value, formsets=PIECE_FORMSETS) is None, value
    assert set(PIECE_FORMSETS) == {"steps", "materials", "photos", "options"}


@pytest.mark.parametrize("rows", [1, 5])
def test_a_row_button_costs_a_fixed_number_of_queries(client, maker, rows, django_assert_max_num_queries):
    piece = complete_draft(maker)
    steps = ["model", "casting", "fabrication", "stone_setting", "engraving"]
    for n in range(rows):
        ProductionStepFactory(piece=piece, step=steps[n], position=2 + n)
        PieceImageFactory(piece=piece, position=1 + n)
    data = edit_data(piece, row="photos:add")
    # What showing the form costs (savepoint and release, session, user, maker, the piece, one query
    # per formset, the choices read once for all rows, the piece's techniques, traditions and styles),
    # plus the photos read once more to change their rows: 22, whatever the number of rows.
    with django_assert_max_num_queries(22):
        assert client.post(update_url(piece), data).status_code == 200
