"""Followed makers: the toggle (account needed, state wanted, idempotent, CSRF, rate limit, htmx) and /following/."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import PieceStatus
from catalog.models import Follow
from catalog.shoppers import buttons
from catalog.shoppers.follows import maker_follow
from catalog.shoppers.views import MESSAGE_FOLLOWING, MESSAGE_UNFOLLOWED
from catalog.tests.factories import PieceFactory, piece_with_details

pytestmark = pytest.mark.django_db

FOLLOWING = reverse("shoppers:following")
HTMX = {"HX-Request": "true"}


def follow_url(artisan):
    return reverse("shoppers:maker_follow", kwargs={"slug": artisan.slug})


def follow(client, artisan, headers=None, **data):
    return client.post(follow_url(artisan), data, headers=headers or {})


def followed(user):
    return list(Follow.objects.filter(shopper=user).values_list("artisan_id", flat=True))


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_following_twice_makes_one_row_and_unfollowing_twice_leaves_none():
    user, maker = UserFactory(), ArtisanFactory()
    Follow.objects.create(shopper=user, artisan=maker)  # another tab got there first
    maker_follow(shopper=user, artisan=maker, following=True)
    maker_follow(shopper=user, artisan=maker, following=True)
    assert followed(user) == [maker.pk]
    maker_follow(shopper=user, artisan=maker, following=False)
    maker_follow(shopper=user, artisan=maker, following=False)
    assert followed(user) == []


def test_a_shopper_follows_a_maker_and_goes_back_with_a_message(client, shopper):
    maker = ArtisanFactory(name="Oficina Ferro")
    response = follow(client, maker, following="1", next=maker.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == maker.get_absolute_url()
    assert followed(shopper) == [maker.pk]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [MESSAGE_FOLLOWING % {"name": "Oficina Ferro"}]


def test_a_stale_tab_pressing_follow_again_does_not_unfollow_and_no_state_toggles(client, shopper):
    maker = ArtisanFactory()
    follow(client, maker, following="1")
    follow(client, maker, following="1")
    assert followed(shopper) == [maker.pk]
    response = follow(client, maker)
    assert followed(shopper) == []
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == MESSAGE_UNFOLLOWED % {"name": maker.name}
    follow(client, maker)
    assert followed(shopper) == [maker.pk]


@pytest.mark.parametrize("value", ["2", "true", "<script>", "1" * 300])
def test_an_unknown_state_is_refused_with_a_400(client, shopper, value):
    maker = ArtisanFactory()
    assert follow(client, maker, following=value).status_code == 400
    assert followed(shopper) == []


def test_a_visitor_not_signed_in_is_sent_to_sign_in_and_back(client):
    maker = ArtisanFactory()
    response = follow(client, maker, following="1", next=maker.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={maker.get_absolute_url()}"
    assert Follow.objects.count() == 0
    response = follow(client, maker, headers=HTMX, following="1", next=maker.get_absolute_url())
    assert response.status_code == 204 and response["HX-Redirect"].startswith(reverse("account_login"))


def test_a_hostile_next_never_leaves_the_site(client, shopper):
    maker = ArtisanFactory()
    for back in ("//evil.example", "javascript:alert(1)", "https://evil.example/x", "/\\evil.example"):
        response = follow(client, maker, following="1", next=back)
        assert response["Location"] == maker.get_absolute_url(), back
    anonymous = Client()
    response = follow(anonymous, maker, next="//evil.example")
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("status", [ArtisanStatus.PENDING, ArtisanStatus.SUSPENDED])
def test_a_maker_who_is_not_public_cannot_be_followed(client, shopper, status):
    maker = ArtisanFactory(status=status)
    assert follow(client, maker, following="1").status_code == 404
    assert follow(client, maker).status_code == 404
    assert followed(shopper) == []


def test_a_maker_suspended_after_being_followed_can_still_be_unfollowed(client, shopper):
    maker = ArtisanFactory()
    follow(client, maker, following="1")
    maker.status = ArtisanStatus.SUSPENDED
    maker.save()
    html = client.get(FOLLOWING).content.decode()
    assert "no longer shown on Atelier" in html and f'href="{maker.get_absolute_url()}"' not in html
    assert follow(client, maker, following="1").status_code == 404
    assert follow(client, maker, following="0", next=FOLLOWING)["Location"] == FOLLOWING
    assert followed(shopper) == []


@pytest.mark.parametrize(
    "path", ["/artisans/../follow/", "/artisans/" + "m" * 300 + "/follow/", "/artisans/été✓/follow/"]
)
def test_hostile_slugs_are_404s(client, shopper, path):
    assert client.post(path, {"following": "1"}).status_code == 404


def test_get_on_the_toggle_is_405(client, shopper):
    assert client.get(follow_url(ArtisanFactory())).status_code == 405


def test_csrf_is_required(shopper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shopper)
    maker = ArtisanFactory()
    assert follow(client, maker, following="1").status_code == 403
    client.get(maker.get_absolute_url())
    token = client.cookies["csrftoken"].value
    assert follow(client, maker, following="1", csrfmiddlewaretoken=token).status_code == 302
    assert followed(shopper) == [maker.pk]


def test_following_is_rate_limited_with_the_429_page(client, shopper, settings):
    settings.FOLLOWS_PER_MINUTE = 1
    maker = ArtisanFactory()
    assert follow(client, maker, following="1").status_code == 302
    assert follow(client, maker, following="0").status_code == 429
    assert followed(shopper) == [maker.pk]


def test_with_htmx_the_answer_is_the_new_button_and_its_announcement(client, shopper):
    maker = ArtisanFactory(name="Atelier <em>Nord</em>")
    response = follow(client, maker, headers={**HTMX, "HX-Trigger": f"follow-{maker.pk}-2"}, following="1")
    html = response.content.decode()
    assert html.startswith('<button class="follow-toggle__button"') and 'aria-pressed="true"' in html
    status = f'<span id="follow-{maker.pk}-2-status" data-hx-swap-oob="innerHTML">{buttons.ANNOUNCE_FOLLOWING}</span>'
    assert status in html
    assert "<em>" not in html and "HX-Request" in response["Vary"]


def test_the_maker_page_and_the_directory_have_the_follow_button(client, shopper):
    maker, other = ArtisanFactory(), ArtisanFactory()
    Follow.objects.create(shopper=shopper, artisan=maker)
    html = client.get(maker.get_absolute_url()).content.decode()
    assert f'action="{follow_url(maker)}"' in html and 'name="following" value="0" aria-pressed="true"' in html
    html = client.get(reverse("catalog:artisan_list")).content.decode()
    assert f'action="{follow_url(maker)}"' in html and f'action="{follow_url(other)}"' in html
    assert html.count('aria-pressed="true"') == 1


def test_following_shows_the_newest_pieces_of_followed_makers_only(client, shopper):
    maker = ArtisanFactory()
    Follow.objects.create(shopper=shopper, artisan=maker)
    older = PieceFactory(artisan=maker, title="Older cuff", published_at="2026-01-01T00:00:00Z")
    newer = PieceFactory(artisan=maker, title="Newer cuff", published_at="2026-06-01T00:00:00Z")
    PieceFactory(artisan=maker, title="Draft cuff", status=PieceStatus.DRAFT, published_at=None)
    PieceFactory(title="Someone else's cuff")
    response = client.get(FOLLOWING)
    assert [piece.pk for piece in response.context["pieces"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert "Draft cuff" not in html and "Someone else" not in html
    assert maker.name in html and 'name="following" value="0"' in html


def test_following_needs_an_account(client):
    response = client.get(FOLLOWING)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_following_says_so_when_empty(client, shopper):
    html = client.get(FOLLOWING).content.decode()
    assert "You follow no maker yet" in html and reverse("catalog:artisan_list") in html


@pytest.mark.parametrize("page", ["abc", "99999", "0", "<script>"])
def test_following_answers_garbage_pages_with_a_404_never_a_500(client, shopper, page):
    maker = ArtisanFactory()
    Follow.objects.create(shopper=shopper, artisan=maker)
    PieceFactory(artisan=maker)
    assert client.get(FOLLOWING, {"page": page}).status_code == 404


def test_every_visitor_sees_only_their_own_follows():
    owner, other_shopper, staff = UserFactory(), UserFactory(), StaffFactory()
    maker = ArtisanFactory(name="Owner's favourite")
    PieceFactory(artisan=maker, title="Favourite's ring")
    Follow.objects.create(shopper=owner, artisan=maker)
    for user in (other_shopper, ArtisanFactory().user, staff):
        client = Client()
        client.force_login(user)
        response = client.get(FOLLOWING)
        assert response.status_code == 200 and response.context["makers"] == []
        assert "Favourite&#x27;s ring" not in response.content.decode()
    assert Client().get(FOLLOWING).status_code == 302
    client = Client()
    client.force_login(owner)
    assert client.get(FOLLOWING).context["makers"] == [maker]


def test_another_shopper_unfollowing_leaves_the_owners_follow(client, shopper):
    maker, owner = ArtisanFactory(), UserFactory()
    Follow.objects.create(shopper=owner, artisan=maker)
    follow(client, maker, following="0")
    assert followed(owner) == [maker.pk] and followed(shopper) == []


@pytest.mark.parametrize("count", [2, 20])
def test_following_costs_the_same_queries_for_2_or_20_makers(client, shopper, count, django_assert_max_num_queries):
    for _ in range(count):
        maker = ArtisanFactory()
        Follow.objects.create(shopper=shopper, artisan=maker)
        piece_with_details(artisan=maker)
    # savepoint and release, session, user, the header's maker profile, count, page ids, makers,
    # the cards' pieces, photos, materials, steps, the buttons' saved and followed state
    with django_assert_max_num_queries(14):
        assert client.get(FOLLOWING).status_code == 200


@pytest.mark.parametrize("count", [2, 20])
def test_the_directory_with_follow_buttons_costs_the_same_queries(
    client, shopper, count, django_assert_max_num_queries
):
    makers = [ArtisanFactory() for _ in range(count)]
    for maker in makers[::2]:
        Follow.objects.create(shopper=shopper, artisan=maker)
    client.get(reverse("catalog:artisan_list"))
    with django_assert_max_num_queries(12):
        html = client.get(reverse("catalog:artisan_list")).content.decode()
    assert html.count('aria-pressed="true"') == len(makers[::2])
