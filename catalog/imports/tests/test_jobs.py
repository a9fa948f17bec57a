"""
The import as a background job: starting it, running it row by row, its counts, its email,
cancelling, and resuming after a worker died.
"""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from artisans.tests.factories import ArtisanFactory, UserFactory
from catalog.choices import PieceStatus, TrustAction
from catalog.imports import jobs
from catalog.imports.columns import detect_format, parse_rows
from catalog.imports.jobs import (
    ERROR_ALREADY_STARTED,
    ERROR_CANNOT_CANCEL,
    ERROR_ENDED,
    ERROR_NOT_YOURS,
    PROBLEM_FILE_UNREADABLE,
    PROBLEM_GAVE_UP,
    PROBLEM_ROW_FAILED,
    PROBLEM_ROW_SKIPPED,
    import_job_cancel,
    import_job_run,
    import_job_start,
    imports_resume_stale,
)
from catalog.imports.plan import import_job_preview
from catalog.imports.sheets import read_table
from catalog.imports.write import import_row_write
from catalog.models import ImportedRow, ImportJob, ImportState, Piece, TrustEvent
from catalog.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
HEADER = "title,category,price,availability,sku\n"


class WorkerKilled(BaseException):
    """What a worker's death looks like from inside the loop: nothing of ours catches it."""


@pytest.fixture
def tasks_at_once(settings):
    """Tasks run as they are enqueued, in this thread (django-tasks' immediate backend)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def maker():
    CategoryFactory(name="Rings", slug="rings")
    return ArtisanFactory(user__email="maker@example.com")


def csv_of(count, *, price="12.50", start=1):
    rows = "".join(f"Ring {n},Rings,{price},One of a kind,R{n}\n" for n in range(start, start + count))
    return (HEADER + rows).encode()


def zip_of(names=("unused.txt",)):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "not a photo")
    buffer.seek(0)
    return buffer


def previewed(maker, data, *, actor=None, photos=None):
    """A job as the studio's upload leaves it: previewed, through the preview's own code."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    table = read_table(data)
    format = detect_format(table.headers)
    upload = SimpleUploadedFile("photos.zip", photos.getvalue(), "application/zip") if photos else None
    job, _plan = import_job_preview(
        artisan=maker,
        actor=actor or maker.user,
        csv_name="pieces.csv",
        csv_bytes=data,
        format=format,
        rows=parse_rows(table, format=format),
        photos=upload,
    )
    return job


def run(job):
    """The task's own function, in this thread, as a worker runs it."""
    return import_job_run.call(job.pk)


def queued(job):
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.QUEUED, heartbeat_at=timezone.now())
    job.refresh_from_db()
    return job


def failing_rows(monkeypatch, numbers, error=None):
    """import_row_write, refusing the rows of `numbers` (the rest written for real)."""

    def write(*, job, row, archive, actor):
        if row.number in numbers:
            raise error or ValidationError("The edition's size is missing.", code="edition")
        return import_row_write(job=job, row=row, archive=archive, actor=actor)

    monkeypatch.setattr(jobs, "import_row_write", write)


# --- Starting ---------------------------------------------------------------------------------


def test_confirming_queues_the_job_and_its_task_runs_once_committed(
    maker, tasks_at_once, django_capture_on_commit_callbacks
):
    job = previewed(maker, csv_of(3))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_job_start(job=job, actor=maker.user)
    job.refresh_from_db()
    # Nothing runs before the commit: a worker never sees a confirmation that might roll back.
    assert job.state == ImportState.QUEUED
    assert not Piece.objects.exists()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert job.task_id  # the queue's id of its task, for staff to look up
    assert (job.rows_total, job.rows_done, job.pieces_created, job.rows_failed) == (3, 3, 3, 0)
    assert job.attempts == 1 and job.started_at and job.finished_at
    assert sorted(Piece.objects.values_list("sku", flat=True)) == ["R1", "R2", "R3"]
    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.DRAFT}


def test_a_confirmation_rolled_back_enqueues_nothing(maker, tasks_at_once, django_capture_on_commit_callbacks):
    job = previewed(maker, csv_of(2))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_job_start(job=job, actor=maker.user)
    # The callback waits for a commit that, in this test, never comes: the task is not on the queue.
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.state, job.task_id, Piece.objects.count()) == (ImportState.QUEUED, "", 0)


def test_starting_a_job_twice_is_refused(maker):
    job = previewed(maker, csv_of(1))
    import_job_start(job=job, actor=maker.user)
    with pytest.raises(ValidationError) as refused:
        import_job_start(job=job, actor=maker.user)
    assert refused.value.messages == [ERROR_ALREADY_STARTED]
    assert refused.value.code == "already_started"


@pytest.mark.parametrize("state", [ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED])
def test_a_job_that_ended_cannot_be_started_again(maker, state):
    job = previewed(maker, csv_of(1))
    ImportJob.objects.filter(pk=job.pk).update(state=state)
    with pytest.raises(ValidationError) as refused:
        import_job_start(job=job, actor=maker.user)
    assert refused.value.messages == [ERROR_ENDED]
    assert ImportJob.objects.get(pk=job.pk).state == state


@pytest.mark.parametrize("who", ["other maker", "shopper", "inactive owner"])
def test_nobody_but_the_maker_or_staff_may_start_a_job(maker, who):
    job = previewed(maker, csv_of(1))
    actor = {"other maker": lambda: ArtisanFactory().user, "shopper": UserFactory}.get(who, lambda: maker.user)()
    if who == "inactive owner":
        actor.is_active = False
    with pytest.raises(PermissionDenied, match=ERROR_NOT_YOURS):
        import_job_start(job=job, actor=actor)
    assert ImportJob.objects.get(pk=job.pk).state == ImportState.PREVIEWED


def test_staff_starting_a_makers_import_is_recorded_in_the_audit_trail(maker):
    staff = UserFactory(is_staff=True)
    job = previewed(maker, csv_of(2), actor=staff)
    import_job_start(job=job, actor=staff)
    event = TrustEvent.objects.get(artisan=maker)
    assert (event.action, event.actor) == (TrustAction.IMPORTED, staff)
    assert "pieces.csv" in event.note and "2 rows" in event.note


def test_the_maker_starting_their_own_import_leaves_no_audit_line(maker):
    import_job_start(job=previewed(maker, csv_of(1)), actor=maker.user)
    assert not TrustEvent.objects.exists()


# --- Running ------------------------------------------------------------------------------------


def test_a_run_writes_every_row_with_its_counts_and_heartbeat(maker):
    job = queued(previewed(maker, csv_of(4)))
    assert run(job) == ImportState.DONE
    job.refresh_from_db()
    assert (job.rows_done, job.rows_failed, job.pieces_created, job.pieces_updated) == (4, 0, 4, 0)
    assert job.heartbeat_at >= job.started_at
    assert ImportedRow.objects.filter(job=job).count() == 4


def test_rows_matching_the_makers_skus_update_their_pieces(maker):
    run(queued(previewed(maker, csv_of(2))))
    job = queued(previewed(maker, csv_of(3, price="20.00")))  # R1, R2 again, and R3
    run(job)
    job.refresh_from_db()
    assert (job.pieces_created, job.pieces_updated) == (1, 2)
    assert set(Piece.objects.values_list("price", flat=True)) == {20}


def test_a_row_failing_in_the_middle_is_recorded_and_the_others_are_written(maker, monkeypatch):
    failing_rows(monkeypatch, {4})
    job = queued(previewed(maker, csv_of(5)))
    run(job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.rows_done, job.rows_failed, job.pieces_created) == (5, 1, 4)
    assert sorted(Piece.objects.values_list("sku", flat=True)) == ["R1", "R2", "R4", "R5"]  # row 4 is R3
    assert [(p["row"], p["message"]) for p in job.run_problems] == [(4, "The edition's size is missing.")]


def test_an_unexpected_error_in_a_row_is_told_in_plain_words(maker, monkeypatch):
    failing_rows(monkeypatch, {2}, error=KeyError("boom"))
    job = queued(previewed(maker, csv_of(2)))
    run(job)
    job.refresh_from_db()
    assert [problem["message"] for problem in job.run_problems] == [PROBLEM_ROW_FAILED]
    assert job.pieces_created == 1


def test_a_row_the_preview_blocked_is_skipped_with_its_reason(maker):
    data = csv_of(2) + b"Ring 9,Rings,abc,One of a kind,R9\n"
    job = queued(previewed(maker, data))
    run(job)
    job.refresh_from_db()
    assert (job.rows_done, job.rows_failed, job.pieces_created) == (3, 1, 2)
    (problem,) = job.run_problems
    assert problem["row"] == 4 and problem["column"] == "price"
    assert problem["message"].startswith(PROBLEM_ROW_SKIPPED % {"reason": ""})
    assert "abc" in problem["message"]
    # The preview's problems are kept beside the run's.
    assert any(not p.get("during_import") for p in job.problems)


def test_only_a_queued_job_is_run(maker):
    job = previewed(maker, csv_of(1))
    assert run(job) == "not queued"
    assert not Piece.objects.exists()
    assert import_job_run.call(10**9) == "not queued"  # a job deleted meanwhile


def test_a_file_that_cannot_be_read_again_fails_the_job_and_says_why(maker):
    job = queued(previewed(maker, csv_of(1)))
    ImportJob.objects.filter(pk=job.pk).update(csv_bytes=b"")
    assert run(job) == ImportState.FAILED
    job.refresh_from_db()
    assert job.run_problems[0]["message"].startswith(PROBLEM_FILE_UNREADABLE % {"reason": ""})
    assert len(mail.outbox) == 1


# --- The email ----------------------------------------------------------------------------------


def test_the_maker_gets_one_email_with_the_counts_and_the_drafts_link(maker, monkeypatch):
    failing_rows(monkeypatch, {3})
    job = queued(previewed(maker, csv_of(3)))
    run(job)
    (email,) = mail.outbox
    assert email.to == ["maker@example.com"]
    assert "your import is done, 2 new drafts" in email.subject
    assert "New pieces (drafts): 2" in email.body
    assert "Rows not imported: 1" in email.body
    assert "Row 3: The edition's size is missing." in email.body
    assert "/studio/?details=needed" in email.body
    assert f"/studio/import/{job.pk}/" in email.body
    html = email.alternatives[0][0]
    assert "<li>New pieces (drafts): 2</li>" in html


def test_script_in_a_problem_is_escaped_in_the_emails_html(maker, monkeypatch):
    failing_rows(monkeypatch, {2}, error=ValidationError("<script>alert(1)</script>", code="x"))
    run(queued(previewed(maker, csv_of(1))))
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_run_started_twice_emails_once(maker):
    job = queued(previewed(maker, csv_of(1)))
    run(job)
    assert run(job) == "not queued"
    assert len(mail.outbox) == 1


# --- The zip and cancelling ---------------------------------------------------------------------


def test_the_zip_is_deleted_when_the_job_ends(maker):
    job = queued(previewed(maker, csv_of(1), photos=zip_of()))
    name = job.photos.name
    assert job.photos.storage.exists(name)
    run(job)
    job.refresh_from_db()
    assert not job.photos and not job.photos.storage.exists(name)


def test_cancelling_a_previewed_job_deletes_its_zip_and_it_cannot_start(maker):
    job = previewed(maker, csv_of(1), photos=zip_of())
    storage, name = job.photos.storage, job.photos.name
    import_job_cancel(job=job, actor=maker.user)
    assert job.state == ImportState.CANCELLED and not storage.exists(name)
    with pytest.raises(ValidationError, match=ERROR_ENDED):
        import_job_start(job=job, actor=maker.user)
    with pytest.raises(ValidationError, match=ERROR_CANNOT_CANCEL):
        import_job_cancel(job=job, actor=maker.user)


def test_another_maker_cannot_cancel_a_job(maker):
    job = previewed(maker, csv_of(1))
    with pytest.raises(PermissionDenied):
        import_job_cancel(job=job, actor=ArtisanFactory().user)
    assert ImportJob.objects.get(pk=job.pk).state == ImportState.PREVIEWED


def test_a_job_cancelled_while_running_stops_after_the_row_in_hand(maker, monkeypatch):
    def write_then_cancel(*, job, row, archive, actor):
        written = import_row_write(job=job, row=row, archive=archive, actor=actor)
        if row.number == 3:
            import_job_cancel(job=job, actor=maker.user)
        return written

    monkeypatch.setattr(jobs, "import_row_write", write_then_cancel)
    job = queued(previewed(maker, csv_of(5)))
    assert run(job) == "cancelled"
    job.refresh_from_db()
    assert job.state == ImportState.CANCELLED
    assert Piece.objects.count() == 2  # rows 2 and 3; nothing after the cancel
    assert not mail.outbox


# --- Surviving a worker's death -----------------------------------------------------------------


def kill_after(monkeypatch, rows_written):
    calls = []

    def write(*, job, row, archive, actor):
        if len(calls) == rows_written:
            raise WorkerKilled
        calls.append(row.number)
        return import_row_write(job=job, row=row, archive=archive, actor=actor)

    monkeypatch.setattr(jobs, "import_row_write", write)


def stale(job, *, seconds=None):
    from django.conf import settings

    ago = timezone.now() - timedelta(seconds=(seconds or settings.IMPORT_STALE_AFTER) + 1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=ago)


def test_a_run_killed_after_3_of_10_rows_resumes_and_makes_exactly_10_pieces(
    maker, monkeypatch, tasks_at_once, django_capture_on_commit_callbacks
):
    job = queued(previewed(maker, csv_of(10)))
    kill_after(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        run(job)
    job.refresh_from_db()
    assert (job.state, job.rows_done, Piece.objects.count()) == (ImportState.RUNNING, 3, 3)

    monkeypatch.setattr(jobs, "import_row_write", import_row_write)
    assert imports_resume_stale() == []  # its heartbeat is fresh: it may still be alive
    stale(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_resume_stale() == [job.pk]
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert Piece.objects.count() == 10
    assert sorted(Piece.objects.values_list("sku", flat=True)) == sorted(f"R{n}" for n in range(1, 11))
    assert (job.rows_done, job.pieces_created, job.rows_failed, job.attempts) == (10, 10, 0, 2)
    assert len(mail.outbox) == 1


def test_a_resumed_run_tries_the_failed_rows_again_without_listing_them_twice(maker, monkeypatch):
    job = queued(previewed(maker, csv_of(4)))
    failing_rows(monkeypatch, {3}, error=ValidationError("Busy", code="busy"))
    original = jobs.import_row_write

    def fail_then_die(*, job, row, archive, actor):
        if row.number == 5:
            raise WorkerKilled
        return original(job=job, row=row, archive=archive, actor=actor)

    monkeypatch.setattr(jobs, "import_row_write", fail_then_die)
    with pytest.raises(WorkerKilled):
        run(job)
    job.refresh_from_db()
    assert len(job.run_problems) == 1
    monkeypatch.setattr(jobs, "import_row_write", import_row_write)
    queued(job)  # as imports_resume_stale leaves it
    run(job)
    job.refresh_from_db()
    assert job.run_problems == [] and job.rows_failed == 0
    assert (job.rows_done, job.pieces_created) == (4, 4)


def test_a_worker_thought_dead_that_wakes_up_stops_without_writing_more(maker, monkeypatch):
    job = queued(previewed(maker, csv_of(5)))

    def write_then_lose_the_job(*, job, row, archive, actor):
        written = import_row_write(job=job, row=row, archive=archive, actor=actor)
        if row.number == 3:
            # Meanwhile the job was resumed and taken up by another worker: a newer attempt.
            ImportJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
        return written

    monkeypatch.setattr(jobs, "import_row_write", write_then_lose_the_job)
    assert run(job) == "superseded"
    assert Piece.objects.count() == 2


def test_a_queued_job_whose_task_waits_in_the_queue_is_left_to_it(maker, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DATABASE
    job = previewed(maker, csv_of(1))
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(job=job, actor=maker.user)
    stale(job)
    assert imports_resume_stale() == []  # a busy queue is not a dead worker
    job.refresh_from_db()
    assert job.state == ImportState.QUEUED and job.task_id


def test_a_queued_job_whose_task_was_lost_is_queued_again(maker, tasks_at_once, django_capture_on_commit_callbacks):
    job = queued(previewed(maker, csv_of(2)))  # queued, and the process died before the enqueue
    stale(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert imports_resume_stale() == [job.pk]
    assert ImportJob.objects.get(pk=job.pk).state == ImportState.DONE
    assert Piece.objects.count() == 2


def test_a_job_that_died_too_often_fails_and_its_maker_is_told(maker, settings):
    job = previewed(maker, csv_of(1), photos=zip_of())
    storage, name = job.photos.storage, job.photos.name
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, attempts=settings.IMPORT_MAX_ATTEMPTS)
    stale(job)
    assert imports_resume_stale() == []
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.finished_at
    assert job.run_problems[-1]["message"] == PROBLEM_GAVE_UP % {"attempts": settings.IMPORT_MAX_ATTEMPTS}
    assert "stopped" in mail.outbox[0].subject
    assert not storage.exists(name)


def test_the_resume_command_says_what_it_queued_again(maker, tasks_at_once):
    job = queued(previewed(maker, csv_of(1)))
    stale(job)
    out = io.StringIO()
    call_command("resume_imports", stdout=out)
    assert out.getvalue().strip() == f"1 import(s) queued again: {job.pk}"
    call_command("resume_imports", stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "0 import(s) queued again."


# --- Through the real queue ---------------------------------------------------------------------


def test_the_database_backend_queues_the_task_and_db_worker_runs_it(
    maker, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    # The worker drops connections it finds in a transaction between tasks; this test's is the test's own.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    job = previewed(maker, csv_of(2))
    with django_capture_on_commit_callbacks(execute=True):
        import_job_start(job=job, actor=maker.user)
    job.refresh_from_db()
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (task.status, task.args_kwargs["args"]) == (TaskResultStatus.READY, [job.pk])
    assert job.state == ImportState.QUEUED and not Piece.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)

    job.refresh_from_db()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == ImportState.DONE
    assert job.state == ImportState.DONE and Piece.objects.count() == 2


def test_a_zip_gone_from_the_storage_fails_the_job_with_a_reason(maker):
    from catalog.imports.jobs import REASON_ZIP_GONE

    job = queued(previewed(maker, csv_of(1), photos=zip_of()))
    job.photos.storage.delete(job.photos.name)
    assert run(job) == ImportState.FAILED
    job.refresh_from_db()
    assert job.run_problems[0]["message"] == PROBLEM_FILE_UNREADABLE % {"reason": REASON_ZIP_GONE}
    assert not Piece.objects.exists()
