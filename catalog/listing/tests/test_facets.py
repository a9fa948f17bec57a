"""
The listing's facets: each filter's meaning, and counts that match a brute-force
count in Python on randomly generated catalogs.
"""

from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from artisans.tests.factories import ArtisanFactory
from catalog.choices import Availability, Construction, EvidenceLevel, GemSource, PersonalizationKind
from catalog.listing.facets import FACETS, facet_counts, facet_options
from catalog.listing.filters import PieceFilter
from catalog.models import Piece
from catalog.tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MaterialFactory,
    PersonalizationOptionFactory,
    PieceFactory,
    PieceMaterialFactory,
    TechniqueFactory,
)

pytestmark = pytest.mark.django_db

LISTING = reverse("catalog:piece_list")


def listed(client, **params):
    return {piece.slug for piece in client.get(LISTING, params, follow=True).context["object_list"]}


def counts(client, **params):
    """{facet: {value: count}} as the page shows them."""
    listing = client.get(LISTING, params).context["listing"]
    return {
        block.name: {option.value: option.count for option in block.options}
        for _, blocks, _open in listing.facet_groups
        for block in blocks
    }


# --- What each filter means ---------------------------------------------------------------


def test_solid_keeps_only_pieces_all_of_whose_metal_is_solid_and_precious(client):
    gold = MaterialFactory(name="Gold", slug="gold", is_precious=True)
    brass = MaterialFactory(name="Brass", slug="brass", is_precious=False)
    solid = PieceFactory()
    PieceMaterialFactory(piece=solid, material=gold, construction=Construction.SOLID)
    plated = PieceFactory()
    PieceMaterialFactory(piece=plated, material=gold, construction=Construction.PLATED)
    brass_core = PieceFactory()
    PieceMaterialFactory(piece=brass_core, material=gold, construction=Construction.VERMEIL)
    PieceMaterialFactory(piece=brass_core, material=brass, construction=Construction.SOLID)
    PieceFactory()  # no metal recorded
    assert listed(client, solid="1") == {solid.slug}


def test_recycled_traceable_and_lab_grown(client):
    silver = MaterialFactory(name="Silver", slug="silver")
    opal = MaterialFactory(name="Opal", slug="opal", kind="gemstone")
    recycled = PieceFactory()
    PieceMaterialFactory(piece=recycled, material=silver, recycled=True)
    traced = PieceFactory()
    PieceMaterialFactory(piece=traced, material=opal, origin="Coober Pedy, Australia", gem_source=GemSource.NATURAL)
    grown = PieceFactory()
    PieceMaterialFactory(piece=grown, material=opal, gem_source=GemSource.LAB_GROWN)
    assert listed(client, recycled="1") == {recycled.slug}
    assert listed(client, traceable="1") == {traced.slug}
    assert listed(client, gem_source="lab_grown") == {grown.slug}
    assert listed(client, gemstone="opal") == {traced.slug, grown.slug}


def test_certifications_count_only_once_staff_verified_them(client):
    fairmined = CertificationFactory(name="Fairmined", slug="fairmined")
    living = CertificationFactory(name="Living wage", slug="living-wage", certifies="living_wage")
    verified = PieceFactory()
    PieceMaterialFactory(piece=verified, certification=fairmined, is_verified=True)
    claimed = PieceFactory()
    PieceMaterialFactory(piece=claimed, certification=fairmined, is_verified=False)
    fair_maker = ArtisanFactory()
    fair_maker.certifications.create(certification=living, is_verified=True)
    by_fair_maker = PieceFactory(artisan=fair_maker)
    assert listed(client, certification="fairmined") == {verified.slug}
    assert listed(client, fair_labor="1") == {by_fair_maker.slug}
    assert listed(client, certification="living-wage") == {by_fair_maker.slug}
    assert counts(client)["certification"] == {"fairmined": 1, "living-wage": 1}


def test_personalizable_and_personalization_kind(client):
    engraved = PieceFactory()
    PersonalizationOptionFactory(piece=engraved, kind=PersonalizationKind.ENGRAVING)
    sized = PieceFactory()
    PersonalizationOptionFactory(piece=sized, kind=PersonalizationKind.SIZING, max_characters=None)
    PieceFactory()
    assert listed(client, personalizable="1") == {engraved.slug, sized.slug}
    assert listed(client, personalization="sizing") == {sized.slug}


def test_ships_within_counts_stock_and_lead_times(client):
    in_stock = PieceFactory(availability=Availability.OPEN_STOCK, stock=3)
    quick = PieceFactory(availability=Availability.MADE_TO_ORDER, lead_time_days=10)
    slow = PieceFactory(availability=Availability.MADE_TO_ORDER, lead_time_days=40)
    PieceFactory(availability=Availability.OPEN_STOCK, stock=0)
    assert listed(client, ships_within="14") == {in_stock.slug, quick.slug}
    assert listed(client, ships_within="60") == {in_stock.slug, quick.slug, slow.slug}
    assert listed(client, ships_within="2") == set()


def test_verified_traditional_and_country(client):
    filigree = TechniqueFactory(name="Filigree", slug="filigree", is_traditional=True)
    verified = PieceFactory(evidence_level=EvidenceLevel.STAFF_VERIFIED, artisan=ArtisanFactory(country="MX"))
    verified.techniques.add(filigree)
    PieceFactory(evidence_level=EvidenceLevel.DOCUMENTED)
    assert listed(client, verified="1") == {verified.slug}
    assert listed(client, traditional="1") == {verified.slug}
    assert listed(client, country="MX") == {verified.slug}
    assert listed(client, technique="filigree") == {verified.slug}


def test_mostly_by_hand_untreated_repairs_transparent_and_no_bought_components(client):
    from catalog.choices import StepDoneBy, StoneTreatment
    from catalog.tests.factories import ProductionStepFactory

    forged = PieceFactory(lifetime_repairs=True, materials_cost=Decimal("20"), labor_cost=Decimal("60"))
    for step, done in [
        ("design", StepDoneBy.BY_HAND),
        ("fabrication", StepDoneBy.WITH_HAND_TOOLS),
        ("stone_setting", StepDoneBy.BY_HAND),
        ("casting", StepDoneBy.BY_MACHINE),
    ]:
        ProductionStepFactory(piece=forged, step=step, done=done)
    half = PieceFactory(uses_bought_components=True)
    for step, done in [("design", StepDoneBy.BY_HAND), ("casting", StepDoneBy.BY_MACHINE)]:
        ProductionStepFactory(piece=half, step=step, done=done)
    opal = MaterialFactory(name="Opal", slug="opal", kind="gemstone")
    PieceMaterialFactory(piece=forged, material=opal, treatment=StoneTreatment.UNTREATED, construction="")
    PieceMaterialFactory(piece=half, material=opal, treatment=StoneTreatment.TREATED, construction="")
    assert listed(client, by_hand="1") == {forged.slug}
    assert listed(client, untreated="1") == {forged.slug}
    assert listed(client, repairs="1") == {forged.slug}
    assert listed(client, transparent="1") == {forged.slug}
    assert listed(client, no_bought_components="1") == {forged.slug}


def test_search_matches_titles_makers_and_materials(client):
    ring = PieceFactory(title="Tide Ring")
    PieceMaterialFactory(piece=ring, material=MaterialFactory(name="Moonstone", slug="moonstone", kind="gemstone"))
    PieceFactory(title="Plain Band", artisan=ArtisanFactory(name="Oficina Sousa"))
    assert listed(client, q="tide") == {ring.slug}
    assert listed(client, q="moonstone") == {ring.slug}
    assert len(listed(client, q="sousa")) == 1
    assert listed(client, q="unobtainium") == set()


def test_search_ranks_title_matches_first(client):
    PieceFactory(title="Plain Band", description="Goes well with a filigree pendant.")
    best = PieceFactory(title="Filigree Drop Earrings")
    response = client.get(LISTING, {"q": "filigree"}, follow=True)
    assert response.context["object_list"][0].slug == best.slug


# --- Counts -----------------------------------------------------------------------------------


def test_a_facets_own_selection_is_left_out_of_its_counts(client):
    rings, earrings = CategoryFactory(name="Rings", slug="rings"), CategoryFactory(name="Earrings", slug="earrings")
    PieceFactory.create_batch(2, category=rings)
    PieceFactory.create_batch(3, category=earrings)
    shown = counts(client, category="rings")
    assert shown["category"] == {"rings": 2, "earrings": 3}
    assert shown["method"]["handcrafted"] == 2


def test_zero_count_options_stay_visible_and_dimmed(client):
    CategoryFactory(name="Brooches", slug="brooches")
    PieceFactory()
    body = client.get(LISTING).content.decode()
    assert "Brooches" in body
    assert "facet__option--empty" in body


METHODS = ["handcrafted", "hand_finished", "mass_produced"]
AVAILABILITIES = ["one_of_a_kind", "open_stock"]
METALS = ["silver", "gold", "brass"]
KINDS = ["engraving", "sizing"]

piece_strategy = st.fixed_dictionaries(
    {
        "method": st.sampled_from(METHODS),
        "category": st.sampled_from(["rings", "earrings"]),
        "availability": st.sampled_from(AVAILABILITIES),
        "metals": st.lists(st.tuples(st.sampled_from(METALS), st.booleans()), max_size=2, unique_by=lambda m: m[0]),
        "options": st.lists(st.sampled_from(KINDS), max_size=2, unique=True),
        "price": st.integers(min_value=10, max_value=900),
    }
)
selection_strategy = st.fixed_dictionaries(
    {},
    optional={
        "method": st.lists(st.sampled_from(METHODS), min_size=1, max_size=2, unique=True),
        "category": st.lists(st.sampled_from(["rings", "earrings"]), min_size=1, max_size=1),
        "metal": st.lists(st.sampled_from(METALS), min_size=1, max_size=2, unique=True),
        "availability": st.lists(st.sampled_from(AVAILABILITIES), min_size=1, max_size=1),
        "recycled": st.just(["1"]),
        "personalization": st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True),
        "price_max": st.integers(min_value=10, max_value=900),
    },
)


def matches(piece, name, values):
    """The meaning of each facet, written out plainly for the brute-force count."""
    metals = dict(piece["metals"])
    return {
        "method": lambda: piece["method"] in values,
        "category": lambda: piece["category"] in values,
        "metal": lambda: bool(set(metals) & set(values)),
        "availability": lambda: piece["availability"] in values,
        "recycled": lambda: any(metals.values()),
        "personalization": lambda: bool(set(piece["options"]) & set(values)),
        "price_max": lambda: piece["price"] <= values,
    }[name]()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(catalog=st.lists(piece_strategy, min_size=1, max_size=8), selection=selection_strategy)
def test_facet_counts_equal_a_brute_force_count(client, catalog, selection):
    Piece.objects.all().delete()
    categories = {slug: CategoryFactory(name=slug.title(), slug=slug) for slug in ("rings", "earrings")}
    metals = {slug: MaterialFactory(name=slug.title(), slug=slug) for slug in METALS}
    for row in catalog:
        piece = PieceFactory(
            production_method=row["method"],
            category=categories[row["category"]],
            availability=row["availability"],
            stock=1,
            price=Decimal(row["price"]),
        )
        for slug, recycled in row["metals"]:
            PieceMaterialFactory(piece=piece, material=metals[slug], recycled=recycled)
        for kind in row["options"]:
            PersonalizationOptionFactory(piece=piece, kind=kind, max_characters=10)

    response = client.get(LISTING, selection)
    shown = {
        block.name: {option.value: option.count for option in block.options}
        for _, blocks, _open in response.context["listing"].facet_groups
        for block in blocks
    }

    def expected(facet, value):
        others = {name: values for name, values in selection.items() if name != facet}
        added = {**others, facet: ["1"] if facet == "recycled" else [value]}
        return sum(all(matches(row, name, values) for name, values in added.items()) for row in catalog)

    assert response.context["paginator"].count == sum(
        all(matches(row, name, values) for name, values in selection.items()) for row in catalog
    )
    for facet, options in [
        ("method", METHODS),
        ("metal", METALS),
        ("availability", AVAILABILITIES),
        ("personalization", KINDS),
        ("category", ["rings", "earrings"]),
    ]:
        for value in options:
            assert shown[facet][value] == expected(facet, value), (facet, value)
    assert shown["recycled"]["1"] == expected("recycled", "1")


def test_every_facet_has_options_and_a_label():
    PieceFactory()
    options = facet_options()
    for facet in FACETS:
        assert str(facet.label)
        assert facet.is_flag or facet.name in options


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "\x00"},
        {"q": "'; DROP TABLE catalog_piece; --"},
        {"q": 'ring OR "unclosed'},
        {"q": "émeraude 指輪 🐚"},
        {"ships_within": "forever"},
        {"ships_within": "99999"},
        {"solid": "yes"},
        {"country": "XX"},
        {"metal": ["silver"] * 500},
        {"price_min": "500", "price_max": "10"},
        {"sort": "relevance"},
        {"certification": "<script>alert(1)</script>"},
    ],
)
def test_bad_input_gives_the_page_with_a_note_never_a_500(client, params):
    PieceFactory()
    response = client.get(LISTING, params, follow=True)  # a `q` read as filters is redirected to them
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_min_above_max_is_reported_and_the_maximum_left_out(client):
    PieceFactory(price=Decimal("50"))
    dear = PieceFactory(price=Decimal("600"))
    response = client.get(LISTING, {"price_min": "500", "price_max": "10"})
    assert "below the lowest price asked for" in response.content.decode()
    assert {p.slug for p in response.context["object_list"]} == {dear.slug}


def test_each_request_validates_with_its_own_filters_and_form():
    # The FilterSet copies its filters and form fields one level deep, and makes its form class once.
    PieceFactory(title="Hammered ring", price=Decimal("50"))
    bad = PieceFilter(QueryDict("price_min=abc&metal=unobtainium"), queryset=Piece.objects.published())
    good = PieceFilter(QueryDict("price_min=5&q=hammered"), queryset=Piece.objects.published())
    assert type(bad.form) is type(good.form)
    for name in ["q", "price_min", "metal"]:
        assert bad.filters[name] is not good.filters[name]
        assert bad.filters[name].parent is bad and good.filters[name].parent is good
        assert bad.form.fields[name] is not good.form.fields[name]
    assert good.filters["q"].filter.f is good.filters["q"]  # a method filter asks its own FilterSet
    assert [label for label, _ in bad.ignored] == ["Price from", "Metal"]
    assert good.ignored == [] and good.selections == {"price_min": Decimal("5"), "q": "hammered"}
    assert [piece.title for piece in good.filtered(["q", "price_min"])] == ["Hammered ring"]
    assert PieceFilter(None, queryset=Piece.objects.published()).selections == {}


def test_a_request_reads_the_options_from_the_cache_once_and_the_next_sees_a_new_one(client, monkeypatch):
    from django.core.cache import cache

    from catalog.listing import facets

    PieceFactory(category=CategoryFactory(slug="rings"))
    reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(key) or get(key, *a, **k))
    params = {"method": "handcrafted", "category": "rings", "metal": "silver", "gemstone": "garnet"}
    assert client.get(LISTING, params).status_code == 200
    assert reads.count(facets.OPTIONS_CACHE_KEY) == 1  # not once per chosen facet, and again for the column
    MaterialFactory(name="Palladium", slug="palladium")  # a new option, from another request or a shell
    assert 'value="palladium"' in client.get(LISTING, params).content.decode()
    reads.clear()
    facet_options(), facet_options()  # outside a request nothing is kept
    assert reads.count(facets.OPTIONS_CACHE_KEY) == 2


# --- The URL: canonical, shareable, chips -------------------------------------------------------


def test_canonical_url_orders_parameters_and_values(client):
    PieceFactory()
    MaterialFactory(name="Gold", slug="gold")
    MaterialFactory(name="Silver", slug="silver")
    response = client.get(LISTING, {"metal": ["silver", "gold"], "method": "handcrafted", "sort": "newest"})
    assert response.context["canonical_query"] == "?method=handcrafted&metal=gold&metal=silver"
    body = client.get(LISTING, {"price_max": "300", "method": ["hand_finished", "handcrafted"]}).content.decode()
    assert 'rel="canonical"' in body
    assert "?method=hand_finished&amp;method=handcrafted&amp;price_max=300" in body


def test_chips_remove_one_filter_and_go_back_to_page_one(client):
    CategoryFactory(name="Rings", slug="rings")
    PieceFactory.create_batch(30)
    listing = client.get(LISTING, {"method": "handcrafted", "category": "rings", "page": "2"}).context["listing"]
    chips = {chip.label: chip.remove_url for chip in listing.chips}
    assert chips["Handcrafted"] == f"{LISTING}?category=rings"
    assert chips["Rings"] == f"{LISTING}?method=handcrafted"
    assert listing.title == "Handcrafted · Rings"


def test_htmx_request_gets_the_listing_fragment_and_the_canonical_url_to_push(client):
    PieceFactory()
    response = client.get(LISTING, {"method": "handcrafted"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="filters"' in body
    assert response["HX-Push-Url"] == f"{LISTING}?method=handcrafted"
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("filters", [1, 8])
def test_listing_queries_do_not_grow_with_active_filters(client, django_assert_max_num_queries, filters):
    silver = MaterialFactory(name="Silver", slug="silver")
    for _ in range(6):
        PieceMaterialFactory(piece=PieceFactory(), material=silver, recycled=True)
    params = {"method": "handcrafted"}
    if filters > 1:
        params.update(
            metal="silver",
            recycled="1",
            availability="one_of_a_kind",
            price_max="900",
            q="hammered",
            personalizable="1",
            ships_within="30",
        )
    client.get(LISTING)  # the facet options are cached from here on
    # Count, page, photos, materials, steps, and the facet counts in one query.
    with django_assert_max_num_queries(6):
        assert client.get(LISTING, params).status_code == 200


def test_every_facet_active_at_once_still_costs_the_same_queries(client, django_assert_max_num_queries):
    from catalog.listing.facets import FACETS, facet_options

    piece_with_everything = PieceFactory()
    PieceMaterialFactory(piece=piece_with_everything, recycled=True)
    client.get(LISTING)  # the facet options are cached from here on
    options = facet_options()
    params = {
        facet.name: "1" if facet.is_flag else [option.value for option in options[facet.name]][:3] or "none"
        for facet in FACETS
    }
    params.update(q="hammered", price_min="1", price_max="9000", ships_within="30", sort="-price")
    # Count, page, and the facet counts in one query (an empty page loads no photos).
    with django_assert_max_num_queries(6):
        assert client.get(LISTING, params).status_code == 200


def test_the_verified_facet_counts_what_its_label_says_for_every_method(client):
    """Its words name no method, and it counts staff-checked pieces of every method, in the index as in SQL."""
    verified = {
        PieceFactory(production_method=method, evidence_level=level).slug
        for method in ("handcrafted", "hand_finished", "mass_produced")
        for level in (EvidenceLevel.STAFF_VERIFIED, EvidenceLevel.STUDIO_VISITED)
    }
    PieceFactory(production_method="mass_produced", evidence_level=EvidenceLevel.DOCUMENTED)
    PieceFactory(evidence_level=EvidenceLevel.SELF_DECLARED)
    (facet,) = [facet for facet in FACETS if facet.name == "verified"]
    assert str(facet.label) == "How it is made, verified by staff"
    assert "handcraft" not in str(facet.label).lower()

    assert listed(client, verified="1") == verified
    assert counts(client)["verified"] == {"1": 6}
    assert counts(client, method="mass_produced")["verified"] == {"1": 2}
    filterset = PieceFilter(QueryDict("method=mass_produced"), queryset=Piece.objects.published())
    assert facet_counts(filterset.queryset_without)["verified"] == {"1": 2}


def test_the_title_names_every_option_chosen_of_a_filter_never_one_of_several(client):
    """Words never contradict the pieces: a page of fine and sterling silver is not titled 'Fine silver'."""
    fine = MaterialFactory(name="Fine silver", slug="fine-silver")
    sterling = MaterialFactory(name="Sterling silver", slug="sterling-silver")
    for material in (fine, sterling):
        PieceMaterialFactory(piece=PieceFactory(production_method="handcrafted"), material=material)
    params = {"method": "handcrafted", "metal": ["sterling-silver", "fine-silver"], "price_max": "900"}
    listing = client.get(LISTING, params).context["listing"]
    assert listing.title == "Handcrafted · Fine silver or Sterling silver · Up to €900"


# --- Counts kept per state --------------------------------------------------------------------


def test_the_counts_kept_for_a_state_are_those_of_the_catalog_and_words_as_they_are_now(client, monkeypatch):
    from catalog.listing import index as piece_index
    from catalog.listing.vocabulary import Vocabulary

    rings = CategoryFactory(name="Rings", slug="rings")
    PieceFactory(category=rings, production_method="handcrafted", title="Twisted band")
    PieceFactory(category=rings, production_method="mass_produced", title="Plain band")
    state = {"method": "handcrafted", "q": "twisted"}

    first = counts(client, **state)
    index = piece_index._current
    assert len(index._counted) == 1  # kept once counted
    assert counts(client, **state) == first  # and read again, the same
    assert first["category"]["rings"] == 1

    # A write moves the catalog on: the index is replaced, and with it the counts kept.
    PieceFactory(category=rings, production_method="handcrafted", title="Twisted hoop")
    after = counts(client, **state)
    assert piece_index._current is not index
    assert after["category"]["rings"] == 2

    # How words read changes with the vocabulary (staff's synonyms): a new reader drops the counts kept.
    index = piece_index._current
    assert len(index._counted) == 1
    monkeypatch.setattr(piece_index, "current_vocabulary", lambda: Vocabulary(facet_options()))
    index.reader()
    assert len(index._counted) == 0
    assert counts(client, **state) == after
