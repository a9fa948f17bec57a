"""The upload corpus: real and hostile files the image pipeline is tested against."""

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


def png_declaring(width, height):
    """A PNG whose header declares a huge image; its data is a few bytes (a decompression bomb's shape)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


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
}
