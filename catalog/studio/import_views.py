"""
Importing pieces in the studio: `/studio/import/` (the upload form, the template and its guide, the
maker's previous imports), `/studio/import/<pk>/` (a job's page: the preview waiting for
confirmation, or its progress and result) and `/studio/import/<pk>/confirm/` (POST: the job starts).

Uploading writes no piece: the file is read, the zip's directory checked, the plan made
(`catalog.imports.plan`), and the upload kept as a job waiting for the maker's confirmation. Only the
confirmation starts the job (`catalog.imports.jobs.import_job_start`), which writes the rows in the
background. Each job is its maker's: another maker's is a 404 (`ImportJob.objects.filter(artisan=…)`
with the maker of `StudioMixin`, the one place ownership is scoped); anonymous visitors sign in first.

A zip may be large: Django streams an upload past FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file,
never into memory, and the form refuses one past IMPORT_MAX_ZIP_BYTES before reading it.

Part of the studio room; the import itself is catalog.imports'.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView, View

from catalog.imports.columns import template_guide
from catalog.imports.forms import ImportFilesForm
from catalog.imports.jobs import import_job_start
from catalog.imports.plan import import_job_preview, job_plan
from catalog.models import ImportJob, ImportState
from catalog.studio.views import StudioMixin
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

MESSAGE_STARTED = "Your import has started. You may leave this page: we will email you when it is done."
MESSAGE_NOTHING_TO_IMPORT = "No row of this file can be imported yet: fix the problems below and upload it again."

# How many previous imports the upload page lists, and how many rows the preview's table shows.
JOBS_SHOWN = 20
ROWS_SHOWN = 200


def maker_jobs(artisan):
    """The maker's own import jobs: the one scope of every import page."""
    return ImportJob.objects.filter(artisan=artisan)


class ImportView(StudioMixin, TemplateView):
    """The upload form; a valid upload becomes a job waiting for confirmation, shown on its page."""

    template_name = "studio/imports/import.html"

    def get_context_data(self, **kwargs):
        jobs = maker_jobs(self.artisan).defer("csv_bytes", "problems")[:JOBS_SHOWN]
        kwargs.setdefault("form", ImportFilesForm())
        return super().get_context_data(
            jobs=jobs,
            guide=template_guide(),
            max_rows=settings.IMPORT_MAX_ROWS,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            limit_hit(scope="import", key=request.user.pk, limit=settings.IMPORTS_PER_HOUR, window=3600)
        except RateLimited as error:
            return too_many_requests(request, error)
        form = ImportFilesForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        archive = data.get("archive")
        try:
            job, _plan = import_job_preview(
                artisan=self.artisan,
                actor=request.user,
                csv_name=data["file"].name,
                csv_bytes=data["csv_bytes"],
                format=data["format"],
                rows=data["rows"],
                photos=data.get("photos"),
                archive=archive,
                notes=data["notes"],
            )
        finally:
            if archive is not None:
                archive.close()
        return redirect("studio:import_detail", pk=job.pk)


class ImportDetailView(StudioMixin, TemplateView):
    """A job's page: the preview while it waits for confirmation, else its progress and result."""

    template_name = "studio/imports/detail.html"

    def get_context_data(self, **kwargs):
        job = get_object_or_404(maker_jobs(self.artisan), pk=self.kwargs["pk"])
        plan = job_plan(job) if job.state == ImportState.PREVIEWED else None
        return super().get_context_data(
            job=job,
            plan=plan,
            rows_shown=plan.rows[:ROWS_SHOWN] if plan else [],
            rows_hidden=max(len(plan.rows) - ROWS_SHOWN, 0) if plan else 0,
            **kwargs,
        )


class ImportConfirmView(StudioMixin, View):
    """The maker confirms the preview: the job is queued and runs in the background (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        job = get_object_or_404(maker_jobs(self.artisan), pk=self.kwargs["pk"])
        if job.state == ImportState.PREVIEWED and not job_plan(job).importable:
            # The button is not offered then; a posted form gets the same answer.
            messages.error(request, MESSAGE_NOTHING_TO_IMPORT)
            return redirect("studio:import_detail", pk=job.pk)
        try:
            with transaction.atomic():
                import_job_start(job=job, actor=request.user)
        except (PermissionDenied, ValidationError) as refusal:
            messages.error(request, " ".join(getattr(refusal, "messages", None) or [str(refusal)]))
        else:
            messages.success(request, MESSAGE_STARTED)
        return redirect("studio:import_detail", pk=job.pk)
