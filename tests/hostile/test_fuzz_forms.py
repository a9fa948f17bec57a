"""
Generated form data at every form of the site (tests/hostile/form_cases.py),
as the user the form is for and as users it is not for.

Starting from a payload the form accepts, hypothesis drops fields, replaces
values with nasty ones (SQL, markup, NUL bytes, huge numbers, impossible
dates, repeated names, tampered formset counts) and adds unknown fields.
Whatever it sends: no 5xx, no exception escapes, and a form that is not
accepted (a redirect with a success message) writes nothing at all.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .form_cases import FORM_CASES
from .strategies import SCALE, Tally, any_text, submitted
from .world import changed_tables, client_for, snapshot

pytestmark = pytest.mark.django_db

EXAMPLES = 10 * SCALE
INTRUDER_EXAMPLES = 4 * SCALE


@st.composite
def spoiled(draw, valid: dict):
    """The valid payload with a few fields dropped or replaced, and perhaps unknown ones added."""
    data = dict(valid)
    for key in draw(st.lists(st.sampled_from(sorted(valid)), max_size=4, unique=True)) if valid else []:
        if draw(st.booleans()):
            del data[key]
        else:
            data[key] = draw(submitted())
    data.update(draw(st.dictionaries(any_text.filter(bool), submitted(), max_size=2)))
    return data


def post(case, world, user, data):
    """Post `data` (with fresh copies of the case's files) as `user`; return the response and the tables it changed."""
    client = client_for(user)
    before = snapshot()
    response = client.post(case.url(world), {**data, **case.files()})
    return response, changed_tables(before, snapshot())


@pytest.mark.parametrize("case", FORM_CASES, ids=str)
def test_the_valid_payload_is_accepted(case, world):
    """The fuzzing starts from payloads that work, so that it reaches past the first check."""
    response, _changed = post(case, world, case.user(world), case.data(world))
    assert case.accepted(response), (response.status_code, [str(m) for m in response.wsgi_request._messages])


@pytest.mark.parametrize("case", FORM_CASES, ids=str)
def test_spoiled_data_is_refused_cleanly_or_accepted(case, world, hostile_figures):
    valid = case.data(world)
    user = case.user(world)

    @settings(max_examples=EXAMPLES)
    @given(data=spoiled(valid))
    def fuzz(data):
        tally.case()
        try:
            response, changed = post(case, world, user, data)
        except Exception:
            tally.error()
            raise
        if response.status_code >= 500 or (changed and not case.accepted(response)):
            tally.error()
        assert response.status_code < 500
        if not case.accepted(response):
            assert changed == [], f"a refused {case} wrote to {changed}"

    with Tally(hostile_figures) as tally:
        fuzz()


@pytest.mark.parametrize(
    ("case", "intruder"),
    [pytest.param(case, user, id=f"{case}-{who}") for case in FORM_CASES for who, user in case.intruders],
)
def test_the_wrong_user_is_turned_away_and_nothing_is_written(case, intruder, world, hostile_figures):
    valid = case.data(world)
    user = intruder(world)

    @settings(max_examples=INTRUDER_EXAMPLES)
    @given(data=st.one_of(st.just(valid), spoiled(valid)))
    def fuzz(data):
        tally.case()
        try:
            response, changed = post(case, world, user, data)
        except Exception:
            tally.error()
            raise
        if response.status_code not in (302, 403, 404) or changed:
            tally.error()
        assert response.status_code in (302, 403, 404)
        assert not case.accepted(response)
        assert changed == []

    with Tally(hostile_figures) as tally:
        fuzz()
