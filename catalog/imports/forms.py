"""
The upload of an import, as one form for every screen that takes one (the studio's import page, the
admin's import for a maker): the spreadsheet (`file`) and, optionally, a zip of its photos (`photos`).

Cleaning reads the CSV (`catalog.imports.sheets` and `columns`) and opens the zip's directory
(`catalog.imports.photos`), so every refusal of a whole file is an error beside its field;
`cleaned_data` then holds `rows`, `format`, `csv_bytes`, `notes` (the header's columns that are not
read) and `archive` (None without a zip; the caller closes it). Nothing is written: the caller keeps
the upload as a job with `plan.import_job_preview`.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from catalog.imports.columns import header_notes, parse_rows, table_format
from catalog.imports.photos import open_archive
from catalog.imports.sheets import SheetError, read_table, read_upload

ERROR_ZIP_TOO_BIG = "The zip is larger than %(limit)s, the most an import can take. Split the photos into several zips."


class ImportFilesForm(forms.Form):
    file = forms.FileField(
        label=_("The spreadsheet, as a CSV file"),
        help_text=_(
            "Atelier's template, or the listings file Etsy gives sellers (Shop Manager, Settings, Download Data)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    photos = forms.FileField(
        label=_("Photos, in one zip file (optional)"),
        required=False,
        help_text=_(
            "Each photo named as in the spreadsheet's photo columns; "
            "for Etsy, as the file name at the end of each IMAGE address."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            data = read_upload(upload)
            table = read_table(data)
            found = table_format(table)  # an unknown header, or a column named twice, is refused here
            rows = parse_rows(table, format=found)
        except SheetError as refused:
            raise ValidationError(refused.message, code=refused.code) from refused
        self.cleaned_data.update(
            csv_bytes=data, format=found, rows=rows, table=table, notes=header_notes(table, format=found)
        )
        return upload

    def clean_photos(self):
        upload = self.cleaned_data.get("photos")
        self.cleaned_data["archive"] = None
        if not upload:
            return None
        limit = settings.IMPORT_MAX_ZIP_BYTES
        if upload.size > limit:
            raise ValidationError(ERROR_ZIP_TOO_BIG, code="zip_too_big", params={"limit": filesizeformat(limit)})
        # open_archive raises ArchiveRefused, a ValidationError with the maker's words.
        self.cleaned_data["archive"] = open_archive(upload)
        return upload
