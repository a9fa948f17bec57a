"""
The upload corpus: real and hostile files the image pipeline is tested against.

Shared by every test of an upload field (artisans, catalog and the hostile
suite in tests/hostile): `CORPUS` holds the files that must be refused, with
the refusal's code; `CLEANED` the hostile files that must be stored, cleaned.
"""

import functools
import struct
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def encoded(image_format, size=(64, 48), colour=(160, 120, 80), **save_options):
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps(orientation=None):
    """A JPEG whose EXIF says where it was taken (and, optionally, which way up it is)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    gps = {1: "N", 2: (38.0, 42.0, 51.0), 3: "W", 4: (9.0, 8.0, 20.0)}
    exif[0x8825] = gps
    if orientation:
        exif[0x0112] = orientation
    return encoded("JPEG", size=(80, 40), exif=exif.tobytes())


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width, height, pixel_data, colour_type=2):
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(pixel_data, 9))
        + _png_chunk(b"IEND", b"")
    )


def png_declaring(width, height):
    """A PNG whose header declares a huge image; its data is a few bytes (a decompression bomb's shape)."""
    return _png(width, height, b"\0" * 64)


@functools.cache
def png_bomb():
    """A real decompression bomb: 48 megapixels of grey, every row complete, in about 50 kB."""
    width, height = 8000, 6000
    return _png(width, height, b"\0" * ((width + 1) * height), colour_type=0)


@functools.cache
def webp_bomb():
    """A lossless WebP of 41 megapixels of one colour: under 2 kB that decode to 120 MB."""
    return encoded("WEBP", size=(6400, 6400), lossless=True)


def jpeg_with_huge_exif():
    """A JPEG whose EXIF block is as large as a JPEG segment allows (64 kB): camera, GPS position, a description."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (38.0, 42.0, 51.0), 3: "W", 4: (9.0, 8.0, 20.0)}
    exif[0x010E] = "x" * 64_000  # ImageDescription
    return encoded("JPEG", size=(80, 40), exif=exif.tobytes())


def gif_js_polyglot():
    """
    A file that is both a GIF and a script: a GIF 10799 pixels wide, whose width bytes
    spell `/*`, so that `GIF89a/*…*/=alert(…)` also reads as JavaScript.
    """
    gif = encoded("GIF", size=(10799, 1))
    assert gif[6:8] == b"/*"
    return gif + b"*/=alert(document.cookie);"


CORPUS = {
    "truncated-jpeg": (lambda: encoded("JPEG", size=(400, 300))[:600], "cut.jpg", "broken_image"),
    "png-with-huge-declared-size": (lambda: png_declaring(100_000, 100_000), "huge.png", "too_many_pixels"),
    "gif": (lambda: encoded("GIF"), "moving.gif", "unsupported_format"),
    "svg-with-script": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        "not_an_image",
    ),
    "html-named-jpg": (lambda: b"<html><script>alert(1)</script></html>", "photo.jpg", "not_an_image"),
    "empty-file": (lambda: b"", "empty.jpg", "empty"),
    "20-mb-file": (lambda: encoded("JPEG") + b"\0" * (20 * 1024 * 1024), "big.jpg", "too_large"),
    "png-decompression-bomb": (png_bomb, "bomb.png", "too_many_pixels"),
    "webp-decompression-bomb": (webp_bomb, "bomb.webp", "too_many_pixels"),
    "gif-js-polyglot": (gif_js_polyglot, "avatar.gif", "unsupported_format"),
}

# Hostile files that are still photos: stored, re-encoded without their metadata, under a random name.
CLEANED = {
    "jpeg-with-64-kb-exif": (jpeg_with_huge_exif, "IMG_0001.jpg"),
    "name-is-a-path": (lambda: encoded("JPEG"), "../../x.jpg"),
}
