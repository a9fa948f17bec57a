"""
The image pipeline keeps nothing but the picture: no JPEG comment, EXIF, XMP, ICC profile, PNG text
chunk or WebP metadata chunk survives, through `image_clean`, through every model's photo field, and
through a real form that stores the file. An ICC profile's colours are kept by converting to sRGB.
"""

from io import BytesIO

import pytest
from django.apps import apps
from PIL import Image, ImageCms

from artisans.forms import ProcessPhotoFormSet
from artisans.images import UploadedImageField, image_clean
from artisans.models import ProcessPhoto
from artisans.tests.factories import ArtisanFactory
from artisans.tests.uploads import (
    METADATA,
    METADATA_MARKERS,
    SCRIPT,
    encoded,
    icc_profile,
    jpeg_with_everything,
    jpeg_with_script_comment,
    metadata_blocks,
    upload,
)

# What Pillow reads back into `info` from metadata: none may be there after the pipeline.
METADATA_KEYS = {"comment", "exif", "xmp", "icc_profile", "Comment", "Description", "XML:com.adobe.xmp"}


def photo_fields():
    return [
        field
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.fields
        if isinstance(field, UploadedImageField)
    ]


def assert_only_pixels(data):
    assert metadata_blocks(data) == set()
    assert [marker for marker in METADATA_MARKERS if marker in data] == []
    with Image.open(BytesIO(data)) as stored:
        assert METADATA_KEYS.isdisjoint(stored.info), sorted(stored.info)
        assert not stored.getexif()


@pytest.mark.parametrize("name", list(METADATA))
def test_the_hostile_file_does_carry_the_metadata_it_is_named_for(name):
    build, _filename = METADATA[name]
    data = build()
    assert metadata_blocks(data)
    assert SCRIPT.encode()[:7] in data or b"acsp" in data


@pytest.mark.parametrize("name", list(METADATA))
def test_the_pipeline_stores_no_comment_exif_xmp_icc_or_text_chunk(name):
    build, filename = METADATA[name]
    assert_only_pixels(image_clean(upload(build(), filename)).read())


def test_a_jpeg_comment_holding_a_script_is_gone_from_the_stored_bytes():
    original = jpeg_with_script_comment()
    assert Image.open(BytesIO(original)).info["comment"] == SCRIPT.encode()
    stored = image_clean(upload(original)).read()
    assert b"\xff\xfe" not in stored  # the COM marker (never found in a JPEG's entropy-coded data)
    assert b"<script" not in stored


@pytest.mark.parametrize("field", photo_fields(), ids=lambda field: f"{field.model._meta.label}.{field.name}")
@pytest.mark.parametrize("name", list(METADATA))
def test_every_models_photo_field_stores_the_photo_without_its_metadata(field, name):
    build, filename = METADATA[name]
    cleaned = field.formfield().clean(upload(build(), filename))
    assert_only_pixels(cleaned.read())


def test_every_photo_field_of_the_site_is_walked():
    """A new photo field is covered by the walk above without a line here; this pins that the walk finds them."""
    labels = {f"{field.model._meta.label}.{field.name}" for field in photo_fields()}
    assert labels >= {
        "artisans.Artisan.portrait",
        "artisans.ProcessPhoto.image",
        "catalog.PieceImage.image",
        "catalog.RequestPhoto.image",
        "catalog.PersonalizationRequest.proof_image",
    }


@pytest.mark.django_db
def test_a_process_photo_saved_through_the_real_formset_is_stored_without_comment_exif_xmp_or_icc():
    artisan = ArtisanFactory()
    formset = ProcessPhotoFormSet(
        {
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-alt_text": "The bench",
            "photos-0-position": "0",
        },
        {"photos-0-image": upload(jpeg_with_everything(), "bench.jpg")},
        instance=artisan,
        prefix="photos",
    )
    assert formset.is_valid(), formset.errors
    formset.save()
    photo = ProcessPhoto.objects.get(artisan=artisan)
    with photo.image.open("rb") as stored:
        assert_only_pixels(stored.read())


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_colours_read_with_a_profile_are_kept_by_converting_to_srgb(image_format):
    # A profile whose red is sRGB's green: the pixel the file means is green, and stays green.
    data = encoded(image_format, size=(16, 16), colour=(255, 0, 0), icc_profile=icc_profile(swap_red_and_green=True))
    stored = Image.open(BytesIO(image_clean(upload(data)).read())).convert("RGB")
    red, green, blue = stored.getpixel((8, 8))
    assert green > 200 and red < 60 and blue < 60
    assert "icc_profile" not in stored.info


def test_an_srgb_profile_changes_no_colour():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encoded("PNG", size=(8, 8), colour=(160, 120, 80), icc_profile=profile)
    stored = Image.open(BytesIO(image_clean(upload(data, "p.png")).read()))
    assert all(abs(a - b) <= 2 for a, b in zip(stored.getpixel((4, 4)), (160, 120, 80), strict=True))
    assert "icc_profile" not in stored.info


def test_transparency_survives_the_profiles_removal():
    image = Image.new("RGBA", (8, 8), (200, 10, 10, 0))
    image.putpixel((0, 0), (200, 10, 10, 255))
    buffer = BytesIO()
    image.save(buffer, "PNG", icc_profile=icc_profile())
    stored_bytes = image_clean(upload(buffer.getvalue(), "t.png")).read()
    assert_only_pixels(stored_bytes)
    stored = Image.open(BytesIO(stored_bytes))
    assert stored.mode == "RGBA"
    assert stored.getpixel((4, 4))[3] == 0 and stored.getpixel((0, 0))[3] == 255


def test_a_profile_that_cannot_be_read_is_dropped_and_the_photo_kept():
    data = encoded("JPEG", size=(8, 8), icc_profile=b"acsp" + b"\0" * 200)
    stored = image_clean(upload(data)).read()
    assert_only_pixels(stored)


def test_a_grey_photo_with_a_colour_profile_is_kept_grey_without_the_profile():
    buffer = BytesIO()
    Image.new("L", (8, 8), 128).save(buffer, "PNG", icc_profile=icc_profile())
    stored_bytes = image_clean(upload(buffer.getvalue(), "g.png")).read()
    assert_only_pixels(stored_bytes)
    assert abs(Image.open(BytesIO(stored_bytes)).convert("L").getpixel((4, 4)) - 128) <= 2
