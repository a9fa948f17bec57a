"""Every studio URL, walked as the owner, another maker, a shopper, staff and an anonymous visitor."""

import pytest
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import PieceStatus
from catalog.models import Piece
from catalog.studio import urls as studio_urls
from catalog.tests.factories import PieceFactory, PieceImageFactory, PieceMaterialFactory

pytestmark = pytest.mark.django_db

# Every studio URL about one piece, and the method that changes or shows it.
PIECE_URLS = [
    ("GET", "studio:piece_update", {}),
    ("POST", "studio:piece_update", {}),
    ("GET", "studio:piece_preview", {}),
    ("POST", "studio:piece_action", {"action": "publish"}),
    ("POST", "studio:piece_action", {"action": "unpublish"}),
    ("POST", "studio:piece_action", {"action": "archive"}),
    ("POST", "studio:piece_duplicate", {}),
]
# The maker's own pages, which show only what is theirs.
OWN_URLS = [
    "studio:dashboard",
    "studio:piece_create",
    "studio:profile",
    "studio:requests",
    "studio:reviews",
    "studio:certifications",
    "studio:import_template",
    "studio:export",
]
# Every studio URL about one personalization request.
REQUEST_URLS = [
    ("GET", "studio:request_detail", {}),
    ("POST", "studio:request_action", {"action": "decline"}),
]


def test_the_walk_covers_every_studio_url():
    walked = {name for _method, name, _kwargs in PIECE_URLS + REQUEST_URLS + REVIEW_URLS + CLAIM_URLS}
    walked |= set(OWN_URLS)
    walked |= {"studio:apply", "studio:sell"}  # /sell/ is public: catalog/studio/tests/test_sell_page.py
    # An import job's pages are walked in catalog/imports/tests/test_import_views.py.
    walked |= {"studio:import", "studio:import_detail", "studio:import_confirm", "studio:import_progress"}
    assert walked == {f"studio:{pattern.name}" for pattern in studio_urls.urlpatterns}


# Every studio URL about one decision of the review queue.
REVIEW_URLS = [
    ("GET", "studio:review_appeal", {}),
    ("POST", "studio:review_appeal", {}),
]
# Every studio URL about one certification claim of the maker.
CLAIM_URLS = [("POST", "studio:certification_withdraw", {})]


@pytest.fixture
def piece():
    piece = PieceFactory(status=PieceStatus.DRAFT, published_at=None, title="The owner's ring")
    PieceImageFactory(piece=piece)
    PieceMaterialFactory(piece=piece)
    return piece


def visitor(who, piece):
    return {
        "owner": lambda: piece.artisan.user,
        "another maker": lambda: ArtisanFactory().user,
        "shopper": UserFactory,
        "staff": StaffFactory,
        "staff maker": lambda: ArtisanFactory(user=StaffFactory()).user,
        "anonymous": lambda: None,
    }[who]()


@pytest.mark.parametrize(("method", "name", "kwargs"), PIECE_URLS)
@pytest.mark.parametrize("who", ["owner", "another maker", "staff maker", "shopper", "staff", "anonymous"])
def test_only_the_owner_reaches_a_piece_everyone_else_gets_a_404_or_sign_in(client, piece, method, name, kwargs, who):
    user = visitor(who, piece)
    if user:
        client.force_login(user)
    url = reverse(name, kwargs={"pk": piece.pk, **kwargs})
    before = Piece.objects.values().get(pk=piece.pk)

    response = client.post(url, {}) if method == "POST" else client.get(url)

    if who == "owner":
        # An empty edit is refused with messages (400); the rest succeed or redirect back.
        assert response.status_code in (200, 302, 400)
        if method == "GET":
            assert "The owner&#x27;s ring" in response.content.decode()
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        # No maker profile: sent to apply, never shown the piece (staff curate in the admin).
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    else:
        assert response.status_code == 404
    assert Piece.objects.values().get(pk=piece.pk) == before


@pytest.mark.parametrize("name", OWN_URLS)
@pytest.mark.parametrize("who", ["another maker", "staff", "anonymous"])
def test_the_studio_pages_show_nothing_of_another_makers(client, piece, name, who):
    user = visitor(who, piece)
    if user is None:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
        return
    client.force_login(user)
    response = client.get(reverse(name))
    if who == "staff":
        # Staff have no maker profile: the studio is for makers; they curate in the admin.
        assert response.url == reverse("studio:apply")
    else:
        assert response.status_code == 200
        assert "The owner&#x27;s ring" not in response.content.decode()
        assert "The owner's ring" not in response.content.decode()


def test_a_maker_cannot_attach_a_formset_row_of_another_makers_piece(client, piece):
    """Formset rows are looked up within the edited piece, so a foreign row id is refused, not moved."""
    from catalog.tests.studio_helpers import existing_formsets, piece_data

    mine = PieceFactory(artisan=ArtisanFactory(), status=PieceStatus.DRAFT, published_at=None)
    PieceMaterialFactory(piece=mine)
    client.force_login(mine.artisan.user)
    stolen = piece.materials.get()
    data = piece_data(category=mine.category, material=stolen.material)
    data.update({k: v for k, v in existing_formsets(mine).items() if not k.startswith("materials-")})
    data.update({"materials-TOTAL_FORMS": "1", "materials-INITIAL_FORMS": "1", "materials-0-id": str(stolen.pk)})
    data.update({"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"})
    client.post(reverse("studio:piece_update", args=[mine.pk]), data)
    stolen.refresh_from_db()
    assert stolen.piece_id == piece.pk


@pytest.mark.parametrize(("method", "name", "kwargs"), REQUEST_URLS)
@pytest.mark.parametrize("who", ["owner", "another maker", "staff maker", "shopper", "staff", "anonymous"])
def test_only_the_maker_reaches_a_request_in_the_studio(client, piece, method, name, kwargs, who):
    from catalog.models import PersonalizationRequest
    from catalog.tests.factories import PersonalizationRequestFactory

    request = PersonalizationRequestFactory(piece=piece)
    user = visitor(who, piece)
    if user:
        client.force_login(user)
    url = reverse(name, kwargs={"pk": request.pk, **kwargs})
    response = client.post(url, {"note": "No"}) if method == "POST" else client.get(url)
    state = PersonalizationRequest.objects.get(pk=request.pk).state
    if who == "owner":
        assert response.status_code in (200, 302)
        return
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    else:
        assert response.status_code == 404
    assert state == "submitted"


@pytest.mark.parametrize(("method", "name", "kwargs"), REVIEW_URLS)
@pytest.mark.parametrize("who", ["owner", "another maker", "staff maker", "shopper", "staff", "anonymous"])
def test_only_the_maker_reaches_a_decision_about_their_piece(client, piece, method, name, kwargs, who):
    from catalog.models import Review
    from catalog.tests.factories import ReviewFactory
    from catalog.trust.services import review_decide

    review = review_decide(review=ReviewFactory(piece=piece), approve=False, note="Not yet.", actor=StaffFactory())
    user = visitor(who, piece)
    if user:
        client.force_login(user)
    url = reverse(name, kwargs={"pk": review.pk, **kwargs})
    response = client.post(url, {"text": "Here is more."}) if method == "POST" else client.get(url)
    if who == "owner":
        assert response.status_code in (200, 302)
        return
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    else:
        assert response.status_code == 404
    assert not Review.objects.filter(appeal_of=review).exists()


@pytest.mark.parametrize(("method", "name", "kwargs"), CLAIM_URLS)
@pytest.mark.parametrize("who", ["owner", "another maker", "staff maker", "shopper", "staff", "anonymous"])
def test_only_the_maker_reaches_their_certification_claim(client, piece, method, name, kwargs, who):
    from catalog.models import MakerCertification
    from catalog.tests.factories import CertificationFactory
    from catalog.trust.services import maker_claim_add

    maker = piece.artisan
    claim = maker_claim_add(
        artisan=maker, actor=maker.user, certification=CertificationFactory(), certificate_number="FM-1"
    )
    user = visitor(who, piece)
    if user:
        client.force_login(user)
    response = client.post(reverse(name, kwargs={"pk": claim.pk, **kwargs}))
    if who == "owner":
        assert response.status_code == 302 and not MakerCertification.objects.filter(pk=claim.pk).exists()
        return
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    else:
        assert response.status_code == 404
    assert MakerCertification.objects.filter(pk=claim.pk).exists()
