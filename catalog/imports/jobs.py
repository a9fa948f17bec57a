"""
The import as a background job: starting a previewed job, the task that writes its rows with
their progress, the end of a job (its email, its zip deleted), cancelling, and resuming the jobs
whose worker died.

The states (catalog.models.imports.ImportState):

```
previewed --the maker (or staff) confirms: import_job_start-->        queued
queued    --a worker takes it up: import_job_run-->                   running
running   --every row tried-->                                        done
running   --the file or the zip cannot be read again-->               failed
queued | running --its worker died (stale heartbeat): imports_resume_stale--> queued (attempt + 1)
queued | running --tried IMPORT_MAX_ATTEMPTS times and died again-->  failed
previewed | queued | running --the maker cancels: import_job_cancel--> cancelled
```

What it guarantees:
- A job runs only from `queued`, taken up under a row lock, so two workers never both run it;
  the task is queued after the commit (`transaction.on_commit`), so a worker never sees a job
  whose confirmation rolled back.
- Each row is written by `catalog.imports.write.import_row_write`, whole or not at all, with its
  `ImportedRow` in the same transaction: a job resumed after its worker died skips the rows
  already written and never makes a piece twice. A row that fails is recorded in
  `job.problems` (its row, column and message) and the job goes on.
- After every row, one UPDATE writes the counts and the heartbeat; it names the attempt it
  belongs to (`attempts`, raised each time a worker takes the job up), so a worker that was
  thought dead and wakes up finds its attempt superseded, or the job cancelled, and stops.
- A job whose heartbeat is older than IMPORT_STALE_AFTER seconds while queued or running lost
  its worker (a restart, a crash, a deploy): `imports_resume_stale` (the `resume_imports`
  command, run by cron in production and every minute by `make run`) queues it again, up to
  IMPORT_MAX_ATTEMPTS tries.
- When a job ends (done, failed, cancelled) its zip of photos is deleted; a job that ended
  cannot be started again. The maker is emailed once when it is done or failed, with the counts
  and the link to the drafts that still need details.

Callers: the studio's import pages and the admin's import for a maker (start, cancel), the
`resume_imports` command; the task queue (django-tasks, TASKS in the settings) runs `import_job_run`.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from artisans.emails import send_templated_email
from catalog.choices import TrustAction
from catalog.imports.columns import parse_rows
from catalog.imports.photos import open_archive
from catalog.imports.plan import import_plan
from catalog.imports.sheets import SheetError, read_table
from catalog.imports.write import import_row_write
from catalog.models import ImportedRow, ImportJob, ImportState
from catalog.models.imports import RUN_PROBLEM
from catalog.trust.services import trust_record

log = logging.getLogger(__name__)

ERROR_NOT_YOURS = "This import belongs to another maker."
ERROR_ALREADY_STARTED = "This import has already started; its progress is on its page."
ERROR_ENDED = "This import has ended and cannot be started again. Upload the file again to import it once more."
ERROR_CANNOT_CANCEL = "This import has ended, so there is nothing left to cancel."
# Problems of the whole job, shown on its page and in the email.
PROBLEM_FILE_UNREADABLE = "The file could not be read again, so nothing more was imported: %(reason)s"
REASON_ZIP_GONE = "the zip of photos is no longer stored. Upload the file and the zip again."
PROBLEM_ROW_FAILED = "This row could not be written, so nothing of it was saved. Check it and import it again."
PROBLEM_ROW_SKIPPED = "This row was skipped: %(reason)s"
PROBLEM_GAVE_UP = (
    "The import stopped after %(attempts)d tries that did not finish. The rows written so far are kept as "
    "drafts; import the file again to add the rest (rows already imported are matched by their SKU)."
)

ENDED_STATES = (ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED)
ACTIVE_STATES = (ImportState.QUEUED, ImportState.RUNNING)


# --- Starting, cancelling ------------------------------------------------------


def _may_act(job: ImportJob, actor) -> bool:
    return actor.is_active and (actor.is_staff or job.artisan.user_id == actor.pk)


@transaction.atomic
def import_job_start(*, job: ImportJob, actor) -> ImportJob:
    """
    Confirm a previewed job: it is queued, and its task enqueued once this transaction commits.

    Refused (PermissionDenied) for anyone but the job's maker or staff, and (ValidationError,
    code `already_started` or `ended`) for a job that is not waiting for its confirmation: a
    second click, a second tab, a job that ended. Staff starting a maker's import is recorded in
    the maker's audit trail.
    """
    locked = ImportJob.objects.select_for_update().select_related("artisan").get(pk=job.pk)
    if not _may_act(locked, actor):
        raise PermissionDenied(ERROR_NOT_YOURS)
    if locked.state in ACTIVE_STATES:
        raise ValidationError(ERROR_ALREADY_STARTED, code="already_started")
    if locked.state != ImportState.PREVIEWED:
        raise ValidationError(ERROR_ENDED, code="ended")
    locked.state = ImportState.QUEUED
    # The heartbeat of a queued job is when it was queued: a job queued long ago whose task is gone
    # is found by imports_resume_stale like a running one whose worker died.
    locked.heartbeat_at = timezone.now()
    locked.save(update_fields=["state", "heartbeat_at"])
    if locked.artisan.user_id != actor.pk:
        trust_record(
            artisan_id=locked.artisan_id,
            action=TrustAction.IMPORTED,
            actor=actor,
            note=f"{locked.csv_name}: {locked.rows_total} rows, started by staff for the maker.",
        )
    transaction.on_commit(partial(import_job_enqueue, job_id=locked.pk))
    job.refresh_from_db()
    return job


def import_job_enqueue(*, job_id: int) -> None:
    """Put the job's task on the queue (after the commit that queued the job) and remember its id."""
    try:
        result = import_job_run.enqueue(job_id)
    except Exception:
        # The job stays queued with no task: imports_resume_stale queues it again once it is stale.
        log.exception("imports: the task of job %s could not be enqueued", job_id)
        return
    ImportJob.objects.filter(pk=job_id).update(task_id=result.id)


def import_job_cancel(*, job: ImportJob, actor) -> ImportJob:
    """
    Cancel a job that has not ended: nothing more is written (a running worker stops after its
    current row; the rows written before stay as drafts), its zip is deleted, and it cannot be
    started again. Refused (ValidationError, code `ended`) for a job that ended.
    """
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().select_related("artisan").get(pk=job.pk)
        if not _may_act(locked, actor):
            raise PermissionDenied(ERROR_NOT_YOURS)
        if locked.state in ENDED_STATES:
            raise ValidationError(ERROR_CANNOT_CANCEL, code="ended")
        locked.state = ImportState.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", "finished_at"])
    _delete_photos(locked)
    job.refresh_from_db()
    return job


# --- The task ------------------------------------------------------------------


@dataclass
class Progress:
    """A run's counts, written with the heartbeat after every row."""

    rows_done: int = 0
    rows_failed: int = 0
    pieces_created: int = 0
    pieces_updated: int = 0
    problems: list = field(default_factory=list)
    problems_changed: bool = False

    def written(self, imported: ImportedRow | None) -> None:
        self.rows_done += 1
        if imported is None:  # the row had nothing to write
            return
        if imported.created:
            self.pieces_created += 1
        else:
            self.pieces_updated += 1

    def failed(self, *, row: int, problems: list[tuple[str, str]]) -> None:
        """One row not imported, for each (column, message) of `problems`."""
        self.rows_done += 1
        self.rows_failed += 1
        for column, message in problems:
            self.problems.append({"row": row, "column": column, "message": message, RUN_PROBLEM: True})
        self.problems_changed = True

    def fields(self) -> dict:
        values = {
            "rows_done": self.rows_done,
            "rows_failed": self.rows_failed,
            "pieces_created": self.pieces_created,
            "pieces_updated": self.pieces_updated,
        }
        if self.problems_changed:
            values["problems"] = self.problems
            self.problems_changed = False
        return values


@task()
def import_job_run(job_id: int) -> str:
    """
    Write the rows of a queued job; returns what became of it ("done", "failed", or why nothing
    was done: "not queued", "superseded", "cancelled"). Safe to run twice: only a queued job is
    taken up, and rows already written are skipped.
    """
    claimed = _claim(job_id)
    if claimed is None:
        return "not queued"
    job, attempt, progress = claimed
    try:
        rows = parse_rows(read_table(bytes(job.csv_bytes)), format=job.format)
        archive = open_archive(job.photos) if job.photos else None
    except SheetError as refused:  # the file was read at the preview: only a changed setting or code refuses it now
        return _finish(job, attempt, progress, failure=PROBLEM_FILE_UNREADABLE % {"reason": refused.message})
    except ValidationError as refused:  # the zip: ArchiveRefused
        return _finish(job, attempt, progress, failure=PROBLEM_FILE_UNREADABLE % {"reason": " ".join(refused.messages)})
    except OSError:  # the zip is gone from the storage: no try will find it again
        log.exception("imports: the zip of job %s cannot be opened", job.pk)
        return _finish(job, attempt, progress, failure=PROBLEM_FILE_UNREADABLE % {"reason": REASON_ZIP_GONE})
    _set_total(job, attempt, len(rows))
    actor = job.created_by or job.artisan.user
    written = set(ImportedRow.objects.filter(job=job).values_list("number", flat=True))
    try:
        # The preview's rules again, as they stand now: a row blocked then (or since) is skipped.
        plan = import_plan(artisan=job.artisan, rows=rows, archive=archive)
        for planned in plan.rows:
            if planned.number in written:
                continue
            _write(job, planned, archive, actor, progress)
            if not _beat(job, attempt, progress):
                return _stopped(job)
    finally:
        if archive is not None:
            archive.close()
        if job.photos:
            job.photos.close()
    return _finish(job, attempt, progress)


def _claim(job_id: int):
    """Take a queued job up: running, one more attempt, its counts from the rows already written."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("artisan__user").filter(pk=job_id).first()
        if job is None or job.state != ImportState.QUEUED:
            return None
        now = timezone.now()
        done = list(ImportedRow.objects.filter(job=job).values_list("created", flat=True))
        # A resumed run tries again the rows that failed before; their problems are written again if they fail.
        kept = [problem for problem in job.problems if not problem.get(RUN_PROBLEM)]
        progress = Progress(
            rows_done=len(done),
            pieces_created=sum(done),
            pieces_updated=len(done) - sum(done),
            problems=kept,
        )
        job.state = ImportState.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        for name, value in progress.fields().items():
            setattr(job, name, value)
        job.problems = kept
        job.save(
            update_fields=[
                "state",
                "attempts",
                "started_at",
                "heartbeat_at",
                "problems",
                "rows_done",
                "rows_failed",
                "pieces_created",
                "pieces_updated",
            ]
        )
    return job, job.attempts, progress


def _current(job: ImportJob, attempt: int):
    """The job's row, as long as this attempt is the running one (else an empty queryset)."""
    return ImportJob.objects.filter(pk=job.pk, state=ImportState.RUNNING, attempts=attempt)


def _set_total(job: ImportJob, attempt: int, total: int) -> None:
    _current(job, attempt).update(rows_total=total, heartbeat_at=timezone.now())
    job.rows_total = total


def _write(job: ImportJob, planned, archive, actor, progress: Progress) -> None:
    """Write one planned row; a row that is blocked or fails is a problem of the job, and the job goes on."""
    blocking = [problem for problem in planned.problems if problem.blocking]
    if blocking:
        # The preview showed why; the job's list says the row was left out, with the first reason.
        reason = PROBLEM_ROW_SKIPPED % {"reason": blocking[0].message}
        progress.failed(row=planned.number, problems=[(blocking[0].column, reason)])
        return
    row = planned.row
    try:
        imported = import_row_write(job=job, row=row, archive=archive, actor=actor)
    except (OperationalError, InterfaceError):
        # The database itself is away: not this row's fault. The run stops here, the job stays
        # running, and once its heartbeat is stale it is resumed from this row.
        raise
    except ValidationError as refused:
        progress.failed(row=row.number, problems=_messages(refused))
    except Exception:
        log.exception("imports: row %s of job %s could not be written", row.number, job.pk)
        progress.failed(row=row.number, problems=[("", PROBLEM_ROW_FAILED)])
    else:
        progress.written(imported)


def _messages(refused: ValidationError) -> list[tuple[str, str]]:
    """A refusal as (column, message) pairs; the column is the model field's name when it names one."""
    if hasattr(refused, "error_dict"):
        pairs = [
            ("" if name == "__all__" else name, message)
            for name, errors in refused.message_dict.items()
            for message in errors
        ]
    else:
        pairs = [("", message) for message in refused.messages]
    return pairs or [("", PROBLEM_ROW_FAILED)]


def _beat(job: ImportJob, attempt: int, progress: Progress) -> bool:
    """Write the counts and the heartbeat (one UPDATE); False when this attempt is no longer the job's."""
    return bool(_current(job, attempt).update(heartbeat_at=timezone.now(), **progress.fields()))


def _stopped(job: ImportJob) -> str:
    state = ImportJob.objects.filter(pk=job.pk).values_list("state", flat=True).first()
    return "cancelled" if state == ImportState.CANCELLED else "superseded"


def _finish(job: ImportJob, attempt: int, progress: Progress, *, failure: str = "") -> str:
    """End the run: done (or failed, with the reason), the maker emailed in the same transaction, the zip deleted."""
    if failure:
        progress.problems.append({"row": None, "column": "", "message": failure, RUN_PROBLEM: True})
        progress.problems_changed = True
    state = ImportState.FAILED if failure else ImportState.DONE
    with transaction.atomic():
        ended = _current(job, attempt).update(
            state=state, finished_at=timezone.now(), heartbeat_at=timezone.now(), **progress.fields()
        )
        if not ended:
            return _stopped(job)
        job.refresh_from_db()
        import_job_email(job=job)
    _delete_photos(job)
    return state


def import_job_email(*, job: ImportJob) -> None:
    """Tell the maker how the import ended: what was made, what failed, and where the drafts wait."""
    user = job.artisan.user
    if not user.email:
        return
    problems = job.run_problems
    send_templated_email(
        to=user.email,
        template="emails/import_done",
        context={
            "job": job,
            "name": job.artisan.name,
            "problems": problems[:EMAIL_PROBLEMS_SHOWN],
            "problems_more": max(len(problems) - EMAIL_PROBLEMS_SHOWN, 0),
            "job_link": reverse("studio:import_detail", args=[job.pk]),
            "drafts_link": drafts_link(),
        },
    )


# The email lists the first problems; the job's page lists them all.
EMAIL_PROBLEMS_SHOWN = 10


def drafts_link() -> str:
    """The studio's list of pieces that still need details before they can be published."""
    return reverse("studio:dashboard") + "?details=needed"


def _delete_photos(job: ImportJob) -> None:
    """The zip is the maker's upload, needed only while the job may still run: gone when it ends."""
    if not job.photos:
        return
    name = job.photos.name
    try:
        job.photos.storage.delete(name)
    except Exception:
        log.exception("imports: the zip %s of job %s could not be deleted", name, job.pk)
        return
    ImportJob.objects.filter(pk=job.pk).update(photos="")
    job.photos.name = ""


# --- Resuming -------------------------------------------------------------------


def imports_resume_stale(*, now=None) -> list[int]:
    """
    Queue again every job whose worker died: queued or running, with a heartbeat older than
    IMPORT_STALE_AFTER seconds (a queued job whose task still waits in the queue is left to it).
    A job already tried IMPORT_MAX_ATTEMPTS times fails instead, and its maker is told.
    Returns the ids of the jobs queued again.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.IMPORT_STALE_AFTER)
    stale = ImportJob.objects.filter(state__in=ACTIVE_STATES, heartbeat_at__lt=cutoff).values_list("pk", flat=True)
    stale_ids = list(stale) + list(
        ImportJob.objects.filter(state__in=ACTIVE_STATES, heartbeat_at__isnull=True).values_list("pk", flat=True)
    )
    resumed = []
    for job_id in stale_ids:
        if _resume(job_id, cutoff=cutoff, now=now):
            resumed.append(job_id)
    return resumed


def _task_waiting(job: ImportJob) -> bool:
    """Whether the job's task is still in the queue, not yet taken by a worker."""
    if not job.task_id or not import_job_run.get_backend().supports_get_result:
        return False
    try:
        return import_job_run.get_result(job.task_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False


def _resume(job_id: int, *, cutoff, now) -> bool:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("artisan__user").filter(pk=job_id).first()
        if job is None or job.state not in ACTIVE_STATES:
            return False
        if job.heartbeat_at is not None and job.heartbeat_at >= cutoff:
            return False  # it came back to life while we looked
        if job.state == ImportState.QUEUED and _task_waiting(job):
            return False  # the queue is busy, not dead: the task will come
        if job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
            job.state = ImportState.FAILED
            job.finished_at = now
            job.problems = [
                *job.problems,
                {"row": None, "column": "", "message": PROBLEM_GAVE_UP % {"attempts": job.attempts}, RUN_PROBLEM: True},
            ]
            job.save(update_fields=["state", "finished_at", "problems"])
            import_job_email(job=job)
            failed = True
        else:
            job.state = ImportState.QUEUED
            job.heartbeat_at = now
            job.save(update_fields=["state", "heartbeat_at"])
            transaction.on_commit(partial(import_job_enqueue, job_id=job.pk))
            failed = False
    if failed:
        _delete_photos(job)
        return False
    log.warning("imports: job %s lost its worker after %s attempts; queued again", job.pk, job.attempts)
    return True
