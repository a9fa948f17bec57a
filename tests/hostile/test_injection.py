"""
SQL-looking and template-looking strings, and markup, in every query parameter
and every free-text form field: they come back escaped and change nothing.

"Escaped" is checked on the bytes: the raw markup never appears in a response,
a template string is never evaluated (`{{ 7*7 }}` never becomes `49` where it
is shown, `{% debug %}` never dumps the context), and a stored string is stored
as typed. "Change nothing": a search for `' OR 1=1--` finds nothing, a refused
form writes nothing, and every table still has its rows.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from catalog.models import Piece

from .form_cases import FORM_CASES
from .strategies import SCALE
from .world import INJECTIONS, changed_tables, client_for, parameter_names, snapshot, url_for, url_names, visitor

pytestmark = pytest.mark.django_db

RAW_MARKUP = ("<script>alert(1)", "<img src=x onerror")
# What the debug tag prints when it runs, and what a template engine makes of 7*7 next to its braces.
TEMPLATE_EVALUATED = ("sql_queries", "{'csrf_token'", "{{ 49 }}")


def assert_inert(body: str):
    """What was injected, wherever it is shown, is text: escaped markup, unevaluated template syntax."""
    for raw in RAW_MARKUP:
        assert raw not in body, f"unescaped {raw!r} in the page"
    for evaluated in TEMPLATE_EVALUATED:
        assert evaluated not in body
    if "7*7" in body:
        assert "{{ 7*7 }}" in body, "the template string was rendered"


def display_pages(world):
    """Where what makers and shoppers type is shown, and who sees each page (beside the form's own page)."""
    return [
        (None, world.piece.get_absolute_url()),
        (None, reverse("artisans:artisan_detail", args=[world.maker.slug])),
        (None, reverse("catalog:piece_list")),
        (world.maker.user, reverse("studio:dashboard")),
        (world.maker.user, reverse("studio:profile")),
        (world.maker.user, reverse("studio:request_detail", args=[world.request.pk])),
        (world.shopper, reverse("requests:detail", args=[world.request.pk])),
        (world.maker.user, reverse("studio:reviews")),
    ]


def rotated(names, shift):
    """Each parameter gets one of the injections, each injection goes to several parameters."""
    return {name: INJECTIONS[(index + shift) % len(INJECTIONS)] for index, name in enumerate(sorted(names))}


@pytest.mark.parametrize("shift", [0, 3])
@pytest.mark.parametrize("name", url_names())
def test_every_query_parameter_comes_back_escaped(name, shift, world):
    client = client_for(visitor(name, world))
    before = snapshot()
    response = client.get(url_for(name, world), rotated(parameter_names(), shift))
    assert response.status_code < 500
    assert_inert(response.content.decode(errors="replace"))
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("injected", ["' OR 1=1--", "' OR '1'='1", "%' OR 1=1--", "1) OR (1=1"])
def test_sql_in_the_search_matches_nothing(injected, world):
    assert Piece.objects.published().exists()
    response = client_for().get(reverse("catalog:piece_list"), {"q": injected})
    assert response.context["paginator"].count == 0
    response = client_for().get(reverse("catalog:compare"), {"pieces": f"{world.piece.slug},{injected}"})
    assert [piece.slug for piece in response.context["pieces"]] == [world.piece.slug]


# Forms whose text is not shown back on a public or studio page (it signs in, looks up an account, or
# fills the session; a report's details are read by staff only, in the admin, which escapes them).
NOT_SHOWN = {"compare tray", "sign up", "sign in", "password reset", "report a listing"}


# One string of each kind (SQL, template, script, attribute) in every text field of every form; the query
# parameters above get all of INJECTIONS. HOSTILE_SCALE > 1 types every one of them in every form too.
FORM_INJECTIONS = INJECTIONS if SCALE > 1 else [INJECTIONS[0], INJECTIONS[2], INJECTIONS[4], INJECTIONS[5]]


@pytest.mark.parametrize("injected", FORM_INJECTIONS)
@pytest.mark.parametrize("case", [case for case in FORM_CASES if case.text_fields], ids=str)
def test_every_text_field_stores_the_string_as_typed_and_shows_it_escaped(case, injected, world, hostile_figures):
    data = {**case.data(world), **dict.fromkeys(case.text_fields, injected)}
    client = client_for(case.user(world))
    before = snapshot()
    response = client.post(case.url(world), {**data, **case.files()})
    assert response.status_code < 500
    assert_inert(response.content.decode())
    # The page the form goes back to, or on to (a new request's own page, say).
    next_page = client.get(response.url).content.decode() if response.status_code == 302 else ""
    assert_inert(next_page)
    after = snapshot()
    if not case.accepted(response):
        assert changed_tables(before, after) == [], f"a refused {case} wrote something"
        hostile_figures("injections refused by a form", 1)
        return
    assert set(after) == set(before) and all(after.values()), "a table went missing"
    shown = escape(injected) in next_page
    for user, url in [(case.user(world), case.url(world)), *display_pages(world)]:
        body = client_for(user).get(url).content.decode()
        assert_inert(body)
        shown = shown or escape(injected) in body
    assert shown or case.name in NOT_SHOWN, f"{injected!r} typed in {case} is shown nowhere"
    hostile_figures("injections stored and shown escaped", 1)
