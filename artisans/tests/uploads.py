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


# --- Metadata a photo may carry, each with a script where it can hold text -------------------

SCRIPT = "<script>alert(document.cookie)</script>"
XMP_PACKET = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    f"<rdf:RDF><rdf:Description>{SCRIPT} 38.7142N 9.1389W</rdf:Description></rdf:RDF></x:xmpmeta>"
    '<?xpacket end="w"?>'
)
# Every marker a stored copy must not contain, whatever the format.
METADATA_MARKERS = (b"<script", b"xmpmeta", b"PhoneMaker", b"Exif\x00\x00", b"ICC_PROFILE", b"acsp", b"Hostile")


def _s15(value):
    return struct.pack(">i", round(value * 65536))


def _xyz(x, y, z):
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def icc_profile(description=f"Hostile {SCRIPT}", swap_red_and_green=False):
    """
    A real ICC v2 display profile (sRGB's primaries and a 2.2 gamma) with text of our choosing in
    its description and copyright tags; with `swap_red_and_green`, its red is sRGB's green and
    back, so that a pixel read with it changes colour when converted to sRGB.
    """
    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    if swap_red_and_green:
        red, green = green, red
    ascii_text = description.encode() + b"\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii_text)) + ascii_text + b"\0" * 8 + b"\0" * 3 + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0233) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"cprt", b"text" + b"\0" * 4 + ascii_text),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = [], b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table.append(signature + struct.pack(">II", offset + len(body), len(data)))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
    )
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + b"".join(table) + body


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (38.0, 42.0, 51.0), 3: "W", 4: (9.0, 8.0, 20.0)}
    exif[0x010E] = SCRIPT  # ImageDescription
    return exif.tobytes()


def jpeg_with_script_comment():
    return encoded("JPEG", comment=SCRIPT.encode())


def jpeg_with_everything():
    """A JPEG with a comment, EXIF with GPS, an XMP packet and an ICC profile, each holding a script."""
    return encoded("JPEG", comment=SCRIPT.encode(), exif=gps_exif(), xmp=XMP_PACKET.encode(), icc_profile=icc_profile())


def png_with_text_chunks():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SCRIPT)  # tEXt
    info.add_text("Description", f"Hostile {SCRIPT}", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", XMP_PACKET)  # iTXt
    return encoded("PNG", pnginfo=info, exif=gps_exif(), icc_profile=icc_profile())


def webp_with_exif_and_xmp():
    return encoded("WEBP", exif=gps_exif(), xmp=XMP_PACKET.encode(), icc_profile=icc_profile())


# Hostile photos that must be stored with none of their metadata: builder, file name.
METADATA = {
    "jpeg-with-script-in-comment": (jpeg_with_script_comment, "comment.jpg"),
    "jpeg-with-comment-exif-xmp-icc": (jpeg_with_everything, "everything.jpg"),
    "png-with-text-exif-icc": (png_with_text_chunks, "text.png"),
    "webp-with-exif-xmp-icc": (webp_with_exif_and_xmp, "meta.webp"),
}
CLEANED.update(METADATA)


def metadata_blocks(data):
    """
    The blocks of a stored JPEG, PNG or WebP that are not the picture: JPEG segments APP1 to APP15
    (EXIF, XMP, ICC, IPTC) and COM; PNG chunks other than IHDR, PLTE, tRNS, IDAT, IEND; WebP chunks
    other than the image's own, and VP8X flags announcing an ICC profile, EXIF or XMP.
    """
    found = set()
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 4 <= len(data) and data[i] == 0xFF:
            marker = data[i + 1]
            if marker == 0xDA:  # start of scan: the picture's data follows
                break
            if 0xE1 <= marker <= 0xEF:
                found.add(f"APP{marker - 0xE0}")
            elif marker == 0xFE:
                found.add("COM")
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        i = 8
        while i + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[i : i + 8])
            if kind not in (b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"):
                found.add(kind.decode("latin-1"))
            i += 12 + length
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        i = 12
        while i + 8 <= len(data):
            kind, length = data[i : i + 4], struct.unpack("<I", data[i + 4 : i + 8])[0]
            if kind == b"VP8X" and data[i + 8] & 0x2C:
                found.add("VP8X flags")
            elif kind not in (b"VP8 ", b"VP8L", b"VP8X", b"ALPH"):
                found.add(kind.decode("latin-1"))
            i += 8 + length + (length % 2)
    else:
        raise AssertionError("not a JPEG, PNG or WebP")
    return found
