"""
Catalog photos for the demo pieces, drawn with Pillow.

Each drawing is described by a small frozen `PieceDrawing` (the shape of the
category, the metal's colour, the stones' colours, a backdrop) and rendered
the same way every time, so its storage name can be derived from its content
and a file drawn by an earlier run is reused instead of drawn again.

Shapes are drawn at twice the final size and scaled down, which gives smooth,
antialiased edges without antialiasing support in ImageDraw. Metal reads as
metal through three cheap tricks: every band is drawn as stacked outlines
whose tone follows a rounded cross-section (dark edges, a bright line near
the top), a soft light from the upper left is laid over the whole piece, and a
blurred shadow grounds it on the backdrop.

This module holds the description of a photo (`PieceDrawing`) and the photo
around the piece: the backdrop, the light, the shadow, the framing and the
encoding. The piece itself is painted by `shapes`, with the strokes of
`primitives`, which the process photos of `workshop` share.
"""

import functools
import hashlib
import io
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from catalog.demo.primitives import HEIGHT, WIDTH, H, W, mix, rgb, scaled
from catalog.demo.shapes import PAINTERS

# Bump when the drawing code changes (here, in shapes or in primitives), so stored
# files get new names instead of being reused with an outdated look.
DRAWING_VERSION = 4

SHAPES = ("ring", "pendant", "earrings", "bracelet", "brooch", "cufflinks")
VARIANTS = {"ring": 4, "pendant": 5, "earrings": 4, "bracelet": 4, "brooch": 3, "cufflinks": 2}
STONE_CUTS = ("faceted", "cabochon", "pearl")
FINISHES = ("polished", "hammered", "brushed")

# Calm, warm or softly tinted studio backdrops: (top, bottom) of the sweep.
BACKDROPS = (
    ("#f4efe7", "#e6ddcf"),  # linen
    ("#f3e8e3", "#e4d2ca"),  # blush
    ("#eceee6", "#d9ddd0"),  # sage
    ("#f2ebdd", "#e2d5bd"),  # sand
    ("#eeeae5", "#dcd5cc"),  # warm stone
    ("#e9edef", "#d4dbde"),  # mist
    ("#f1e6dc", "#e0cdbd"),  # clay
)


@dataclass(frozen=True)
class PieceDrawing:
    """Everything a piece's photo depends on; equal drawings give identical files."""

    shape: str
    variant: int
    metal: str
    stones: tuple = ()
    stone_cut: str = "faceted"
    finish: str = "polished"
    backdrop: int = 0
    seed: int = 0

    @property
    def key(self):
        """A short, stable digest of the drawing, used in its file name."""
        text = f"v{DRAWING_VERSION}|{self!r}"
        return hashlib.sha1(text.encode()).hexdigest()[:16]


# --- The photo ----------------------------------------------------------------


def coarse_field(width, height, function, mode="L"):
    """A smooth image from a function of (x, y) in 0..1, computed on a coarse grid and scaled up later."""
    small = Image.new(mode, (width, height))
    small.putdata([function(x / (width - 1), y / (height - 1)) for y in range(height) for x in range(width)])
    return small


@functools.cache
def backdrop(index):
    """A seamless studio sweep: a light wall turning into a slightly darker table, and a soft vignette."""
    top, bottom = (rgb(c) for c in BACKDROPS[index % len(BACKDROPS)])

    def tone(x, y):
        # The sweep bends between 50% and 80% of the height, where a table would meet the wall.
        t = min(1.0, max(0.0, (y - 0.5) / 0.3))
        t = t * t * (3 - 2 * t)
        colour = mix(top, bottom, 0.15 + 0.75 * t)
        vignette = 1 - 0.07 * ((x - 0.5) ** 2 + (y - 0.45) ** 2) * 2.2
        return scaled(colour, vignette)

    return coarse_field(36, 45, tone, mode="RGB").resize((WIDTH, HEIGHT), Image.BICUBIC).convert("RGBA")


@functools.cache
def light_field():
    """A soft light from the upper left, neutral grey (128) at the centre of the frame."""

    def light(x, y):
        return round(128 + 42 * (0.55 - (x * 0.45 + y * 0.55)) * 2.2)

    return coarse_field(24, 30, light).resize((W, H), Image.BILINEAR).convert("RGB")


def shade(piece, box):
    """Brighten the upper left of the piece and darken the lower right, leaving its outline intact."""
    alpha = piece.getchannel("A")
    lit = ImageChops.soft_light(piece.convert("RGB"), light_field().crop(box))
    lit.putalpha(alpha)
    return lit


def drop_shadow(photo, alpha, colour):
    """Lay a wide soft shadow and a tighter contact shadow, cast down and to the right, onto the photo."""
    small = alpha.reduce(6)
    wide = small.filter(ImageFilter.GaussianBlur(5)).resize((WIDTH, HEIGHT), Image.BILINEAR)
    tight = small.filter(ImageFilter.GaussianBlur(1.2)).resize((WIDTH, HEIGHT), Image.BILINEAR)
    wide = ImageChops.offset(wide, 16, 24).point(lambda v: v * 0.34)
    tight = ImageChops.offset(tight, 4, 7).point(lambda v: v * 0.3)
    photo.paste(colour, mask=ImageChops.lighter(wide, tight))


def frame(piece, box, shape):
    """
    Scale the piece down to the final size, filling a consistent share of the
    frame and centred a little below the middle, as a catalog photographer would.
    Pendants keep their drawn framing, since their chain runs out of the frame.
    """
    if shape == "pendant":
        size = (max(1, piece.width // 2), max(1, piece.height // 2))
        return piece.resize(size, Image.BICUBIC), (box[0] // 2, box[1] // 2)
    factor = min(0.64 * WIDTH / piece.width, 0.56 * HEIGHT / piece.height, 1.25)
    size = (max(1, round(piece.width * factor)), max(1, round(piece.height * factor)))
    at = (round((WIDTH - size[0]) / 2), round(HEIGHT * 0.53 - size[1] / 2))
    return piece.resize(size, Image.BICUBIC), at


def render(drawing):
    """The finished 720x900 RGB photo of a piece."""
    rng = random.Random(drawing.key)
    piece = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw = ImageDraw.Draw(piece)
    PAINTERS[drawing.shape](piece, draw, drawing, rng)

    # Only the piece's bounding box (on even pixels, so halving stays aligned) is
    # shaded and scaled down: most of the frame is empty backdrop.
    box = piece.getbbox() or (0, 0, 2, 2)
    small, at = frame(shade(piece.crop(box), box), box, drawing.shape)

    photo = backdrop(drawing.backdrop).copy()
    alpha = Image.new("L", (WIDTH, HEIGHT), 0)
    alpha.paste(small.getchannel("A"), at)
    shadow_colour = scaled(rgb(BACKDROPS[drawing.backdrop % len(BACKDROPS)][1]), 0.45)
    drop_shadow(photo, alpha, shadow_colour)
    photo.alpha_composite(small, at)
    return photo.convert("RGB")


def encode(image, fmt="JPEG"):
    """The image as file bytes; JPEG at a quality that keeps the gradients free of banding."""
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=88, optimize=True, progressive=True)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()
