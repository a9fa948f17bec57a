"""
Generated query strings at every GET URL of the site, as the visitor each page is for.

Whatever the parameters (real filter values, SQL, markup, NUL bytes, numbers
past any limit, repeated names), no page answers 5xx, no exception escapes,
and nothing is written to the database.
"""

import pytest
from django.urls import NoReverseMatch
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.listing.filters import ArtisanFilter, PieceFilter

from .strategies import SCALE, Tally, query_params
from .world import URL_KWARGS, changed_tables, client_for, parameter_names, snapshot, url_for, url_names, visitor

pytestmark = pytest.mark.django_db

EXAMPLES = 8 * SCALE


def real_values():
    """Every value a filter accepts, so that generated queries also reach the filtering code."""
    values = set()
    for filterset in (PieceFilter(), ArtisanFilter()):
        for field in filterset.form.fields.values():
            values.update(str(value) for value, _label in getattr(field, "choices", ()) if value != "")
    return values


def test_every_url_is_fuzzed(world):
    """Each URL of the URLconf can be reached with real arguments; a new one without them fails here."""
    names = url_names()
    assert "catalog:piece_list" in names and "studio:piece_update" in names and "account_signup" in names
    for name in names:
        try:
            url_for(name, world)
        except NoReverseMatch:
            pytest.fail(f"{name} takes arguments: say how to fill them in URL_KWARGS (tests/hostile/world.py)")
    assert set(URL_KWARGS) <= set(names), "URL_KWARGS names a URL that is gone"


@pytest.mark.parametrize("name", url_names())
def test_no_query_string_breaks_a_page_or_writes(name, world, hostile_figures):
    path = url_for(name, world)
    client = client_for(visitor(name, world))
    real = real_values()
    before = snapshot()

    @settings(max_examples=EXAMPLES)
    @given(params=query_params(parameter_names(), real), htmx=st.booleans())
    def fuzz(params, htmx):
        tally.case()
        try:
            response = client.get(path, params, headers={"HX-Request": "true"} if htmx else {})
        except Exception:
            tally.error()
            raise
        if response.status_code >= 500:
            tally.error()
        assert response.status_code < 500, (path, params)

    with Tally(hostile_figures) as tally:
        fuzz()
    assert changed_tables(before, snapshot()) == []
