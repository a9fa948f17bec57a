"""Every upload goes through the image pipeline: decoded, limited, stripped of metadata, renamed."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from artisans.forms import ProcessPhotoFormSet
from artisans.images import (
    ERROR_EMPTY,
    ERROR_FAR_TOO_MANY_PIXELS,
    ERROR_NOT_AN_IMAGE,
    CleanImageFormField,
    image_clean,
)
from artisans.models import Artisan, ProcessPhoto
from artisans.tests.factories import ArtisanFactory
from artisans.tests.uploads import CLEANED, CORPUS, encoded, jpeg_with_gps, png_declaring, upload


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_pipeline_refuses_each_hostile_file_with_a_reason(name):
    content, filename, code = CORPUS[name]
    with pytest.raises(ValidationError) as refused:
        image_clean(upload(content(), filename))
    assert refused.value.code == code
    assert refused.value.messages[0]


@pytest.mark.parametrize(("image_format", "suffix"), [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp")])
def test_jpeg_png_and_webp_are_accepted_and_named_by_what_they_are(image_format, suffix):
    # The name claims a GIF; the decoded format decides.
    cleaned = image_clean(upload(encoded(image_format), "holiday.gif", "image/gif"))
    assert cleaned.name.endswith(suffix)
    assert "holiday" not in cleaned.name
    assert Image.open(BytesIO(cleaned.read())).format == image_format


def test_gps_and_every_other_exif_tag_are_stripped():
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif()  # the corpus file does carry EXIF
    cleaned = Image.open(BytesIO(image_clean(upload(original)).read()))
    assert not cleaned.getexif()
    assert "exif" not in cleaned.info


def test_the_orientation_is_applied_to_the_pixels_before_the_exif_goes():
    # Orientation 6: the camera was turned; the stored photo stands upright without the tag.
    cleaned = Image.open(BytesIO(image_clean(upload(jpeg_with_gps(orientation=6))).read()))
    assert cleaned.size == (40, 80)


def test_the_size_limit_is_a_setting(settings):
    settings.MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        image_clean(upload(encoded("PNG", size=(200, 200))))
    assert refused.value.code == "too_large"
    assert "100\xa0bytes" in refused.value.messages[0]


def test_the_pixel_limit_is_a_setting(settings):
    settings.MAX_IMAGE_PIXELS = 1000
    with pytest.raises(ValidationError) as refused:
        image_clean(upload(encoded("PNG", size=(100, 100))))
    assert refused.value.code == "too_many_pixels"


def test_an_image_past_pillows_own_limit_is_refused_without_question_marks():
    # Found by the hostile suite: the message read "The image is ? × ? pixels".
    with pytest.raises(ValidationError) as refused:
        image_clean(upload(png_declaring(100_000, 100_000), "huge.png"))
    assert refused.value.code == "too_many_pixels"
    assert refused.value.messages == [ERROR_FAR_TOO_MANY_PIXELS % {"limit": 40}]


@pytest.mark.parametrize("name", list(CLEANED))
def test_hostile_files_that_are_photos_are_stored_cleaned(name):
    content, filename = CLEANED[name]
    cleaned = image_clean(upload(content(), filename))
    assert "/" not in cleaned.name and ".." not in cleaned.name
    stored = Image.open(BytesIO(cleaned.read()))
    assert not stored.getexif()


def test_the_form_field_says_why_an_upload_is_refused():
    field = CleanImageFormField()
    with pytest.raises(ValidationError) as refused:
        field.clean(upload(b"<html></html>", "photo.jpg"))
    assert refused.value.messages == [ERROR_NOT_AN_IMAGE]
    with pytest.raises(ValidationError) as refused:
        field.clean(upload(b"", "photo.jpg"))
    assert refused.value.messages == [ERROR_EMPTY]


def test_every_model_photo_field_uses_the_pipeline_in_forms_and_the_admin():
    from django.apps import apps
    from django.db.models import ImageField

    image_fields = [
        field for model in apps.get_models() for field in model._meta.fields if isinstance(field, ImageField)
    ]
    assert image_fields
    for field in image_fields:
        assert isinstance(field.formfield(), CleanImageFormField), field


@pytest.mark.django_db
def test_a_photo_with_gps_is_stored_without_it_under_a_random_name():
    artisan = ArtisanFactory()
    formset = ProcessPhotoFormSet(
        {
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-alt_text": "The bench, with a saw and files",
            "photos-0-position": "0",
        },
        {"photos-0-image": upload(jpeg_with_gps(), "IMG_20240101_home.jpg")},
        instance=artisan,
        prefix="photos",
    )
    assert formset.is_valid(), formset.errors
    formset.save()
    photo = ProcessPhoto.objects.get(artisan=artisan)
    assert "IMG_20240101" not in photo.image.name
    with photo.image.open("rb") as stored:
        assert not Image.open(stored).getexif()


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(CORPUS))
def test_a_refused_upload_is_reported_beside_the_field_and_nothing_is_saved(name):
    content, filename, _code = CORPUS[name]
    artisan = ArtisanFactory()
    formset = ProcessPhotoFormSet(
        {
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-alt_text": "A photo",
            "photos-0-position": "0",
        },
        {"photos-0-image": upload(content(), filename)},
        instance=artisan,
        prefix="photos",
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors["image"]
    assert not ProcessPhoto.objects.exists()
    assert Artisan.objects.count() == 1
