"""
Generated drawings for the copy-detection tests and benchmark, and the ways a
copier alters a photo: re-encoded, resized, slightly cropped, recoloured.

Each drawing is a seeded composition of shapes over the whole frame, so that
two seeds give two different pictures, as two makers' photos are.
"""

import io
import random

from PIL import Image, ImageDraw, ImageEnhance


def drawing(seed: int, size=(600, 750)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, tuple(rng.randrange(150, 256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        x0, y0 = rng.randrange(-width // 4, width), rng.randrange(-height // 4, height)
        x1, y1 = x0 + rng.randrange(60, width // 2), y0 + rng.randrange(60, height // 2)
        shape = rng.choice(("ellipse", "rectangle", "polygon", "line"))
        if shape == "ellipse":
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        elif shape == "polygon":
            draw.polygon([(rng.randrange(width), rng.randrange(height)) for _ in range(5)], fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=rng.randrange(6, 30))
    return image


def encoded(image: Image.Image, fmt="JPEG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {}) | options)
    return buffer.getvalue()


def reencoded(image):
    return Image.open(io.BytesIO(encoded(image, quality=45))).convert("RGB")


def resized(image):
    return image.resize((image.width // 3, image.height // 3))


def cropped(image, share=0.01):
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def recoloured(image):
    red, green, blue = image.split()
    warmer = Image.merge("RGB", (red, green.point(lambda v: v * 0.9), blue.point(lambda v: v * 0.8)))
    return ImageEnhance.Brightness(ImageEnhance.Color(warmer).enhance(0.7)).enhance(1.08)


VARIATIONS = {"re-encoded": reencoded, "resized": resized, "cropped": cropped, "recoloured": recoloured}
