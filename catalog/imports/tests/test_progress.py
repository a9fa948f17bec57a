"""
An import's progress on its page and its polling partial: the bar and its label, the counts, the
problems so far, polling that stops when the job ends, and who may see it.
"""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.models import ImportJob, ImportState
from catalog.models.imports import RUN_PROBLEM

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def make_job(artisan, *, state=ImportState.RUNNING, done=312, total=2000, problems=0, **fields):
    return ImportJob.objects.create(
        artisan=artisan,
        created_by=artisan.user,
        format="atelier",
        csv_name="pieces.csv",
        csv_bytes=b"title\n",
        state=state,
        rows_total=total,
        rows_done=done,
        rows_failed=problems,
        problems=[
            {"row": n + 2, "column": "price", "message": f"Problem {n}", RUN_PROBLEM: True} for n in range(problems)
        ],
        **fields,
    )


@pytest.fixture
def maker():
    return ArtisanFactory()


def progress_url(job):
    return reverse("studio:import_progress", args=[job.pk])


def test_the_bar_is_labelled_with_rows_done_of_rows_total(maker):
    html = render_to_string("studio/imports/_progress.html", {"job": make_job(maker, pieces_created=300)})
    assert '<label class="import-progress__label" for="import-progress-bar">312 of 2,000 rows</label>' in html
    assert re.search(r'<progress [^>]*id="import-progress-bar" max="2000" value="312">15%</progress>', html)
    assert "<dt>New drafts</dt><dd>300</dd>" in html


def test_the_sentence_is_a_polite_status_apart_from_the_numbers(maker):
    html = render_to_string("studio/imports/_progress.html", {"job": make_job(maker)})
    status = re.search(r'<p [^>]*role="status">(.*?)</p>', html, re.S).group(1)
    assert status.startswith("Importing your pieces.")
    assert "312" not in status  # the fast-changing figures are not announced at each poll
    assert html.count('role="status"') == 1


def test_a_running_job_polls_every_2_seconds_and_offers_a_refresh_link(maker):
    job = make_job(maker)
    html = render_to_string("studio/imports/_progress.html", {"job": job})
    assert f'data-hx-get="{progress_url(job)}?shown=running"' in html
    assert 'data-hx-trigger="every 2s"' in html and 'data-hx-swap="outerHTML"' in html
    assert f'<a href="{reverse("studio:import_detail", args=[job.pk])}">Refresh</a>' in html
    assert " hx-" not in html  # the HTML validator refuses bare hx-* attributes


@pytest.mark.parametrize("state", [ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED])
def test_polling_stops_once_the_job_ended(maker, state):
    html = render_to_string("studio/imports/_progress.html", {"job": make_job(maker, state=state, done=2000)})
    assert "data-hx-get" not in html and "data-hx-trigger" not in html
    assert "Refresh" not in html


def test_a_done_job_says_what_it_made(maker):
    job = make_job(maker, state=ImportState.DONE, done=2000, pieces_created=1990, pieces_updated=1, problems=9)
    html = render_to_string("studio/imports/_progress_sentence.html", {"job": job})
    assert html.strip() == "Done: 1,990 new drafts, 1 piece updated, 9 rows not imported."


def test_a_job_with_no_total_yet_shows_an_indeterminate_bar(maker):
    html = render_to_string("studio/imports/_progress.html", {"job": make_job(maker, done=0, total=0)})
    assert "Counting the rows" in html
    assert re.search(r'<progress class="import-progress__bar" id="import-progress-bar">', html)


def test_problems_so_far_are_listed_and_a_long_list_is_cut(maker):
    html = render_to_string("studio/imports/_progress.html", {"job": make_job(maker, problems=60)})
    assert "Problems so far" in html
    assert "<li>Row 2, price: Problem 0</li>" in html
    assert html.count("<li>Row ") == 50
    assert "60 problems in all: the first 50 are listed here." in html


def test_script_in_a_problem_is_shown_as_text(maker):
    job = make_job(maker, problems=1)
    job.problems = [{"row": 2, "column": "<b>x</b>", "message": "<script>alert(1)</script>", RUN_PROBLEM: True}]
    html = render_to_string("studio/imports/_progress.html", {"job": job})
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;" in html


def test_the_preview_problems_are_not_listed_as_problems_of_the_run(maker):
    job = make_job(maker)
    job.problems = [{"row": 3, "column": "price", "message": "read as 12.50", "blocking": False}]
    assert "read as 12.50" not in render_to_string("studio/imports/_progress.html", {"job": job})


# --- The polling view ---------------------------------------------------------------------------


def test_a_poll_returns_the_figures_alone(client, maker):
    job = make_job(maker)
    client.force_login(maker.user)
    response = client.get(progress_url(job) + "?shown=running", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="import-progress__figures"')
    assert "312 of 2,000 rows" in html
    assert "data-hx-swap-oob" not in html  # same state as shown: nothing for the live region


def test_a_poll_after_the_state_changed_updates_the_live_region_once(client, maker):
    job = make_job(maker, state=ImportState.DONE, done=2000, pieces_created=2000)
    client.force_login(maker.user)
    html = client.get(progress_url(job) + "?shown=running", **HTMX).content.decode()
    assert 'data-hx-swap-oob="innerHTML:#import-progress-status"' in html
    assert "Done: 2,000 new drafts" in html
    assert "data-hx-get" not in html  # and polling stops


@pytest.mark.parametrize("shown", ["", "<script>", "x" * 5000])
def test_a_hostile_shown_state_is_harmless(client, maker, shown):
    job = make_job(maker)
    client.force_login(maker.user)
    response = client.get(progress_url(job), {"shown": shown}, **HTMX)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_opening_the_poll_without_htmx_sends_the_browser_to_the_jobs_page(client, maker):
    job = make_job(maker)
    client.force_login(maker.user)
    response = client.get(progress_url(job))
    assert response.status_code == 302 and response.url == reverse("studio:import_detail", args=[job.pk])


def test_the_jobs_page_includes_the_progress_while_it_runs(client, maker):
    job = make_job(maker)
    client.force_login(maker.user)
    html = client.get(reverse("studio:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-progress-status" role="status"' in html
    assert "312 of 2,000 rows" in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other maker", 404), ("shopper", 302), ("staff", 302), ("anonymous", 302)],
)
def test_only_the_jobs_maker_may_poll_its_progress(client, maker, who, expected):
    job = make_job(maker)
    user = {
        "owner": maker.user,
        "other maker": ArtisanFactory().user,
        "shopper": UserFactory(),
        "staff": UserFactory(is_staff=True, is_superuser=True),
        "anonymous": None,
    }[who]
    if user is not None:
        client.force_login(user)
    response = client.get(progress_url(job), **HTMX)
    assert response.status_code == expected
    if who == "anonymous":
        assert response.url.startswith(reverse("account_login"))
    elif who in ("shopper", "staff"):
        # No maker profile: the studio sends them to apply (staff follow imports in the admin).
        assert response.url == reverse("studio:apply")


def test_an_unknown_job_is_a_404(client, maker):
    client.force_login(maker.user)
    assert client.get(reverse("studio:import_progress", args=[10**9]), **HTMX).status_code == 404


@pytest.mark.parametrize("problems", [2, 200])
def test_a_poll_costs_the_same_queries_whatever_the_number_of_problems(
    client, maker, problems, django_assert_max_num_queries
):
    job = make_job(maker, problems=problems)
    client.force_login(maker.user)
    # The session, the user, the maker, the job (its problems are a column of its row).
    with django_assert_max_num_queries(4):
        assert client.get(progress_url(job), **HTMX).status_code == 200
