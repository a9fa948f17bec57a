"""
Imports of makers' catalogs, for staff: the list of jobs (read-only, with their state and counts),
a job's page, and "Import for a maker" (onboarding help): choose the maker, upload the spreadsheet
and its zip, read the preview, confirm.

Through the studio's own code, never a copy: the upload is cleaned by `catalog.imports.forms`, kept
as a job by `plan.import_job_preview` (created by the staff member, for the maker), previewed by
`plan.job_plan`, and started by `jobs.import_job_start`, which records the staff member's import in
the maker's audit trail (`TrustAction.IMPORTED`); the job then runs in the background and the maker
gets the same email as when they import themselves.

Part of the admin room.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from artisans.models import Artisan
from catalog.admin.shared import Machinery, ReadOnlyAdmin
from catalog.imports.forms import ImportFilesForm
from catalog.imports.jobs import import_job_start
from catalog.imports.plan import import_job_preview, job_plan
from catalog.models import ImportedRow, ImportJob, ImportState

MESSAGE_STARTED = (
    "The import for %(maker)s has started; it runs in the background, and %(maker)s will be emailed when it is "
    "done. It is recorded in their audit trail."
)
MESSAGE_NOTHING_TO_IMPORT = "No row of this file can be imported: fix the problems listed and upload it again."
MESSAGE_NOT_PREVIEWED = "This import is not waiting for a confirmation any more."
# How many rows the admin's preview lists (the counts cover them all).
ROWS_SHOWN = 200


class StaffImportForm(ImportFilesForm):
    """The studio's upload, with the maker it is for."""

    artisan = forms.ModelChoiceField(
        label=_("Maker"),
        queryset=Artisan.objects.order_by("name"),
        help_text=_("The pieces are made as this maker's drafts; a maker waiting for approval gets drafts only."),
    )
    field_order = ["artisan", "file", "photos"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """The imports, newest first: staff read them here, and start one for a maker (`import/`)."""

    list_display = [
        "csv_name",
        "artisan",
        "state",
        "rows",
        "pieces_created",
        "pieces_updated",
        "rows_failed",
        "created_by",
        "created_at",
    ]
    list_filter = ["state", "format"]
    list_select_related = ["artisan", "created_by"]
    search_fields = ["csv_name", "artisan__name"]
    date_hierarchy = "created_at"
    change_list_template = "admin/catalog/importjob/change_list.html"
    fields = [
        "artisan",
        "created_by",
        "created_at",
        "format",
        "csv_name",
        "state",
        "rows",
        "pieces_created",
        "pieces_updated",
        "rows_failed",
        "problem_list",
        "attempts",
        "task_id",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The file's bytes are never shown: not read for a list of jobs.
        return super().get_queryset(request).defer("csv_bytes")

    @admin.display(description=_("rows done"))
    def rows(self, job):
        return f"{job.rows_done:,} of {job.rows_total:,}"

    @admin.display(description=_("problems"))
    def problem_list(self, job):
        if not job.problems:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}{}</li>", map(_where_and_what, job.problems)))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalog_importjob_import"),
            path("<int:pk>/preview/", view(self.preview_view), name="catalog_importjob_preview"),
            *super().get_urls(),
        ]

    def _check_may_import(self, request):
        # Importing makes pieces: staff who may add pieces may import them.
        if not request.user.has_perm("catalog.add_piece"):
            raise PermissionDenied

    def _context(self, request, **kwargs):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **kwargs}

    def import_view(self, request):
        """Choose the maker and upload: the job is kept for the preview, nothing else is written."""
        self._check_may_import(request)
        form = StaffImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            valid = form.is_valid()
            archive = form.cleaned_data.get("archive")
            try:
                if valid:
                    data = form.cleaned_data
                    job, _plan = import_job_preview(
                        artisan=data["artisan"],
                        actor=request.user,
                        csv_name=data["file"].name,
                        csv_bytes=data["csv_bytes"],
                        format=data["format"],
                        rows=data["rows"],
                        photos=data.get("photos"),
                        archive=archive,
                    )
                    return redirect("admin:catalog_importjob_preview", pk=job.pk)
            finally:
                if archive is not None:  # opened by the form even when the spreadsheet was refused
                    archive.close()
        return TemplateResponse(
            request,
            "admin/catalog/importjob/import.html",
            self._context(request, title=_("Import for a maker"), form=form),
            status=400 if form.is_bound else 200,
        )

    def preview_view(self, request, pk):
        """The preview of a job waiting for confirmation, and its confirmation (POST)."""
        self._check_may_import(request)
        job = get_object_or_404(ImportJob.objects.select_related("artisan"), pk=pk)
        if job.state != ImportState.PREVIEWED:
            if request.method == "POST":
                messages.error(request, MESSAGE_NOT_PREVIEWED)
            return redirect("admin:catalog_importjob_change", job.pk)
        plan = job_plan(job)
        if request.method == "POST":
            if not plan.importable:
                messages.error(request, MESSAGE_NOTHING_TO_IMPORT)
                return redirect("admin:catalog_importjob_preview", pk=job.pk)
            try:
                import_job_start(job=job, actor=request.user)
            except (PermissionDenied, ValidationError) as refusal:
                messages.error(request, " ".join(getattr(refusal, "messages", None) or [str(refusal)]))
            else:
                messages.success(request, MESSAGE_STARTED % {"maker": job.artisan.name})
            return redirect("admin:catalog_importjob_change", job.pk)
        return TemplateResponse(
            request,
            "admin/catalog/importjob/preview.html",
            self._context(
                request,
                title=_("Preview of the import for %(maker)s") % {"maker": job.artisan.name},
                job=job,
                plan=plan,
                rows_shown=plan.rows[:ROWS_SHOWN],
                rows_hidden=max(len(plan.rows) - ROWS_SHOWN, 0),
                changelist_url=reverse("admin:catalog_importjob_changelist"),
            ),
        )


def _where_and_what(problem: dict) -> tuple[str, str]:
    """A stored problem as ("row 14, price: ", message); the file's own problems have no row."""
    row, column = problem.get("row"), problem.get("column")
    where = (f"row {row}, {column}: " if column else f"row {row}: ") if row else (f"{column}: " if column else "")
    return where, problem.get("message", "")


@admin.register(ImportedRow)
class ImportedRowAdmin(Machinery, ReadOnlyAdmin):
    """Which piece each row of a job made or updated: the job's own bookkeeping, read by URL."""

    list_display = ["job", "number", "piece", "created"]
    list_select_related = ["job", "piece"]
    search_fields = ["job__csv_name", "piece__title"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("job__csv_bytes")
