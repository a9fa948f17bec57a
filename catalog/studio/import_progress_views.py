"""
The progress of a maker's import, polled by its page (`studio:import_progress`): the figures of
`templates/studio/imports/_progress_figures.html` alone, for htmx to swap in every 2 seconds while the
job is queued or running, and the sentence of the live region when the job's state changed since the
page showed it (`?shown=<state>`). Opened without htmx, it sends the browser to the job's page.

A fixed number of queries whatever the number of rows or problems: the session, the user, the maker,
the job (its problems are a column of the job's row). It only reads, every 2 seconds per watching
maker, so it runs outside the request's transaction (`import_progress`, what the URL names).

Part of the studio room; ownership is scoped by `StudioMixin` (another maker's job is a 404).
"""

from django.db.transaction import non_atomic_requests
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from catalog.models import ImportJob
from catalog.studio.views import StudioMixin


class ImportProgressView(StudioMixin, TemplateView):
    template_name = "studio/imports/_progress_poll.html"

    def get(self, request, *args, **kwargs):
        self.job = get_object_or_404(ImportJob.objects.filter(artisan=self.artisan), pk=kwargs["pk"])
        if not request.htmx:
            return redirect("studio:import_detail", pk=self.job.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        shown = self.request.GET.get("shown", "")
        return super().get_context_data(job=self.job, state_changed=shown != self.job.state, **kwargs)


import_progress = non_atomic_requests(ImportProgressView.as_view())
