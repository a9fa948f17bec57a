"""Many pieces at once from the studio's list: publish, take off the site, archive, reprice, lead time, an option."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from artisans.choices import ArtisanStatus
from artisans.tests.factories import ArtisanFactory, StaffFactory, UserFactory
from catalog.choices import Availability, PersonalizationKind, PieceStatus
from catalog.models import PersonalizationOption, Piece, PieceImage, PieceMaterial
from catalog.services import (
    ERROR_ALL_HAVE_OPTION,
    ERROR_HIDDEN_SELECTED,
    ERROR_MAKER_NOT_APPROVED,
    ERROR_NONE_MADE_TO_ORDER,
    ERROR_NOT_YOURS_SELECTED,
    ERROR_NOTHING_SELECTED,
    ERROR_PRICE_BELOW_COSTS,
    ERROR_PRICE_BELOW_ZERO,
    pieces_add_option,
    pieces_reprice,
    pieces_set_lead_time,
    pieces_set_status,
    titles_named,
)
from catalog.studio.bulk import (
    ERROR_CHOICE_UNREADABLE,
    ERROR_LEAD_TIME,
    ERROR_NO_ACTION,
    ERROR_NOTHING_CHOSEN,
    ERROR_OPTION_LIMIT,
    ERROR_PERCENT_RANGE,
    ERROR_PRICE_NUMBER,
    MESSAGE_LEAD_TIME_SKIPPED,
    MESSAGE_OPTION_SKIPPED,
    MESSAGE_UNCHANGED,
    plain_number,
)
from catalog.tests.factories import (
    PersonalizationOptionFactory,
    PieceFactory,
    PieceImageFactory,
    PieceMaterialFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("studio:dashboard")


@pytest.fixture
def maker(client):
    artisan = ArtisanFactory()
    client.force_login(artisan.user)
    return artisan


def make_pieces(artisan, count, **fields):
    """
    Pieces of the maker ready to publish (a photo, a material), drafts unless told: the first through
    the factories, the others written at once (their photos naming the first one's file), to stay fast.
    """
    fields = {"status": PieceStatus.DRAFT, "published_at": None, **fields}
    title = fields.pop("title", None)
    first = PieceFactory(artisan=artisan, title=title or "Ring 0", **fields)
    photo, material = PieceImageFactory(piece=first), PieceMaterialFactory(piece=first)
    rest = Piece.objects.bulk_create(
        [
            PieceFactory.build(
                artisan=artisan, category=first.category, title=title or f"Ring {n}", slug=f"{first.slug}-{n}", **fields
            )
            for n in range(1, count)
        ]
    )
    PieceImage.objects.bulk_create(
        [PieceImage(piece=piece, image=photo.image.name, width=40, height=50, alt_text="The ring") for piece in rest]
    )
    PieceMaterial.objects.bulk_create(
        [PieceMaterial(piece=piece, material=material.material, purity="925", construction="solid") for piece in rest]
    )
    return [first, *rest]


def post(client, pieces, action, **data):
    return client.post(DASHBOARD, {"pieces": [str(getattr(p, "pk", p)) for p in pieces], "action": action, **data})


def statuses(pieces):
    return list(Piece.objects.filter(pk__in=[p.pk for p in pieces]).order_by("pk").values_list("status", flat=True))


def prices(pieces):
    return list(Piece.objects.filter(pk__in=[p.pk for p in pieces]).order_by("pk").values_list("price", flat=True))


def page(response):
    return response.content.decode()


def said(response):
    return [str(message) for message in response.wsgi_request._messages]


# --- Status ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_a_maker_publishes_the_chosen_pieces(client, maker, count):
    pieces = make_pieces(maker, count)
    response = post(client, pieces, "publish")
    assert response.status_code == 302 and response.url == DASHBOARD
    assert statuses(pieces) == [PieceStatus.PUBLISHED] * count
    assert Piece.objects.filter(published_at__isnull=True).count() == 0
    assert said(response) == [f"Published {count} piece{'s' if count > 1 else ''}."]


def test_pieces_not_chosen_stay_as_they_were(client, maker):
    chosen, left = make_pieces(maker, 2)
    post(client, [chosen], "publish")
    assert statuses([chosen, left]) == [PieceStatus.PUBLISHED, PieceStatus.DRAFT]


@pytest.mark.parametrize("count", [1, 3])
def test_taking_pieces_off_the_site_makes_the_published_ones_drafts(client, maker, count):
    pieces = make_pieces(maker, count, status=PieceStatus.PUBLISHED)
    archived = make_pieces(maker, 1, status=PieceStatus.ARCHIVED)
    response = post(client, pieces + archived, "unpublish")
    assert response.status_code == 302
    assert statuses(pieces) == [PieceStatus.DRAFT] * count
    # An archived piece is not on the site: it stays archived.
    assert statuses(archived) == [PieceStatus.ARCHIVED]
    assert "taken off the site" in said(response)[0]


@pytest.mark.parametrize("count", [1, 3])
def test_a_maker_archives_the_chosen_pieces(client, maker, count):
    pieces = make_pieces(maker, count, status=PieceStatus.PUBLISHED)
    post(client, pieces, "archive")
    assert statuses(pieces) == [PieceStatus.ARCHIVED] * count


def test_all_on_this_page_chooses_every_piece_shown(client, maker):
    pieces = make_pieces(maker, 3)
    response = client.post(
        DASHBOARD, {"all_on_page": "on", "page_pieces": [str(p.pk) for p in pieces], "action": "archive"}
    )
    assert response.status_code == 302
    assert statuses(pieces) == [PieceStatus.ARCHIVED] * 3


def test_a_change_that_changes_nothing_says_so(client, maker):
    pieces = make_pieces(maker, 2, status=PieceStatus.ARCHIVED)
    response = post(client, pieces, "archive")
    assert said(response) == [MESSAGE_UNCHANGED]


def test_a_pending_maker_cannot_publish_but_can_archive_and_reprice(client):
    artisan = ArtisanFactory(status=ArtisanStatus.PENDING)
    client.force_login(artisan.user)
    pieces = make_pieces(artisan, 2)

    response = post(client, pieces, "publish")
    assert response.status_code == 403
    assert escape(ERROR_MAKER_NOT_APPROVED) in page(response)
    assert statuses(pieces) == [PieceStatus.DRAFT] * 2

    post(client, pieces, "reprice", price_direction="up", price_value="10", price_unit="percent")
    assert prices(pieces) == [Decimal("198.00")] * 2
    post(client, pieces, "archive")
    assert statuses(pieces) == [PieceStatus.ARCHIVED] * 2


def test_a_piece_hidden_by_staff_refuses_every_status_change(client, maker):
    pieces = make_pieces(maker, 2, status=PieceStatus.PUBLISHED)
    hidden = make_pieces(maker, 1, status=PieceStatus.HIDDEN)[0]
    hidden.title = "Hidden ring"
    hidden.save()
    for action in ("publish", "unpublish", "archive"):
        response = post(client, [*pieces, hidden], action)
        assert response.status_code == 403
        assert escape(ERROR_HIDDEN_SELECTED % {"titles": "“Hidden ring”"}) in page(response)
    assert statuses([*pieces, hidden]) == [PieceStatus.PUBLISHED, PieceStatus.PUBLISHED, PieceStatus.HIDDEN]


def test_a_hidden_piece_can_still_be_repriced_by_its_maker(client, maker):
    (hidden,) = make_pieces(maker, 1, status=PieceStatus.HIDDEN)
    post(client, [hidden], "reprice", price_direction="down", price_value="30", price_unit="amount")
    assert prices([hidden]) == [Decimal("150.00")]
    assert statuses([hidden]) == [PieceStatus.HIDDEN]


# --- Prices ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "value", "unit", "expected"),
    [
        ("up", "10", "percent", ["198.00", "110.00"]),
        ("down", "12.5", "percent", ["157.50", "87.50"]),
        ("up", "12,50", "amount", ["192.50", "112.50"]),
        ("down", "20", "amount", ["160.00", "80.00"]),
    ],
)
def test_prices_change_by_a_percentage_or_an_amount_up_or_down(client, maker, direction, value, unit, expected):
    pieces = make_pieces(maker, 1) + make_pieces(maker, 1, price=Decimal("100.00"))
    response = post(client, pieces, "reprice", price_direction=direction, price_value=value, price_unit=unit)
    assert response.status_code == 302
    assert prices(pieces) == [Decimal(p) for p in expected]
    assert said(response) == ["Changed the price of 2 pieces."]


def test_one_price_below_its_costs_refuses_the_whole_change(client, maker):
    fine = make_pieces(maker, 2)
    costly = make_pieces(maker, 1, title="Costly cuff", materials_cost=Decimal("120"), labor_cost=Decimal("50"))
    response = post(client, fine + costly, "reprice", price_direction="down", price_value="10", price_unit="percent")
    assert response.status_code == 400
    assert escape(ERROR_PRICE_BELOW_COSTS % {"titles": "“Costly cuff”"}) in page(response)
    assert prices(fine + costly) == [Decimal("180.00")] * 3
    # The boxes stay ticked, to change the choice and try again.
    for piece in fine + costly:
        assert f'value="{piece.pk}" form="studio-bulk" id="choose-{piece.pk}" data-bulk-piece checked' in page(response)


def test_no_price_goes_below_zero(client, maker):
    pieces = make_pieces(maker, 2)
    response = post(client, pieces, "reprice", price_direction="down", price_value="200", price_unit="amount")
    assert response.status_code == 400
    assert escape(ERROR_PRICE_BELOW_ZERO % {"titles": titles_named(["Ring 0", "Ring 1"])}) in page(response)
    assert prices(pieces) == [Decimal("180.00")] * 2


def test_a_price_can_come_down_to_exactly_its_costs(client, maker):
    pieces = make_pieces(maker, 1, materials_cost=Decimal("90"), labor_cost=Decimal("72"))
    post(client, pieces, "reprice", price_direction="down", price_value="10", price_unit="percent")
    assert prices(pieces) == [Decimal("162.00")]


@pytest.mark.parametrize("value", ["abc", "-200", "1e9", "NaN", "1,000.50", "", "0", "12.345", "<script>"])
def test_an_unreadable_price_change_is_refused_in_words(client, maker, value):
    pieces = make_pieces(maker, 2)
    response = post(client, pieces, "reprice", price_direction="up", price_value=value, price_unit="percent")
    assert response.status_code == 400
    assert escape(ERROR_PRICE_NUMBER) in page(response)
    assert prices(pieces) == [Decimal("180.00")] * 2


@pytest.mark.parametrize(("direction", "value"), [("up", "1001"), ("down", "100.01"), ("up", "999999999")])
def test_a_percentage_beyond_the_range_is_refused(client, maker, direction, value):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "reprice", price_direction=direction, price_value=value, price_unit="percent")
    assert response.status_code == 400
    assert escape(ERROR_PERCENT_RANGE) in page(response)


def test_a_price_change_in_an_unknown_direction_is_refused(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "reprice", price_direction="sideways", price_value="5", price_unit="percent")
    assert response.status_code == 400
    assert prices(pieces) == [Decimal("180.00")]


def test_a_price_change_past_the_highest_price_is_refused():
    artisan = ArtisanFactory()
    pieces = make_pieces(artisan, 1, price=Decimal("900000"))
    with pytest.raises(Exception) as refused:
        pieces_reprice(pieces=pieces, actor=artisan.user, percent=Decimal("50"), max_price=Decimal("1000000"))
    assert "“Ring 0” would cost more than €1,000,000" in " ".join(refused.value.messages)
    assert prices(pieces) == [Decimal("900000.00")]


def test_plain_numbers_accept_a_comma_for_decimals_and_nothing_else():
    assert plain_number("12,50") == Decimal("12.50")
    assert plain_number(" 7 ") == Decimal("7")
    assert [plain_number(text) for text in ("1e9", "-3", "1,000.50", "١٢", "12.")] == [None] * 5


# --- Lead time ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_a_lead_time_is_set_on_the_pieces_made_to_order_and_the_others_are_named(client, maker, count):
    made = make_pieces(maker, count, availability=Availability.MADE_TO_ORDER, lead_time_days=10)
    unique = make_pieces(maker, 1, title="Unique ring")
    response = post(client, made + unique, "lead_time", lead_time_days="21")
    assert response.status_code == 302
    assert set(Piece.objects.filter(pk__in=[p.pk for p in made]).values_list("lead_time_days", flat=True)) == {21}
    assert Piece.objects.get(pk=unique[0].pk).lead_time_days is None
    assert said(response)[1] == MESSAGE_LEAD_TIME_SKIPPED % {"titles": "“Unique ring”"}


def test_a_lead_time_for_no_piece_made_to_order_is_refused(client, maker):
    pieces = make_pieces(maker, 2)
    response = post(client, pieces, "lead_time", lead_time_days="21")
    assert response.status_code == 400
    assert escape(ERROR_NONE_MADE_TO_ORDER) in page(response)


@pytest.mark.parametrize("days", ["1000000", "0", "-3", "abc", "2.5", "731", ""])
def test_a_lead_time_beyond_two_years_or_unreadable_is_refused(client, maker, days):
    pieces = make_pieces(maker, 1, availability=Availability.MADE_TO_ORDER, lead_time_days=10)
    response = post(client, pieces, "lead_time", lead_time_days=days)
    assert response.status_code == 400
    assert escape(ERROR_LEAD_TIME % {"max": 730}) in page(response)
    assert Piece.objects.get().lead_time_days == 10


# --- Personalization option -------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_an_option_is_added_to_each_chosen_piece(client, maker, count):
    pieces = make_pieces(maker, count)
    response = post(
        client,
        pieces,
        "add_option",
        option_kind="sizing",
        option_extra_price="15,50",
        option_extra_lead_days="4",
        option_note="Sizes 4 to 12",
    )
    assert response.status_code == 302
    options = PersonalizationOption.objects.filter(piece__in=pieces)
    assert options.count() == count
    assert {(o.kind, o.extra_price, o.extra_lead_days, o.note) for o in options} == {
        ("sizing", Decimal("15.50"), 4, "Sizes 4 to 12")
    }


def test_pieces_that_already_offer_the_kind_keep_their_own_option_and_are_named(client, maker):
    fresh, offering = make_pieces(maker, 2)
    PersonalizationOptionFactory(piece=offering, kind="engraving", max_characters=8, extra_price=Decimal("5"))
    response = post(client, [fresh, offering], "add_option", option_kind="engraving", option_max_characters="20")
    assert response.status_code == 302
    assert offering.personalization_options.get().max_characters == 8
    assert fresh.personalization_options.get().max_characters == 20
    assert said(response)[1] == MESSAGE_OPTION_SKIPPED % {"kind": "engraving", "titles": "“Ring 1”"}


def test_an_option_every_piece_already_offers_is_refused(client, maker):
    (piece,) = make_pieces(maker, 1)
    PersonalizationOptionFactory(piece=piece, kind="sizing", max_characters=None)
    response = post(client, [piece], "add_option", option_kind="sizing")
    assert response.status_code == 400
    assert escape(ERROR_ALL_HAVE_OPTION % {"kind": "sizing"}) in page(response)


def test_an_engraving_option_needs_its_letter_limit(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "add_option", option_kind="engraving", option_max_characters="")
    assert response.status_code == 400
    assert escape(ERROR_OPTION_LIMIT % {"max": 200}) in page(response)
    assert not PersonalizationOption.objects.exists()


def test_an_unknown_option_kind_is_refused(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "add_option", option_kind="tattoo")
    assert response.status_code == 400
    assert not PersonalizationOption.objects.exists()


def test_script_in_an_options_note_is_stored_as_text_and_shown_escaped(client, maker):
    pieces = make_pieces(maker, 1)
    note = "<script>alert('x')</script> sizes 4-12"
    post(client, pieces, "add_option", option_kind="sizing", option_note=note)
    assert PersonalizationOption.objects.get().note == note
    html = page(client.get(reverse("studio:piece_update", args=[pieces[0].pk])))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_an_overlong_note_is_refused(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "add_option", option_kind="sizing", option_note="x" * 251)
    assert response.status_code == 400
    assert not PersonalizationOption.objects.exists()


# --- The choice -------------------------------------------------------------------------


def test_no_choice_is_refused_in_words(client, maker):
    make_pieces(maker, 1)
    response = client.post(DASHBOARD, {"action": "archive"})
    assert response.status_code == 400
    assert escape(ERROR_NOTHING_CHOSEN) in page(response)


def test_no_action_is_refused_in_words(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "")
    assert response.status_code == 400
    assert escape(ERROR_NO_ACTION) in page(response)


def test_an_unknown_action_changes_nothing(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, pieces, "hide")
    assert response.status_code == 400
    assert statuses(pieces) == [PieceStatus.DRAFT]


@pytest.mark.parametrize("garbage", ["abc", "-1", "0", str(10**20), "1.5", "", "<script>"])
def test_garbage_ids_refuse_the_whole_change(client, maker, garbage):
    pieces = make_pieces(maker, 2)
    response = post(client, [*pieces, garbage], "archive")
    assert response.status_code == 400
    assert escape(ERROR_CHOICE_UNREADABLE) in page(response)
    assert statuses(pieces) == [PieceStatus.DRAFT] * 2


@pytest.mark.parametrize("action", ["publish", "unpublish", "archive", "reprice", "lead_time", "add_option"])
def test_another_makers_piece_in_the_choice_refuses_the_whole_change(client, maker, action):
    mine = make_pieces(
        maker, 2, status=PieceStatus.PUBLISHED, availability=Availability.MADE_TO_ORDER, lead_time_days=5
    )
    theirs = make_pieces(ArtisanFactory(), 1, availability=Availability.MADE_TO_ORDER, lead_time_days=5)
    before = list(Piece.objects.order_by("pk").values())
    response = post(
        client,
        mine + theirs,
        action,
        price_direction="up",
        price_value="10",
        price_unit="percent",
        lead_time_days="9",
        option_kind="sizing",
    )
    assert response.status_code == 403
    assert escape(ERROR_NOT_YOURS_SELECTED) in page(response)
    # Nothing of theirs is named on the page.
    assert theirs[0].title not in page(response).replace("Ring 0", "").replace("Ring 1", "")
    assert list(Piece.objects.order_by("pk").values()) == before
    assert not PersonalizationOption.objects.exists()


def test_an_id_of_no_piece_refuses_the_whole_change(client, maker):
    pieces = make_pieces(maker, 1)
    response = post(client, [*pieces, 999_999], "archive")
    assert response.status_code == 403
    assert statuses(pieces) == [PieceStatus.DRAFT]


def test_the_services_refuse_an_empty_choice():
    artisan = ArtisanFactory()
    for change in (
        lambda: pieces_set_status(pieces=[], status=PieceStatus.ARCHIVED, actor=artisan.user),
        lambda: pieces_reprice(pieces=[], percent=Decimal("5"), actor=artisan.user),
        lambda: pieces_set_lead_time(pieces=[], days=3, actor=artisan.user),
        lambda: pieces_add_option(pieces=[], kind=PersonalizationKind.SIZING, actor=artisan.user),
    ):
        with pytest.raises(Exception) as refused:
            change()
        assert refused.value.messages == [ERROR_NOTHING_SELECTED]


def test_the_services_run_the_pieces_rules_across_fields():
    """full_clean on each piece: a piece that breaks Piece.clean's rules is named, nothing changes."""
    artisan = ArtisanFactory()  # a solo maker
    (piece,) = make_pieces(artisan, 1, title="Team ring")
    Piece.objects.filter(pk=piece.pk).update(made_by="studio_team")  # written before the rule, say
    with pytest.raises(Exception) as refused:
        pieces_reprice(pieces=[piece], percent=Decimal("5"), actor=artisan.user)
    assert "“Team ring”" in refused.value.messages[0]
    assert prices([piece]) == [Decimal("180.00")]


# --- Queries, CSRF, rate limit, who may ------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_costs_a_fixed_number_of_queries_with_and_without_a_choice(
    client, maker, django_assert_max_num_queries, count
):
    pieces = make_pieces(maker, count)
    with django_assert_max_num_queries(16):
        assert client.get(DASHBOARD).status_code == 200
    # Refused with every box ticked: the list is shown again, the boxes checked.
    with django_assert_max_num_queries(18):
        response = post(client, pieces, "reprice", price_direction="up", price_value="abc", price_unit="percent")
    assert response.status_code == 400
    assert page(response).count("data-bulk-piece checked") == count


# (action, data, the most queries whatever the number of pieces): the choice read once, one UPDATE
# (or one bulk INSERT or UPDATE), the session, the user and the maker, savepoints, the message.
BULK_BOUNDS = [
    ("publish", {}, 17),
    ("unpublish", {}, 14),
    ("archive", {}, 14),
    ("reprice", {"price_direction": "up", "price_value": "5", "price_unit": "percent"}, 14),
    ("lead_time", {"lead_time_days": "12"}, 14),
    ("add_option", {"option_kind": "sizing"}, 20),
]


@pytest.mark.parametrize(("action", "data", "bound"), BULK_BOUNDS)
@pytest.mark.parametrize("count", [2, 20])
def test_each_change_costs_a_fixed_number_of_queries(
    client, maker, django_assert_max_num_queries, action, data, bound, count
):
    status = PieceStatus.PUBLISHED if action == "unpublish" else PieceStatus.DRAFT
    pieces = make_pieces(maker, count, status=status, availability=Availability.MADE_TO_ORDER, lead_time_days=3)
    with django_assert_max_num_queries(bound):
        response = post(client, pieces, action, **data)
    assert response.status_code == 302, said(response)


def test_a_change_needs_the_csrf_token(maker):
    pieces = make_pieces(maker, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(maker.user)
    response = client.post(DASHBOARD, {"pieces": [pieces[0].pk], "action": "archive"})
    assert response.status_code == 403
    assert statuses(pieces) == [PieceStatus.DRAFT]
    page_html = page(client.get(DASHBOARD))
    token = page_html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(DASHBOARD, {"pieces": [pieces[0].pk], "action": "archive", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert statuses(pieces) == [PieceStatus.ARCHIVED]


def test_too_many_changes_a_minute_get_the_429_page(client, maker, settings):
    settings.STUDIO_CHANGES_PER_MINUTE = 2
    pieces = make_pieces(maker, 1)
    for _ in range(2):
        assert post(client, pieces, "archive").status_code == 302
    response = post(client, pieces, "unpublish")
    assert response.status_code == 429
    assert response["Retry-After"]


@pytest.mark.parametrize("who", ["another maker", "shopper", "staff", "anonymous"])
def test_only_a_maker_changes_their_pieces_from_the_list(client, who):
    owner = ArtisanFactory()
    pieces = make_pieces(owner, 2)
    user = {
        "another maker": lambda: ArtisanFactory().user,
        "shopper": UserFactory,
        "staff": StaffFactory,
        "anonymous": lambda: None,
    }[who]()
    if user:
        client.force_login(user)
    response = post(client, pieces, "archive")
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        assert response.status_code == 302 and response.url == reverse("studio:apply")
    else:
        assert response.status_code == 403
        assert escape(ERROR_NOT_YOURS_SELECTED) in page(response)
    assert statuses(pieces) == [PieceStatus.DRAFT] * 2


def test_a_change_keeps_the_lists_filter_and_goes_back_to_its_first_page(client, maker):
    pieces = make_pieces(maker, 1)
    response = client.post(f"{DASHBOARD}?status=draft&page=2", {"pieces": [pieces[0].pk], "action": "archive"})
    assert response.url == f"{DASHBOARD}?status=draft"


def test_the_list_offers_every_change_with_labels(client, maker):
    make_pieces(maker, 2)
    html = page(client.get(DASHBOARD))
    assert 'id="studio-bulk"' in html
    for words in ("Publish", "Take off the site (back to drafts)", "Archive", "Change the price"):
        assert f">{words}</option>" in html
    assert html.count('<label for="choose-') == 2
    assert 'for="id_all_on_page"><input type="checkbox" name="all_on_page"' in html
    assert "<script>" not in html.replace('<script src="', "")
