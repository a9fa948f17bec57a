"""
A maker's catalog brought in from a spreadsheet (Atelier's template or another marketplace's export),
as a background job (catalog.imports).

An `ImportJob` holds what was uploaded (the CSV's bytes in the row itself: a private file, never
served; the photos' zip, if any, under a random name in the media storage, deleted with the job's
end), the state of the work and its progress. Each row written is an `ImportedRow`, recorded in the
same transaction as the piece it made or updated, so a job resumed after a worker's restart skips
the rows already done and never makes a piece twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artisans.images import RandomName
from marketplace.choice_labels import ChoiceLabels


class ImportFormat(models.TextChoices):
    ATELIER = "atelier", _("Atelier's template")
    ETSY = "etsy", _("An Etsy listings export")


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", _("Waiting for your confirmation")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped by an error")
    CANCELLED = "cancelled", _("Cancelled")


# A problem the job's run wrote (catalog.imports.jobs) carries this key set to true, so that a resumed
# run can drop those of the rows it tries again, and the progress shows them apart from any other.
RUN_PROBLEM = "during_import"


class ImportJob(ChoiceLabels, models.Model):
    artisan = models.ForeignKey("artisans.Artisan", on_delete=models.CASCADE, related_name="import_jobs")
    # Who started it: the maker, or staff importing for them (recorded in the audit trail too).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="import_jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=10, choices=ImportFormat.choices)
    csv_name = models.CharField(max_length=255)
    csv_bytes = models.BinaryField()
    photos = models.FileField(upload_to=RandomName("imports"), blank=True)
    state = models.CharField(max_length=12, choices=ImportState.choices, default=ImportState.PREVIEWED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    pieces_created = models.PositiveIntegerField(default=0)
    pieces_updated = models.PositiveIntegerField(default=0)
    # Problems found while writing, per row: [{"row": 14, "column": "PRICE", "message": "..."}].
    problems = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # How many times a worker took the job up (catalog.imports.jobs): a resumed job counts again, and the
    # number fences off a worker thought dead that wakes up (its writes name an attempt no longer current).
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["artisan", "-created_at"], name="import_job_artisan_newest")]

    def __str__(self):
        return f"{self.csv_name} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        """Queued or running: a worker has it, or will."""
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)

    @property
    def has_ended(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED)

    @property
    def run_problems(self) -> list[dict]:
        """The problems met while writing the rows (not the preview's), in the order met."""
        return [problem for problem in self.problems if problem.get(RUN_PROBLEM)]

    @property
    def percent_done(self) -> int:
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class ImportedRow(models.Model):
    """One row of a job written: the piece it made or updated, committed with that piece."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text=_("The row's number in the file, as the preview showed it."))
    piece = models.ForeignKey("catalog.Piece", on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.BooleanField(help_text=_("Whether the row made a new piece (else it updated one)."))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="imported_row_once")]

    def __str__(self):
        return f"row {self.number} of job {self.job_id}"
