"""The catalog admin: staff only, actions through the services, filters, search, and fixed query counts."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory
import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.admin.pieces import (
    MESSAGE_MAKER_NOT_APPROVED_PLURAL,
    MESSAGE_PUBLISHED_PLURAL,
    EstimatedCountPaginator,
    PieceAdmin,
)
from catalog.choices import (
    EvidenceLevel,
    MadeBy,
    MaterialKind,
    PieceStatus,
    ProductionMethod,
    ProductionStepKind,
    StepDoneBy,
)
from catalog.models import MakerCertification, Piece, ProductionStep
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    CollectionFactory,
    CollectionPieceFactory,
    CopyFlagFactory,
    DescriptionBandFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PersonalizationRequestFactory,
    PhotoCropHashFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
    PieceReportFactory,
    ProductionStepFactory,
    ReviewFactory,
    StyleFactory,
    TechniqueFactory,
    TraditionFactory,
    TrustEventFactory,
)

pytestmark = pytest.mark.django_db


class MakerCertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MakerCertification

    artisan = factory.SubFactory(ArtisanFactory)
    certification = factory.SubFactory(CertificationFactory)


CATALOG_MODELS = [model for model in admin.site._registry if model._meta.app_label == "catalog"]

# One saved row of each catalog model, for its change page.
FACTORIES = {
    "category": CategoryFactory,
    "material": MaterialFactory,
    "technique": TechniqueFactory,
    "tradition": TraditionFactory,
    "style": StyleFactory,
    "certification": CertificationFactory,
    "makercertification": MakerCertificationFactory,
    "piece": PieceFactory,
    "productionstep": ProductionStepFactory,
    "piecematerial": PieceMaterialFactory,
    "pieceimage": PieceImageFactory,
    "personalizationoption": PersonalizationOptionFactory,
    "collection": CollectionFactory,
    "collectionpiece": CollectionPieceFactory,
    "personalizationrequest": PersonalizationRequestFactory,
    "requestmessage": lambda: PersonalizationRequestFactory().messages.create(body="Hello"),
    "requestphoto": lambda: PersonalizationRequestFactory().photos.create(image="requests/x.png"),
    "review": ReviewFactory,
    "trustevent": TrustEventFactory,
    "copyflag": CopyFlagFactory,
    "piecereport": PieceReportFactory,
    "descriptionband": DescriptionBandFactory,
    "photocrophash": PhotoCropHashFactory,
    "pieceviewday": lambda: PieceFactory().view_days.create(day="2026-11-27", views=3),
}
# Requests, their threads and photos are written by shoppers and makers, never added in the admin;
# the review queue's rows are written by its services.
NOT_ADDED_IN_ADMIN = {
    "pieceviewday",
    "personalizationrequest",
    "requestmessage",
    "requestphoto",
    "review",
    "trustevent",
    "copyflag",
    "piecereport",
    "descriptionband",
    "photocrophash",
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def piece_list(client, **params):
    """The pieces the changelist shows for these query parameters."""
    response = client.get(admin_url(Piece, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def run_action(client, action, pieces):
    return client.post(
        admin_url(Piece, "changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [piece.pk for piece in pieces]},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def documented_piece(**kwargs):
    """A piece with the photos, materials, steps and options the admin pages show."""
    piece = PieceFactory(**kwargs)
    PieceImageFactory(piece=piece, position=0)
    PieceImageFactory(piece=piece, position=1, is_process_photo=True, alt_text="Forging the band")
    PieceMaterialFactory(piece=piece)
    PieceMaterialFactory(
        piece=piece,
        material=MaterialFactory(name="Sapphire", slug="sapphire", kind=MaterialKind.GEMSTONE),
        certification=CertificationFactory(name="Gem report", slug="gem-report"),
        purity="",
        construction="",
    )
    ProductionStepFactory(piece=piece, step=ProductionStepKind.FABRICATION, position=0)
    ProductionStepFactory(piece=piece, step=ProductionStepKind.FINISHING, position=1)
    PersonalizationOptionFactory(piece=piece)
    return piece


def post_data(response):
    """The change form of `response` as the browser would post it back unchanged."""
    every_form = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        every_form.append(inline.formset.management_form)
        every_form.extend(inline.formset.forms)
    data = {}
    for form in every_form:
        for bound in form:
            if isinstance(bound.field, forms.FileField):
                continue  # files are not re-sent; the saved one is kept
            value = bound.value()
            if value is True:
                data[bound.html_name] = "on"
            elif value is False:
                continue
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    return data


# --- Who may reach the admin -------------------------------------------------------


def test_every_catalog_model_is_registered_with_the_admin():
    for model in apps.get_app_config("catalog").get_models():
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_staff_can_open_the_list_add_and_change_pages_of_every_catalog_model(admin_client, model):
    row = FACTORIES[model._meta.model_name]()
    for url in (admin_url(model, "changelist"), admin_url(model, "add"), admin_url(model, "change", row.pk)):
        expected = 403 if url.endswith("/add/") and model._meta.model_name in NOT_ADDED_IN_ADMIN else 200
        assert admin_client.get(url).status_code == expected, url


@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("who", ["shopper", "maker"])
@pytest.mark.parametrize("model", CATALOG_MODELS, ids=lambda model: model._meta.model_name)
def test_signed_in_shoppers_and_makers_are_sent_to_the_login_page(client, model, who):
    client.force_login(UserFactory() if who == "shopper" else ArtisanFactory().user)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("action", ["publish", "hide", "feature", "unfeature"])
def test_a_signed_in_non_staff_user_cannot_run_piece_actions(client, action):
    piece = PieceFactory(status=PieceStatus.DRAFT, published_at=None, featured=action == "unfeature")
    client.force_login(piece.artisan.user)
    response = run_action(client, action, [piece])
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    unchanged = Piece.objects.get(pk=piece.pk)
    assert (unchanged.status, unchanged.published_at, unchanged.featured) == (
        PieceStatus.DRAFT,
        None,
        action == "unfeature",
    )


def test_an_anonymous_visitor_cannot_publish_pieces(client):
    piece = PieceFactory(status=PieceStatus.DRAFT, published_at=None)
    response = run_action(client, "publish", [piece])
    assert response.status_code == 302
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.DRAFT


# --- Piece actions -----------------------------------------------------------------


def test_publishing_sets_the_status_and_a_first_publication_date(admin_client):
    first_published = datetime(2024, 3, 1, tzinfo=UTC)
    draft = PieceFactory(status=PieceStatus.DRAFT, published_at=None)
    hidden = PieceFactory(status=PieceStatus.HIDDEN, published_at=first_published)

    response = run_action(admin_client, "publish", [draft, hidden])

    assert response.status_code == 302
    draft.refresh_from_db()
    hidden.refresh_from_db()
    assert draft.status == hidden.status == PieceStatus.PUBLISHED
    assert timezone.now() - draft.published_at < timedelta(minutes=1)
    assert hidden.published_at == first_published
    assert MESSAGE_PUBLISHED_PLURAL % {"count": 2} in messages_of(response)


def test_publishing_pieces_of_makers_not_approved_works_and_says_they_stay_off_the_site(admin_client):
    pending = PieceFactory(status=PieceStatus.DRAFT, artisan__status=ArtisanStatus.PENDING)
    suspended = PieceFactory(status=PieceStatus.DRAFT, artisan__status=ArtisanStatus.SUSPENDED)
    approved = PieceFactory(status=PieceStatus.DRAFT)

    response = run_action(admin_client, "publish", [pending, suspended, approved])

    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.PUBLISHED}
    assert list(Piece.objects.published()) == [approved]
    assert MESSAGE_MAKER_NOT_APPROVED_PLURAL % {"count": 2} in messages_of(response)


def test_hiding_takes_pieces_off_the_public_site(admin_client):
    piece = PieceFactory()
    run_action(admin_client, "hide", [piece])
    piece.refresh_from_db()
    assert piece.status == PieceStatus.HIDDEN
    assert not Piece.objects.published().exists()


def test_featuring_and_unfeaturing_pieces(admin_client):
    piece, other = PieceFactory(), PieceFactory()

    run_action(admin_client, "feature", [piece, other])
    assert set(Piece.objects.values_list("featured", flat=True)) == {True}

    run_action(admin_client, "unfeature", [piece])
    piece.refresh_from_db()
    other.refresh_from_db()
    assert (piece.featured, other.featured) == (False, True)


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


# --- Query counts -------------------------------------------------------------------
# Each admin page is measured at two sizes, the second three times the first; the
# same bound holds for both, so the cost does not grow with the rows shown.

# Every admin request opens a savepoint and releases it (ATOMIC_REQUESTS: 2), and
# reads the session and the signed-in user (2).
REQUEST = 4
# The filters' choices (categories, metals, certifications: 3), the count of the
# filtered list and of all pieces (2), the page's ids (1), its pieces with maker
# and category (1), their product photos (1).
PIECE_LIST_QUERIES = REQUEST + 3 + 2 + 1 + 1 + 1
# The piece with maker, category and who raised its evidence (1); each of its
# many-to-many fields' values and their labels (3 x 2); the labels of the maker
# and the category autocompletes (2); the rows of the four inlines (4); the
# content type for the history link (1, once per process).
PIECE_CHANGE_QUERIES = REQUEST + 1 + 6 + 2 + 4 + 1
# The two counts (2) and the collections with their piece counts (1).
COLLECTION_LIST_QUERIES = REQUEST + 2 + 1
# The collection (1), its entries with their pieces (1), the content type (1).
COLLECTION_CHANGE_QUERIES = REQUEST + 1 + 1 + 1
# The two counts (2), the makers with their piece counts (1), the countries of the filter (1).
ARTISAN_LIST_QUERIES = REQUEST + 2 + 1 + 1


def analyze_pieces():
    """Refresh PostgreSQL's row estimate of the piece table, as autovacuum would (nothing to do elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_piece")


def test_a_large_unfiltered_piece_list_is_counted_by_postgresqls_estimate_a_filtered_one_exactly(
    admin_client, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_UP_TO", 2)  # "large": more than 2 pieces
    PieceFactory.create_batch(4)
    analyze_pieces()
    PieceFactory.create_batch(2, status=PieceStatus.HIDDEN)  # not in the estimate until the next ANALYZE

    with django_assert_max_num_queries(PIECE_LIST_QUERIES):
        page = admin_client.get(admin_url(Piece, "changelist"))
    unfiltered = page.context["cl"]
    hidden_page = admin_client.get(admin_url(Piece, "changelist"), {"status__exact": PieceStatus.HIDDEN})
    searched = admin_client.get(admin_url(Piece, "changelist"), {"q": "ring"}).context["cl"]

    paginator = page_text(page)
    if connection.vendor == "postgresql":
        assert unfiltered.result_count == 4
        assert "about 4 pieces" in paginator  # an estimate says so
    else:
        assert unfiltered.result_count == 6
        assert "6 pieces" in paginator and "about" not in paginator
    assert len(unfiltered.result_list) == 6  # the rows themselves are all there
    assert hidden_page.context["cl"].result_count == 2
    assert "2 pieces" in page_text(hidden_page) and "about" not in page_text(hidden_page)
    assert searched.result_count == 6


def page_text(response):
    """The list's paginator line, white space folded."""
    paginator = response.content.decode().split('<p class="paginator">', 1)[1].split("</p>", 1)[0]
    return " ".join(paginator.split())


def test_a_small_unfiltered_piece_list_is_counted_exactly(admin_client):
    PieceFactory.create_batch(3)
    analyze_pieces()
    PieceFactory.create_batch(2)

    assert admin_client.get(admin_url(Piece, "changelist")).context["cl"].result_count == 5


@pytest.mark.parametrize(
    "params",
    [{}, {"p": "2"}, {"p": "3"}, {"o": "-6", "p": "2"}, {"o": "3"}, {"status__exact": PieceStatus.PUBLISHED, "p": "2"}],
    ids=["first", "second", "last", "price-descending", "by-maker", "filtered"],
)
def test_each_page_of_the_piece_list_holds_the_rows_of_its_place_in_the_lists_order(admin_client, monkeypatch, params):
    monkeypatch.setattr(PieceAdmin, "list_per_page", 3)
    now = timezone.now()
    for n in range(8):
        PieceFactory(
            artisan=ArtisanFactory(name=f"Maker {n % 3}"),
            price=Decimal(10 + n % 4),
            published_at=None if n == 5 else now - timedelta(days=n % 3),
            status=PieceStatus.HIDDEN if n == 2 else PieceStatus.PUBLISHED,
        )
    cl = admin_client.get(admin_url(Piece, "changelist"), params).context["cl"]
    bottom = (int(params.get("p", 1)) - 1) * 3
    assert [piece.pk for piece in cl.result_list] == [piece.pk for piece in cl.queryset[bottom : bottom + 3]]
    assert len(cl.result_list) == min(3, cl.result_count - bottom)
    assert all(piece.artisan.name.startswith("Maker") for piece in cl.result_list)


@pytest.mark.parametrize("rows", [3, 9])
def test_the_piece_list_costs_the_same_queries_for_3_or_9_pieces(admin_client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        documented_piece(artisan=ArtisanFactory(), category=CategoryFactory())

    with django_assert_max_num_queries(PIECE_LIST_QUERIES):
        response = admin_client.get(admin_url(Piece, "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_the_piece_change_page_costs_the_same_queries_for_2_or_6_rows_per_inline(
    admin_client, django_assert_max_num_queries, rows
):
    piece = PieceFactory()
    piece.techniques.set([TechniqueFactory()])
    piece.traditions.set([TraditionFactory()])
    piece.styles.set([StyleFactory()])
    steps = list(ProductionStepKind)[:rows]
    for position, step in enumerate(steps):
        ProductionStepFactory(piece=piece, step=step, position=position)
        PieceImageFactory(piece=piece, position=position, is_process_photo=position % 2 == 1)
        PieceMaterialFactory(
            piece=piece,
            material=MaterialFactory(),
            certification=CertificationFactory(),
            position=position,
        )
    for kind in ["engraving", "sizing", "metal_choice", "stone_choice", "custom_design"][: rows - 1]:
        PersonalizationOptionFactory(piece=piece, kind=kind, max_characters=10)

    with django_assert_max_num_queries(PIECE_CHANGE_QUERIES):
        response = admin_client.get(admin_url(Piece, "change", piece.pk))

    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][1].formset.forms) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_collection_list_costs_the_same_queries_for_3_or_9_collections(
    admin_client, django_assert_max_num_queries, rows
):
    for collection in CollectionFactory.create_batch(rows):
        CollectionPieceFactory.create_batch(2, collection=collection)

    with django_assert_max_num_queries(COLLECTION_LIST_QUERIES):
        response = admin_client.get(admin_url(collection, "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_collection_change_page_costs_the_same_queries_for_3_or_9_pieces(
    admin_client, django_assert_max_num_queries, rows
):
    collection = CollectionFactory()
    for position in range(rows):
        CollectionPieceFactory(collection=collection, position=position)

    with django_assert_max_num_queries(COLLECTION_CHANGE_QUERIES):
        response = admin_client.get(admin_url(collection, "change", collection.pk))

    assert len(response.context["inline_admin_formsets"][0].formset.forms) == rows


@pytest.mark.parametrize("rows", [3, 9])
def test_the_maker_list_with_pieces_costs_the_same_queries_for_3_or_9_makers(
    admin_client, django_assert_max_num_queries, rows
):
    for artisan in ArtisanFactory.create_batch(rows):
        PieceFactory.create_batch(2, artisan=artisan)

    with django_assert_max_num_queries(ARTISAN_LIST_QUERIES):
        response = admin_client.get(admin_url(artisan, "changelist"))

    assert len(response.context["cl"].result_list) == rows


def test_price_is_shown_with_the_site_currency(admin_client, settings):
    PieceFactory(price=Decimal("180.00"))
    response = admin_client.get(admin_url(Piece, "changelist"))
    assert f"180.00 {settings.CURRENCY}" in response.content.decode()
