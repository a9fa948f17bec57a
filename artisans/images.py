"""
The image pipeline every upload goes through, and the renditions and storage
names shared by every model that holds a photo.

An upload is accepted only when Pillow decodes it as JPEG, PNG or WebP (its
name and declared type are ignored), it is within `MAX_UPLOAD_BYTES` and
`MAX_IMAGE_PIXELS`, and it decodes completely. What is stored is a re-encoded
copy with the orientation applied, its colours in sRGB, and every bit of
metadata (EXIF with its GPS position, XMP, JPEG comments, PNG text chunks, the
ICC profile) left behind, under a random name.
`UploadedImageField` (a model field) gives every model form, the admin's
included, the form field that does this, so no upload can skip it.

Renditions are made by django-imagekit from the stored original; with the
Optimistic strategy (settings) they are generated when the original is saved,
never while a page is rendered.
"""

import uuid
import warnings
from functools import lru_cache
from io import BytesIO
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from imagekit import ImageSpec
from imagekit.processors import ResizeToFill, ResizeToFit
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# What Pillow calls each accepted format, and the suffix its stored copy gets.
ACCEPTED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"

ERROR_EMPTY = "The file is empty. Choose a JPEG, PNG or WebP photo."
ERROR_TOO_LARGE = "The file is %(size)s; photos can be at most %(limit)s."
ERROR_NOT_AN_IMAGE = "This file is not a photo we can read. Upload a JPEG, PNG or WebP image."
ERROR_UNSUPPORTED_FORMAT = "This is a %(format)s image; upload a JPEG, PNG or WebP photo instead."
ERROR_TOO_MANY_PIXELS = "The image is %(width)s × %(height)s pixels; photos can have at most %(limit)s megapixels."
# Past Pillow's own limit the file is refused before its size is read, so the message cannot give it.
ERROR_FAR_TOO_MANY_PIXELS = "The image is far larger than any photo; photos can have at most %(limit)s megapixels."
ERROR_BROKEN = "The photo is damaged or incomplete (perhaps the upload was cut short). Try another copy of it."


# What of an image's `info` survives the re-encoding: only what is part of the picture itself.
KEPT_INFO = {"transparency"}


def _in_srgb(image):
    """
    The image's pixels in sRGB, when it carries an ICC profile: the colours stay right once the
    profile (which may hold any text in its description and copyright tags) is dropped. A profile
    that cannot be read, or does not fit the image's mode, is dropped without a conversion.
    """
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")  # a palette or a transparent colour: as an alpha channel
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("L" if image.mode == "LA" else "RGB")
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        converted = image.convert("RGB") if image.mode == "CMYK" else image.copy()
    if alpha is not None:
        converted = converted.convert("RGB") if converted.mode != "RGB" else converted
        converted.putalpha(alpha)
    return converted


@lru_cache(maxsize=1)
def _srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def image_clean(upload) -> ContentFile:
    """
    Check an uploaded file and return a clean copy to store, or raise ValidationError saying why not.

    The returned file is re-encoded from the decoded pixels, so nothing but the
    picture survives: no EXIF (GPS position, camera serial), no XMP, no JPEG
    comment, no PNG text chunk, no ICC profile (the pixels are converted to sRGB
    first, so the colours stay right). The EXIF orientation is applied to the
    pixels first, so the photo stands the right way up without its metadata.
    """
    size = upload.size
    if not size:
        _refuse(ERROR_EMPTY, "empty")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        _refuse(ERROR_TOO_LARGE, "too_large", size=filesizeformat(size), limit=filesizeformat(limit))
    upload.seek(0)
    max_pixels = settings.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own pixel limit and raises at twice it; ours is checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                _refuse(ERROR_UNSUPPORTED_FORMAT, "unsupported_format", format=image.format)
            width, height = image.size
            # Checked on the declared size, before a single pixel is decompressed.
            if width * height > max_pixels:
                _refuse(
                    ERROR_TOO_MANY_PIXELS,
                    "too_many_pixels",
                    width=width,
                    height=height,
                    limit=max_pixels // 1_000_000,
                )
            image_format = image.format
            image.load()
    except Image.DecompressionBombError:
        _refuse(ERROR_FAR_TOO_MANY_PIXELS, "too_many_pixels", limit=max_pixels // 1_000_000)
    except UnidentifiedImageError:
        _refuse(ERROR_NOT_AN_IMAGE, "not_an_image")
    except (OSError, SyntaxError, ValueError):
        # Pillow's ways of saying the data ends early or contradicts itself.
        _refuse(ERROR_BROKEN, "broken_image")
    image = ImageOps.exif_transpose(image)
    image = _in_srgb(image)
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Pillow writes some of what it read back out: a JPEG's comment (COM, which may hold a
    # script), a PNG's ICC profile. Only the transparency, which is part of the picture, stays.
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    buffer = BytesIO()
    # No exif=, icc_profile=, comment= or pnginfo= arguments: nothing but the pixels is written.
    options = {"JPEG": {"quality": 92}, "PNG": {"optimize": True}, "WEBP": {"quality": 90}}[image_format]
    image.save(buffer, image_format, **options)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}{ACCEPTED_FORMATS[image_format]}")


class CleanImageFormField(forms.FileField):
    """A file input that runs the upload through `image_clean` and hands back the clean copy."""

    default_error_messages = {"empty": ERROR_EMPTY}

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT_ATTRIBUTE)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return image_clean(upload)


class UploadedImageField(models.ImageField):
    """An ImageField whose form field is the image pipeline's, so every upload is cleaned."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})


@lru_cache(maxsize=20_000)
def _rendition_hash(spec_class, source_name):
    return ImageSpec.get_hash(spec_class(source=_Named(source_name)))


class _Named:
    """A stand-in source with only a name: all that a rendition's hash reads of its source."""

    def __init__(self, name):
        self.name = name


class Rendition(ImageSpec):
    """
    A rendition whose file name is hashed once per source and spec: imagekit
    pickles the spec to hash it on every `.url`, which cost a listing of 24
    cards about a third of its time. The names are imagekit's own.
    """

    def get_hash(self):
        return _rendition_hash(type(self), self.source.name)


class CardRendition(Rendition):
    """The listing card: 4:5, cropped to fill, small enough for a grid of 24."""

    processors = [ResizeToFill(360, 450)]
    format = "WEBP"
    options = {"quality": 78}


class CardRendition2x(Rendition):
    """The card for high-density screens (srcset 2x)."""

    processors = [ResizeToFill(720, 900)]
    format = "WEBP"
    options = {"quality": 74}


class DisplayRendition(Rendition):
    """The piece page: the whole photo, at most 1080 px on its long side."""

    processors = [ResizeToFit(1080, 1080, upscale=False)]
    format = "WEBP"
    options = {"quality": 80}


class ThumbRendition(Rendition):
    """Admin and dashboard lists: a small square."""

    processors = [ResizeToFill(96, 96)]
    format = "WEBP"
    options = {"quality": 70}


@deconstructible
class RandomName:
    """An upload_to that stores files under random names in a folder, keeping only the suffix."""

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower()[:5]
        name = uuid.uuid4().hex
        return f"{self.folder}/{name[:2]}/{name}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
