"""
Process photos for the demo: the bench, a design sketch, a carved wax and
stones laid out for setting, drawn with Pillow.

They are simpler than the catalog photos on purpose (they stand in for a
phone photo taken at the bench) and are shared between makers and pieces:
a handful of drawings is enough to show what a process photo is.
"""

import hashlib
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from catalog.demo.primitives import (
    HEIGHT,
    SCALE,
    WIDTH,
    H,
    W,
    ellipse_box,
    metal_ball,
    metal_tone,
    mix,
    quad_bezier,
    rgb,
    scaled,
    stone,
    tube_path,
)

WORKSHOP_VERSION = 1

KINDS = ("bench", "sketch", "wax", "stones")

ALT_TEXT = {
    "bench": "A jeweller's bench with a bench pin, a saw frame, files and a ring mandrel",
    "sketch": "A pencil sketch of the {noun} with its measurements, on the maker's desk",
    "wax": "A {noun} carved in green wax, with carving files, before it is cast",
    "stones": "Loose stones laid out on stone paper with tweezers, ready to be set",
}

CAPTIONS = {
    "bench": "At the bench",
    "sketch": "The first sketch",
    "wax": "The wax model, before casting",
    "stones": "Choosing the stones",
}

# Wood tones for bench tops: oak, walnut, beech.
WOODS = ("#b8865b", "#7b5538", "#caa27a")


@dataclass(frozen=True)
class ProcessDrawing:
    kind: str
    shape: str = "ring"
    variant: int = 0

    @property
    def key(self):
        text = f"w{WORKSHOP_VERSION}|{self!r}"
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def alt_text(self, noun):
        return ALT_TEXT[self.kind].format(noun=noun)


def wood(draw, colour, rng):
    """A bench top seen from above: planks with grain lines and a worn, darker edge."""
    base = rgb(colour)
    draw.rectangle((0, 0, W, H), fill=base)
    for plank in range(0, W, 360):
        draw.line((plank, 0, plank, H), fill=scaled(base, 0.7), width=4)
        for _ in range(26):
            x = plank + rng.uniform(10, 350)
            wobble = rng.uniform(4, 18)
            tone = scaled(base, rng.uniform(0.82, 1.1))
            points = [(x + math.sin(y / rng.uniform(120, 260)) * wobble, y) for y in range(0, H + 60, 60)]
            draw.line(points, fill=tone, width=rng.choice((2, 3, 5)))


def vignette(image):
    """Darken the corners, as a phone camera under a bench lamp does."""
    mask = Image.radial_gradient("L").resize((W // 4, H // 4)).resize((W, H), Image.BILINEAR)
    dark = Image.new("RGB", (W, H), (25, 18, 12))
    return Image.composite(dark, image, mask.point(lambda v: max(0, v - 110) * 0.9))


def bench(draw, rng):
    wood(draw, WOODS[rng.randrange(3)], rng)
    steel = rgb("#9ea3a8")
    # The bench pin: a wedge of hardwood with its V-shaped notch.
    pin = [
        (W * 0.3, -10),
        (W * 0.7, -10),
        (W * 0.62, H * 0.34),
        (W * 0.54, H * 0.34),
        (W * 0.5, H * 0.2),
        (W * 0.46, H * 0.34),
        (W * 0.38, H * 0.34),
    ]
    draw.polygon([(x + 14, y + 18) for x, y in pin], fill=(60, 40, 25))
    draw.polygon(pin, fill=rgb("#d9b07f"))
    # A saw frame lying on the bench.
    frame = [(W * 0.12, H * 0.5), (W * 0.12, H * 0.78), (W * 0.62, H * 0.78)]
    tube_path(draw, frame, 22, steel)
    draw.line((W * 0.14, H * 0.52, W * 0.6, H * 0.76), fill=scaled(steel, 0.6), width=3)
    tube_path(draw, [(W * 0.62, H * 0.78), (W * 0.8, H * 0.88)], 44, rgb("#5a3a22"))
    # Files and a ring mandrel.
    for k in range(3):
        x = W * (0.7 + k * 0.08)
        tube_path(draw, [(x, H * 0.42), (x + 20, H * 0.72)], 26 - k * 4, steel)
        tube_path(draw, [(x + 20, H * 0.72), (x + 30, H * 0.86)], 36, rgb("#8b5a2b"))
    for i in range(30):
        t = i / 29
        r = 52 - 30 * t
        x = W * 0.24 + t * W * 0.36
        draw.ellipse(ellipse_box(x, H * 0.3 + t * 40, r, r), fill=metal_tone(steel, 0.45 + 0.25 * math.sin(t * 3)))
    # Filings and a silver offcut on the bench skin.
    for _ in range(140):
        x, y = rng.uniform(W * 0.35, W * 0.65), rng.uniform(H * 0.36, H * 0.5)
        draw.ellipse(ellipse_box(x, y, 2, 2), fill=(220, 220, 220))
    metal_ball(draw, W * 0.5, H * 0.44, 26, rgb("#c9c9c9"))


def sketch(draw, rng, shape):
    wood(draw, WOODS[rng.randrange(3)], rng)
    paper = [(W * 0.12, H * 0.1), (W * 0.9, H * 0.14), (W * 0.86, H * 0.88), (W * 0.08, H * 0.84)]
    draw.polygon([(x + 16, y + 22) for x, y in paper], fill=(70, 50, 32))
    draw.polygon(paper, fill=(246, 243, 234))
    pencil = (90, 90, 96)
    cx, cy = W * 0.48, H * 0.45
    if shape in ("ring", "bracelet"):
        for r in (230, 180):
            draw.ellipse(ellipse_box(cx, cy, r, r * (0.95 if shape == "ring" else 0.55)), outline=pencil, width=4)
        draw.ellipse(ellipse_box(cx, cy - 240, 50, 40), outline=pencil, width=4)
    elif shape == "pendant":
        draw.line(quad_bezier((W * 0.2, H * 0.14), (cx, H * 0.5), (W * 0.78, H * 0.16), 30), fill=pencil, width=3)
        draw.ellipse(ellipse_box(cx, cy + 120, 140, 170), outline=pencil, width=5)
    elif shape == "earrings":
        for dx in (-170, 170):
            draw.arc(ellipse_box(cx + dx, cy - 150, 40, 60), 180, 360, fill=pencil, width=4)
            draw.ellipse(ellipse_box(cx + dx, cy + 40, 80, 120), outline=pencil, width=4)
    else:
        for k in range(6):
            a = 2 * math.pi * k / 6
            draw.ellipse(ellipse_box(cx + math.cos(a) * 120, cy + math.sin(a) * 120, 90, 60), outline=pencil, width=4)
        draw.ellipse(ellipse_box(cx, cy, 60, 60), outline=pencil, width=5)
    # Measurements and notes: dimension lines and scribbled words.
    y = H * 0.76
    draw.line((W * 0.22, y, W * 0.74, y), fill=pencil, width=3)
    for x in (W * 0.22, W * 0.74):
        draw.line((x, y - 18, x, y + 18), fill=pencil, width=3)
    for row in range(3):
        x0 = W * 0.18
        yy = H * 0.18 + row * 44
        while x0 < W * 0.5:
            length = rng.uniform(30, 90)
            draw.line([(x0 + i * length / 8, yy + math.sin(i * 1.7) * 6) for i in range(9)], fill=pencil, width=3)
            x0 += length + 24
    # A pencil lying across the paper.
    tube_path(draw, [(W * 0.6, H * 0.92), (W * 0.95, H * 0.6)], 34, rgb("#e0b12f"))
    draw.polygon(
        [(W * 0.6 - 16, H * 0.92 - 14), (W * 0.6 + 14, H * 0.92 + 16), (W * 0.56, H * 0.96)], fill=(222, 196, 150)
    )


def wax(draw, rng, shape):
    wood(draw, WOODS[rng.randrange(3)], rng)
    green = rgb("#4f8a5b")
    draw.rectangle((W * 0.15, H * 0.58, W * 0.55, H * 0.8), fill=scaled(green, 0.7))
    draw.polygon(
        [(W * 0.15, H * 0.58), (W * 0.55, H * 0.58), (W * 0.62, H * 0.54), (W * 0.22, H * 0.54)],
        fill=mix(green, (255, 255, 255), 0.15),
    )
    cx, cy = W * 0.5, H * 0.36
    if shape == "ring":
        for i in range(40):
            t = i / 39
            draw.ellipse(
                ellipse_box(cx + 60 * (1 - t), cy, 200, 230), outline=metal_tone(green, 0.35 + 0.3 * t), width=44
            )
    else:
        for i in range(14):
            t = i / 13
            draw.ellipse(
                ellipse_box(cx - 20 * t, cy - 20 * t, 200 * (1 - 0.6 * t), 200 * (1 - 0.6 * t)),
                fill=metal_tone(green, 0.35 + 0.4 * t),
            )
    for k in range(4):
        x = W * (0.68 + k * 0.06)
        tube_path(draw, [(x, H * 0.5), (x + 24, H * 0.86)], 18, rgb("#9ea3a8"))
    for _ in range(90):
        x, y = rng.uniform(W * 0.2, W * 0.8), rng.uniform(H * 0.58, H * 0.7)
        draw.ellipse(ellipse_box(x, y, 4, 3), fill=mix(green, (255, 255, 255), 0.3))


def stones(draw, rng):
    draw.rectangle((0, 0, W, H), fill=(236, 236, 232))
    for fold in (H * 0.33, H * 0.66):
        draw.line((0, fold, W, fold), fill=(218, 218, 212), width=6)
    palette = ["#1f5fbf", "#b0243a", "#2e8b57", "#8e5bb5", "#e4a11b", "#8fd3e0", "#f4f6f8", "#e0709a"]
    for _ in range(22):
        x, y = rng.uniform(W * 0.12, W * 0.88), rng.uniform(H * 0.12, H * 0.62)
        stone(draw, x, y, rng.uniform(22, 46), rng.choice(palette), "faceted", glint=rng.random() < 0.3)
    tube_path(draw, [(W * 0.2, H * 0.92), (W * 0.62, H * 0.7)], 22, rgb("#b4b4b4"))
    tube_path(draw, [(W * 0.24, H * 0.96), (W * 0.64, H * 0.74)], 22, rgb("#b4b4b4"))


def render(drawing):
    """The 720x900 RGB process photo."""
    rng = random.Random(drawing.key)
    image = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(image)
    if drawing.kind == "bench":
        bench(draw, rng)
    elif drawing.kind == "sketch":
        sketch(draw, rng, drawing.shape)
    elif drawing.kind == "wax":
        wax(draw, rng, drawing.shape)
    else:
        stones(draw, rng)
    image = vignette(image).filter(ImageFilter.SMOOTH)
    return image.reduce(SCALE) if (image.width, image.height) != (WIDTH, HEIGHT) else image
