"""A person's own data (/accounts/data/ and its JSON download): everything held about them, nobody else's."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.people.data import EXPORT_QUERIES
from catalog.people.tests.helpers import shopper_with_everything
from catalog.people.views import DATA_DOWNLOADS_PER_HOUR

pytestmark = pytest.mark.django_db

DATA_URL = reverse("people:data")
DOWNLOAD_URL = reverse("people:data_download")


def download(client, user):
    client.force_login(user)
    response = client.get(DOWNLOAD_URL)
    assert response.status_code == 200
    return response, json.loads(response.content)


@pytest.mark.parametrize("url", [DATA_URL, DOWNLOAD_URL])
def test_a_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_says_what_is_held_and_offers_the_download(client):
    client.force_login(UserFactory())
    html = client.get(DATA_URL).content.decode()
    for held in ("Your profile", "Your email addresses", "Pieces you saved", "Your personalization requests"):
        assert held in html
    assert f'href="{DOWNLOAD_URL}"' in html
    assert f'href="{reverse("people:delete")}"' in html


def test_the_download_is_a_dated_json_attachment(client):
    response, data = download(client, shopper_with_everything("Ada"))
    assert response["Content-Type"].startswith("application/json")
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="atelier-data-{today}.json"'
    assert "no-store" in response["Cache-Control"]
    assert data["site"] == "Atelier"


def test_the_download_holds_everything_atelier_keeps_about_the_person(client):
    ada = shopper_with_everything("Ada", count=2)
    _, data = download(client, ada)
    profile = data["profile"]
    assert profile["display_name"] == "Display Ada" and profile["shown_to_makers_as"] == "Display Ada"
    assert (profile["first_name"], profile["last_name"]) == ("FirstAda", "LastAda")
    assert profile["date_joined"] and profile["last_login"]
    assert {address["email"] for address in data["email_addresses"]} == {"ada@mail.test", "ada.second@mail.test"}
    assert data["email_addresses"][0] == {"email": "ada@mail.test", "verified": True, "primary": True}
    assert sorted(saved["title"] for saved in data["saved_pieces"]) == ["Saved Ada 0", "Saved Ada 1"]
    assert all(
        saved["url"].startswith("http://testserver/pieces/") and saved["saved_at"] for saved in data["saved_pieces"]
    )
    assert sorted(follow["maker"] for follow in data["followed_makers"]) == ["Followed Ada 0", "Followed Ada 1"]
    searches = sorted(data["saved_searches"], key=lambda search: search["name"])
    assert [(s["name"], s["query"], s["alerts"]) for s in searches] == [
        ("Search Ada 0", "q=ring-ada-0", "weekly"),
        ("Search Ada 1", "q=ring-ada-1", "weekly"),
    ]
    assert searches[0]["url"] == "http://testserver/pieces/?q=ring-ada-0"
    requests = data["personalization_requests"]
    assert [item["piece"] for item in requests] == ["Asked Ada 0", "Asked Ada 1"]
    first = requests[0]
    assert first["details"] == "Details Ada 0" and first["state"] == "submitted"
    assert [(m["from"], m["body"]) for m in first["messages"]] == [
        ("you", ""),
        ("you", "From shopper Ada 0"),
        (first["maker"], "From maker Ada 0"),
    ]
    assert len(first["reference_photos"]) == 1
    assert re.match(r"^http://testserver/.+\.png$", first["reference_photos"][0])
    assert sorted(report["piece"] for report in data["reports"]) == ["Reported Ada 0", "Reported Ada 1"]
    assert data["reports"][0]["details"].startswith("Report Ada")


def test_the_download_holds_nothing_of_another_shopper(client):
    ada, bob = shopper_with_everything("Ada"), shopper_with_everything("Bob")
    _, ada_data = download(client, ada)
    _, bob_data = download(Client(), bob)
    ada_text, bob_text = json.dumps(ada_data), json.dumps(bob_data)
    assert "Bob" not in ada_text and "bob@" not in ada_text
    assert "Ada" not in bob_text and "ada@" not in bob_text
    # The same URL, each their own: there is no id to change.
    assert ada_data["profile"]["first_name"] == "FirstAda" and bob_data["profile"]["first_name"] == "FirstBob"


def test_a_maker_and_staff_download_their_own_data_and_no_shoppers(client):
    shopper_with_everything("Ada")
    for person in (ArtisanFactory().user, StaffFactory()):
        _, data = download(Client(), person)
        assert "Ada" not in json.dumps(data)
        assert data["personalization_requests"] == [] and data["saved_pieces"] == []


def test_a_shoppers_typed_text_comes_back_as_they_typed_it(client):
    ada = shopper_with_everything("Ada", count=1)
    ada.profile.display_name = "Ada <script>alert(1)</script>"
    ada.profile.save()
    response, data = download(client, ada)
    assert data["profile"]["display_name"] == "Ada <script>alert(1)</script>"
    # An attachment of JSON, never a page: no browser runs what it holds.
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("rows", [2, 20])
def test_the_download_costs_the_same_queries_whatever_the_number_of_rows(client, django_assert_max_num_queries, rows):
    ada = shopper_with_everything("Ada", count=rows)
    client.force_login(ada)
    # The export's own queries; the request's session and user; the savepoint ATOMIC_REQUESTS opens and releases
    # (the export reads in one transaction, so its parts agree with each other).
    with django_assert_max_num_queries(EXPORT_QUERIES + 4):
        response = client.get(DOWNLOAD_URL)
    assert len(json.loads(response.content)["personalization_requests"]) == rows


def test_the_download_is_a_get_only(client):
    client.force_login(UserFactory())
    assert client.post(DOWNLOAD_URL).status_code == 405


def test_downloads_are_rate_limited(client):
    client.force_login(UserFactory())
    for _ in range(DATA_DOWNLOADS_PER_HOUR):
        assert client.get(DOWNLOAD_URL).status_code == 200
    response = client.get(DOWNLOAD_URL)
    assert response.status_code == 429 and response["Retry-After"]


def test_a_makers_data_page_says_their_account_is_closed_through_staff(client):
    client.force_login(ArtisanFactory().user)
    html = client.get(DATA_URL).content.decode()
    assert "our staff close it" in html and "mailto:hello@atelier.localhost" in html
    assert f'href="{reverse("people:delete")}"' not in html


def test_the_account_page_links_to_the_data_and_the_deletion(client):
    client.force_login(UserFactory())
    html = client.get(reverse("people:name")).content.decode()
    assert f'href="{DATA_URL}"' in html and f'href="{reverse("people:delete")}"' in html
