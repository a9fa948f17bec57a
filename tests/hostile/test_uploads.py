"""
The upload corpus (artisans/tests/uploads.py: broken files, decompression bombs
in PNG and WebP, a GIF/JS polyglot, a 20 MB file, a JPEG with a 64 kB EXIF
block, a file named `../../x.jpg`) through every upload field of the site, over
HTTP as the user the form is for.

A refused file comes back with the pipeline's own message on the page and
nothing is written; a hostile file that is still a photo is stored re-encoded,
without its metadata, under a random name inside the media folder.
Certification evidence is uploaded by staff in the admin only, and is not a
photo (a PDF, say): the pipeline does not apply to it, but its name is
random like every stored file's, which the last test shows for every file field.
"""

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from artisans.images import image_clean
from artisans.tests.uploads import CLEANED, CORPUS, upload
from catalog.tests.studio_helpers import management

from .form_cases import FORM_CASES, FormCase
from .world import changed_tables, client_for, snapshot

pytestmark = pytest.mark.django_db

CASES = {case.name: case for case in FORM_CASES}


@dataclass
class UploadField:
    name: str
    case: FormCase
    key: str  # the file input's name in the posted form
    data: dict  # what the field's form needs beyond the case's payload

    def __str__(self):
        return self.name


PROOF = FormCase(
    "proof",
    lambda w: reverse("studio:request_action", args=[w.accepted_request.pk, "share_proof"]),
    lambda w: w.maker.user,
    lambda w: {"note": "The engraving, full size."},
)


PHOTO_ROW = {"photos-0-alt_text": "The bench", "photos-0-position": "0", **management("photos", 1)}
UPLOAD_FIELDS = [
    UploadField("application: process photo", CASES["application to sell"], "photos-0-image", {}),
    UploadField("profile: portrait", CASES["maker profile"], "portrait", {}),
    UploadField("profile: process photo", CASES["maker profile"], "photos-0-image", PHOTO_ROW),
    UploadField("piece: photo", CASES["new piece"], "photos-0-image", {}),
    UploadField("request: reference photo", CASES["request for a piece"], "photos", {}),
    UploadField("request: proof", PROOF, "image", {}),
]


def post_file(field, world, content, filename):
    case = field.case
    files = {**case.files(), field.key: upload(content, filename)}
    client = client_for(case.user(world))
    url = case.url(world)
    before = snapshot()
    response = client.post(url, {**case.data(world), **field.data, **files}, follow=True)
    return response, changed_tables(before, snapshot())


def stored_photos(media_root):
    return {path for path in media_root.rglob("*") if path.is_file() and "renditions" not in path.parts}


def test_every_upload_field_of_the_site_is_attacked():
    """Every model field holding a photo is reached by a form here; a new one must be added to UPLOAD_FIELDS."""
    from django.apps import apps

    from artisans.images import UploadedImageField

    photo_fields = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.fields
        if isinstance(field, UploadedImageField)
    }
    covered = {
        "artisans.ProcessPhoto.image",  # application and profile process photos
        "artisans.Artisan.portrait",
        "catalog.PieceImage.image",
        "catalog.RequestPhoto.image",
        "catalog.PersonalizationRequest.proof_image",
    }
    assert photo_fields == covered


@pytest.mark.parametrize("corpus_name", list(CORPUS))
@pytest.mark.parametrize("field", UPLOAD_FIELDS, ids=str)
def test_a_hostile_file_is_refused_with_the_pipelines_message_and_nothing_is_written(
    field, corpus_name, world, hostile_figures
):
    content, filename, code = CORPUS[corpus_name]
    with pytest.raises(ValidationError) as refusal:
        image_clean(upload(content(), filename))
    assert refusal.value.code == code
    response, changed = post_file(field, world, content(), filename)
    assert response.status_code in (200, 400)
    assert escape(refusal.value.messages[0]) in response.content.decode()
    assert changed == []
    hostile_figures("files refused", 1)


@pytest.mark.parametrize("corpus_name", list(CLEANED))
@pytest.mark.parametrize("field", UPLOAD_FIELDS, ids=str)
def test_a_hostile_photo_is_stored_cleaned_under_a_random_name(field, corpus_name, world, media_root, hostile_figures):
    content, filename = CLEANED[corpus_name]
    before = stored_photos(media_root)
    response, changed = post_file(field, world, content(), filename)
    assert response.status_code == 200
    assert changed, "the form was not accepted"
    new = stored_photos(media_root) - before
    assert new
    for path in new:
        assert path.resolve().is_relative_to(media_root.resolve())
        assert "x.jpg" not in path.name and "IMG_0001" not in path.name
        with Image.open(path) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info
    hostile_figures("files stored cleaned", 1)


def test_no_uploaded_name_chooses_where_a_file_is_stored():
    """Every file field (photos and certification evidence) stores under a random name inside its own folder."""
    from django.apps import apps
    from django.db.models import FileField

    file_fields = [
        field
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.fields
        if isinstance(field, FileField)
    ]
    assert any(field.name == "evidence" for field in file_fields)
    for field in file_fields:
        for hostile in ("../../x.jpg", "..\\..\\x.pdf", "/etc/passwd", "evil.html\x00.jpg"):
            name = field.generate_filename(field.model(), hostile)
            assert re.fullmatch(rf"{field.upload_to.folder}/[0-9a-f]{{2}}/[0-9a-f]{{32}}(\.\w{{1,4}})?", name), name
