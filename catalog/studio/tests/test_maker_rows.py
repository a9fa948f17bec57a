"""
The maker's process photos on the application (/sell/apply/) and the profile (/studio/profile/), as
rows like the piece form's: added, removed, kept and moved with buttons that write nothing, a hidden
position and no Delete checkbox, saved thumbnails shown with their alt text; then saved in the order
shown, the removed photo gone.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.models import Artisan, ProcessPhoto
from artisans.services import ERROR_PROCESS_PHOTO_REQUIRED
from artisans.tests.factories import ArtisanFactory, UserFactory
from artisans.tests.uploads import encoded, upload
from catalog.studio.forms import ERROR_ROWS_UNREADABLE, ERROR_TOO_MANY_ROWS, MAKER_FORMSETS, row_action
from catalog.tests.studio_helpers import application_data

pytestmark = pytest.mark.django_db

APPLY = reverse("studio:apply")
PROFILE = reverse("studio:profile")
# The page, and the maker who uses it: a pending maker edits their application, an approved one their profile.
PAGES = {"apply": (APPLY, ArtisanStatus.PENDING), "profile": (PROFILE, ArtisanStatus.APPROVED)}
ABOUT = {name: value for name, value in application_data().items() if not name.startswith("photos-") and name != "name"}


class FormValues(HTMLParser):
    """What a browser would post from the page's form: its inputs, checked boxes, selected options, text."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append(tuple(self._textarea))
            self._textarea = None


def form_values(html):
    parser = FormValues()
    parser.feed(html)
    values = {}
    for name, value in parser.values:
        values.setdefault(name, []).append(value)
    values.pop("csrfmiddlewaretoken", None)
    return {name: found if len(found) > 1 else found[0] for name, found in values.items()}


def press(client, url, html, row, **changes):
    """Post the page's form as it stands, with `changes`, by its button `row` (None: the submit button)."""
    data = {**form_values(html), **changes}
    if row is not None:
        data["row"] = row
    return client.post(url, data)


def photo(artisan, alt_text, position):
    return ProcessPhoto.objects.create(
        artisan=artisan, image=upload(encoded("JPEG"), "bench.jpg"), alt_text=alt_text, position=position
    )


def photos_of(artisan):
    return list(ProcessPhoto.objects.filter(artisan=artisan).values_list("alt_text", flat=True))


def everything():
    return {
        "artisans": list(Artisan.objects.order_by("pk").values()),
        "photos": list(ProcessPhoto.objects.order_by("pk").values()),
    }


@pytest.fixture(params=list(PAGES))
def page(request, client):
    """(url, maker) for each page, the maker signed in with three saved photos: bench, files, hands."""
    url, status = PAGES[request.param]
    maker = ArtisanFactory(status=status, statement="I forge.", labor_practices="I work alone.")
    for position, alt_text in enumerate(["The bench", "The files", "Hands at the anvil"]):
        photo(maker, alt_text, position)
    client.force_login(maker.user)
    return url, maker


def test_the_pages_show_no_raw_formset_controls_and_thumbnails_with_their_alt_text(client, page):
    url, _maker = page
    html = client.get(url).content.decode()
    assert "Position" not in html and "Delete" not in html
    assert 'type="number" name="photos-0-position"' not in html
    assert 'type="hidden" name="photos-0-position" value="0"' in html
    for alt_text in ("The bench", "The files", "Hands at the anvil"):
        assert f'alt="{alt_text}" width="96" height="96"' in html
    assert 'alt=""' not in html and 'href="/media/' not in html and "Currently:" not in html
    assert 'value="photos:add"' in html and 'value="photos:up:1"' in html and 'value="photos:remove:2"' in html
    # Enter in a field presses the form's first button: the form's own submit, never a row button.
    form = html[html.index('class="studio-form maker-form"') :]
    first_button = form[form.index("<button") : form.index(">", form.index("<button"))]
    assert 'type="submit"' in first_button and 'name="row"' not in first_button


def test_a_new_application_starts_with_one_empty_photo_row_and_no_raw_controls(client):
    client.force_login(UserFactory())
    html = client.get(APPLY).content.decode()
    assert "Position" not in html and "Delete" not in html
    assert 'name="photos-TOTAL_FORMS" value="1"' in html
    assert "No photo chosen yet" in html and 'value="photos:add"' in html


def test_add_remove_move_and_keep_write_nothing_then_save_keeps_the_order_shown(client, page):
    url, maker = page
    bench, files, hands = ProcessPhoto.objects.filter(artisan=maker)
    before = everything()
    html = client.get(url).content.decode()

    # Add a row: the form comes back with a fourth, empty row, its photo field focused; what was typed is kept.
    response = press(client, url, html, "photos:add", bio="Typed, not saved.", **{"photos-1-caption": "My files"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="photos-TOTAL_FORMS" value="4"' in html
    assert 'name="photos-3-image"' in html and 'autofocus id="id_photos-3-image"' in html
    assert "Typed, not saved." in html and 'value="My files"' in html
    assert "errorlist" not in html

    # Remove the new row: it leaves the page, with no "will be removed" line (it was never saved).
    html = press(client, url, html, "photos:remove:3").content.decode()
    assert "Photo 4" not in html and "will be removed" not in html
    assert 'id="photos-add" data-hx-post' in html and "autofocus>Add a photo" in html

    # Add it again (it takes the removed row's place), and move the saved "hands" photo up.
    html = press(client, url, html, "photos:add").content.decode()
    assert 'name="photos-TOTAL_FORMS" value="4"' in html
    html = press(client, url, html, "photos:up:2", **{"photos-3-alt_text": "A new photo"}).content.decode()
    assert html.index('alt="Hands at the anvil"') < html.index('alt="The files"')

    # Mark the bench for removal, then keep it: the line and its Keep button come and go.
    html = press(client, url, html, "photos:remove:0").content.decode()
    assert "Photo “The bench” will be removed when you save." in html
    assert 'value="photos:keep:0"' in html and 'name="photos-0-DELETE" value="on"' in html
    html = press(client, url, html, "photos:keep:0").content.decode()
    assert "will be removed" not in html and 'value="photos:remove:0"' in html

    # Mark the files for removal, and save with a file chosen for the new row.
    html = press(client, url, html, "photos:remove:1").content.decode()
    assert "Photo “The files” will be removed when you save." in html
    assert everything() == before

    response = press(client, url, html, None, **{"photos-3-image": upload(encoded("JPEG"), "new.jpg")})
    assert response.status_code == 302, response.content.decode()
    assert photos_of(maker) == ["The bench", "Hands at the anvil", "A new photo"]
    assert not ProcessPhoto.objects.filter(pk=files.pk).exists()
    assert list(ProcessPhoto.objects.filter(artisan=maker).values_list("position", flat=True)) == [0, 1, 2]
    assert {bench.pk, hands.pk} < set(ProcessPhoto.objects.filter(artisan=maker).values_list("pk", flat=True))


def test_a_new_photo_moved_above_the_first_of_a_new_application_stays_first(client):
    client.force_login(UserFactory())
    html = client.get(APPLY).content.decode()
    html = press(client, APPLY, html, "photos:add", name="Oficina Ferro", **ABOUT).content.decode()
    html = press(client, APPLY, html, "photos:up:1").content.decode()
    response = press(
        client,
        APPLY,
        html,
        None,
        **{
            "photos-0-alt_text": "Second",
            "photos-1-alt_text": "First",
            "photos-0-image": upload(encoded("JPEG"), "a.jpg"),
            "photos-1-image": upload(encoded("PNG"), "b.png", "image/png"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    maker = Artisan.objects.get()
    assert maker.status == ArtisanStatus.PENDING
    assert photos_of(maker) == ["First", "Second"]


def test_the_application_still_needs_a_photo_when_every_saved_one_is_removed(client):
    maker = ArtisanFactory(status=ArtisanStatus.PENDING, statement="I forge.", labor_practices="I work alone.")
    photo(maker, "The bench", 0)
    client.force_login(maker.user)
    html = client.get(APPLY).content.decode()
    html = press(client, APPLY, html, "photos:remove:0").content.decode()
    before = everything()
    response = press(client, APPLY, html, None)
    assert response.status_code == 200
    assert response.content.decode().count(ERROR_PROCESS_PHOTO_REQUIRED) == 1
    assert everything() == before


# --- Hostile row values --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["photos:explode", "steps:add", "nope:add", "photos:add:3", "photos:remove:99999", "photos:up:-1", "<script>", ""],
)
def test_an_unknown_or_out_of_range_row_button_changes_nothing(client, page, value):
    url, _maker = page
    before = everything()
    response = press(client, url, client.get(url).content.decode(), value)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert 'name="photos-TOTAL_FORMS" value="3"' in html and "<script>" not in html.split("</head>")[1]
    assert everything() == before


@pytest.mark.parametrize("total", ["abc", "-1", "", "1e9", "100000"])
def test_garbage_row_counts_are_refused_with_a_message_and_save_nothing(client, page, total):
    url, _maker = page
    html = client.get(url).content.decode()
    before = everything()
    response = press(client, url, html, "photos:add", **{"photos-TOTAL_FORMS": total})
    assert response.status_code == 400
    if total != "100000":
        assert ERROR_ROWS_UNREADABLE % {"rows": "process photos"} in response.content.decode()
    response = press(client, url, html, None, **{"photos-TOTAL_FORMS": total})
    assert response.status_code in (200, 400)
    assert everything() == before


def test_a_full_list_refuses_another_photo(client, page):
    url, maker = page
    for position in range(3, 20):
        photo(maker, f"Photo {position}", position)
    response = press(client, url, client.get(url).content.decode(), "photos:add")
    assert response.status_code == 400
    assert ERROR_TOO_MANY_ROWS % {"max": 20, "rows": "process photos"} in response.content.decode()
    assert "That is the most you can add (20)." in response.content.decode()


def test_another_makers_photo_id_is_neither_shown_nor_changed_nor_removed(client, page):
    url, _maker = page
    theirs = photo(ArtisanFactory(), "Another maker's secret bench", 0)
    html = client.get(url).content.decode()
    changes = {"photos-0-id": str(theirs.pk), "photos-0-alt_text": "Taken over", "photos-0-DELETE": "on"}
    for row in ("photos:add", "photos:keep:0", "photos:up:0", None):
        response = press(client, url, html, row, **changes)
        assert "secret bench" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.alt_text == "Another maker's secret bench"


@pytest.mark.parametrize("url", [APPLY, PROFILE])
def test_row_buttons_need_a_signed_in_maker(client, url):
    response = client.post(url, {"row": "photos:add", "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0"})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    client.force_login(UserFactory())
    response = client.post(PROFILE, {"row": "photos:add"})
    assert response.status_code == 302 and response.url == APPLY
    assert not Artisan.objects.exists()


def test_an_approved_maker_cannot_reach_the_application_with_a_row_button(client):
    maker = ArtisanFactory()
    client.force_login(maker.user)
    response = client.post(APPLY, {"row": "photos:add"})
    assert response.status_code == 302 and response.url == reverse("studio:dashboard")


def test_row_action_knows_only_the_forms_own_lists():
    assert row_action("photos:down:1", formsets=MAKER_FORMSETS) == ("photos", "down", 1)
    assert row_action("steps:add", formsets=MAKER_FORMSETS) is None


@pytest.mark.parametrize("count", [1, 8])
def test_a_row_button_on_the_profile_costs_a_fixed_number_of_queries(client, count, django_assert_max_num_queries):
    maker = ArtisanFactory(statement="I forge.", labor_practices="I work alone.")
    for position in range(count):
        photo(maker, f"Photo {position}", position)
    client.force_login(maker.user)
    html = client.get(PROFILE).content.decode()
    with django_assert_max_num_queries(16):
        assert press(client, PROFILE, html, "photos:down:0").status_code == 200
