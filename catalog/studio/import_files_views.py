"""
The two files a maker downloads from the studio: Atelier's import template
(`/studio/import/template.csv`) and their own pieces in it (`/studio/export.csv`).

Both go through `StudioMixin` (catalog.studio.views), the one place ownership is scoped: an
anonymous visitor is sent to sign in, a signed-in user with no maker profile to the application,
and a maker only ever gets their own pieces. The export is counted against
`IMPORT_EXPORTS_PER_MINUTE` per maker, since it reads every piece.

Part of the studio room; the files are written by catalog.imports (`columns.template_csv`,
`export.export_csv`).
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import View

from catalog.imports.columns import template_csv
from catalog.imports.export import export_csv
from catalog.studio.views import StudioMixin
from marketplace.ratelimit import RateLimited, limit_hit, too_many_requests

TEMPLATE_FILE_NAME = "atelier-import-template.csv"
EXPORT_FILE_NAME = "atelier-pieces-%(date)s.csv"


def csv_attachment(data: bytes, *, name: str) -> HttpResponse:
    """`data` as a CSV file to save, never shown in the browser, never cached by a proxy."""
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ImportTemplateView(StudioMixin, View):
    """Atelier's template: the header row of every column an import reads."""

    def get(self, request):
        return csv_attachment(template_csv(), name=TEMPLATE_FILE_NAME)


class ExportView(StudioMixin, View):
    """The maker's own pieces, every one, in Atelier's template."""

    def get(self, request):
        try:
            limit_hit(scope="export", key=self.artisan.pk, limit=settings.IMPORT_EXPORTS_PER_MINUTE, window=60)
        except RateLimited as error:
            return too_many_requests(request, error)
        name = EXPORT_FILE_NAME % {"date": timezone.localdate().isoformat()}
        return csv_attachment(export_csv(self.artisan), name=name)
