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
"""

import functools
import hashlib
import io
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

# Bump when the drawing code changes, so stored files get new names instead of
# being reused with an outdated look.
DRAWING_VERSION = 4

WIDTH, HEIGHT = 720, 900
SCALE = 2
W, H = WIDTH * SCALE, HEIGHT * SCALE

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


# --- Colours ------------------------------------------------------------------


def rgb(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=False))


def scaled(colour, factor):
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


WHITE = (255, 255, 255)


def metal_tone(base, v):
    """The metal's colour at brightness v: 0 is deep shadow, 0.5 its own colour, 1 a white glint."""
    v = max(0.0, min(1.0, v))
    if v < 0.5:
        return mix(scaled(base, 0.32), base, v / 0.5)
    if v < 0.85:
        return mix(base, mix(base, WHITE, 0.55), (v - 0.5) / 0.35)
    return mix(mix(base, WHITE, 0.55), mix(base, WHITE, 0.92), (v - 0.85) / 0.15)


def tube_profile(u):
    """Brightness across a rounded wire from its outer (0) to its inner (1) edge, lit from above."""
    body = 0.22 + 0.55 * math.sin(math.pi * u) ** 0.7
    glint = 0.35 * math.exp(-(((u - 0.3) / 0.09) ** 2))
    return body + glint


# --- Primitives ---------------------------------------------------------------


def ellipse_box(cx, cy, rx, ry):
    return (cx - rx, cy - ry, cx + rx, cy + ry)


def tube_ellipse(draw, cx, cy, rx, ry, thickness, base, dim=1.0, start=None, end=None):
    """A rounded band along an ellipse (or an arc of it), shaded across its thickness."""
    steps = max(2, int(thickness // 2))
    for i in range(steps):
        u = i / (steps - 1)
        inset = u * (thickness - 2)
        colour = metal_tone(base, tube_profile(u) * dim)
        box = ellipse_box(cx, cy, rx - inset, ry - inset)
        if box[2] <= box[0] or box[3] <= box[1]:
            break
        if start is None:
            draw.ellipse(box, outline=colour, width=3)
        else:
            draw.arc(box, start, end, fill=colour, width=3)


def tube_path(draw, points, width, base, dim=1.0):
    """A rounded wire along a polyline, shaded across its width."""
    layers = max(3, int(width // 3))
    for i in range(layers):
        t = i / (layers - 1)
        w = max(1, round(width * (1 - 0.85 * t)))
        colour = metal_tone(base, (0.2 + 0.75 * t) * dim)
        draw.line(points, fill=colour, width=w, joint="curve")
        for x, y in (points[0], points[-1]):
            r = w / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def metal_ball(draw, cx, cy, r, base):
    """A polished metal bead: concentric discs brightening towards a glint at the upper left."""
    steps = max(4, int(r // 2))
    for i in range(steps):
        t = i / steps
        rr = r * (1 - t)
        ox, oy = -r * 0.35 * t, -r * 0.35 * t
        draw.ellipse(ellipse_box(cx + ox, cy + oy, rr, rr), fill=metal_tone(base, 0.3 + 0.65 * t))


def metal_disc(draw, cx, cy, rx, ry, base, finish, rng):
    """A flat metal disc or plate with a rim, its surface hammered, brushed or polished."""
    for i in range(12):
        t = i / 11
        draw.ellipse(
            ellipse_box(cx, cy, rx * (1 - 0.06 * t), ry * (1 - 0.06 * t)),
            fill=metal_tone(base, 0.35 + 0.3 * t),
        )
    surface_texture(draw, cx, cy, rx * 0.93, ry * 0.93, base, finish, rng)


def surface_texture(draw, cx, cy, rx, ry, base, finish, rng):
    """Hammer facets or brush lines inside an ellipse; polished metal gets one broad sheen."""
    if finish == "hammered":
        # Each blow leaves a shallow dimple: shadowed on its lower right, lit on its upper left.
        draw.ellipse(ellipse_box(cx - rx * 0.2, cy - ry * 0.25, rx * 0.5, ry * 0.35), fill=metal_tone(base, 0.62))
        for _ in range(int(rx * ry / 330)):
            a = rng.uniform(0, 2 * math.pi)
            d = math.sqrt(rng.random()) * 0.86
            x, y = cx + math.cos(a) * rx * d, cy + math.sin(a) * ry * d
            s = rng.uniform(11, 19)
            lift = 0.08 if (x - cx) + (y - cy) < 0 else 0.0
            draw.ellipse(ellipse_box(x + s * 0.12, y + s * 0.12, s, s * 0.82), fill=metal_tone(base, 0.43 + lift))
            draw.ellipse(ellipse_box(x - s * 0.1, y - s * 0.1, s * 0.78, s * 0.62), fill=metal_tone(base, 0.58 + lift))
    elif finish == "brushed":
        for i in range(int(ry * 2 / 3)):
            y = cy - ry + i * 3
            half = rx * math.sqrt(max(0.0, 1 - ((y - cy) / ry) ** 2)) * 0.97
            tone = metal_tone(base, 0.5 + rng.uniform(-0.07, 0.07))
            draw.line((cx - half, y, cx + half, y), fill=tone, width=2)
    else:
        draw.ellipse(
            ellipse_box(cx - rx * 0.25, cy - ry * 0.3, rx * 0.45, ry * 0.3),
            fill=metal_tone(base, 0.74),
        )


def sparkle(draw, x, y, size):
    """A four-pointed glint where light catches a facet."""
    colour = (255, 255, 255, 255)
    draw.polygon([(x, y - size), (x + size * 0.16, y), (x, y + size), (x - size * 0.16, y)], fill=colour)
    draw.polygon([(x - size * 0.7, y), (x, y + size * 0.12), (x + size * 0.7, y), (x, y - size * 0.12)], fill=colour)


def faceted_stone(draw, cx, cy, r, colour, facets=8, rotation=0.0, aspect=1.0):
    """A brilliant-cut stone seen from above: dark girdle, light table, facets alternating."""
    base = rgb(colour)

    def ring_points(radius, offset):
        return [
            (
                cx + math.cos(rotation + offset + 2 * math.pi * k / facets) * radius,
                cy + math.sin(rotation + offset + 2 * math.pi * k / facets) * radius * aspect,
            )
            for k in range(facets)
        ]

    outer = ring_points(r, 0)
    table = ring_points(r * 0.55, math.pi / facets)
    draw.polygon(outer, fill=scaled(base, 0.55))
    for k in range(facets):
        a, b = outer[k], outer[(k + 1) % facets]
        t = table[k]
        # Facets facing the light (upper left) are bright, those away from it dark.
        angle = rotation + 2 * math.pi * (k + 0.5) / facets
        light = 0.5 + 0.5 * math.cos(angle - math.radians(225))
        draw.polygon([a, b, t], fill=mix(scaled(base, 0.6), mix(base, WHITE, 0.45), light))
        draw.polygon([b, t, table[(k + 1) % facets]], fill=mix(scaled(base, 0.75), base, 1 - light))
    draw.polygon(table, fill=mix(base, WHITE, 0.22))
    draw.polygon(
        [(x * 0.5 + cx * 0.5 - r * 0.12, y * 0.5 + cy * 0.5 - r * 0.12) for x, y in table[3:6]],
        fill=mix(base, WHITE, 0.5),
    )


def cabochon(draw, cx, cy, rx, ry, colour):
    """A domed, polished stone: darker at its edge, lit towards the upper left."""
    base = rgb(colour)
    steps = 14
    for i in range(steps):
        t = i / steps
        draw.ellipse(
            ellipse_box(cx - rx * 0.18 * t, cy - ry * 0.22 * t, rx * (1 - 0.8 * t), ry * (1 - 0.8 * t)),
            fill=mix(scaled(base, 0.62), mix(base, WHITE, 0.35), t),
        )
    draw.ellipse(ellipse_box(cx - rx * 0.35, cy - ry * 0.42, rx * 0.16, ry * 0.1), fill=mix(base, WHITE, 0.8))


def pearl(draw, cx, cy, r, colour):
    """A round pearl with its soft lustre and a small bright highlight."""
    base = rgb(colour)
    draw.ellipse(ellipse_box(cx, cy, r, r), fill=scaled(base, 0.72))
    steps = 12
    for i in range(steps):
        t = i / steps
        draw.ellipse(
            ellipse_box(cx - r * 0.25 * t, cy - r * 0.28 * t, r * (1 - 0.75 * t), r * (1 - 0.75 * t)),
            fill=mix(scaled(base, 0.82), mix(base, WHITE, 0.55), t),
        )
    draw.ellipse(ellipse_box(cx - r * 0.32, cy - r * 0.36, r * 0.13, r * 0.1), fill=mix(base, WHITE, 0.92))


def stone(draw, cx, cy, r, colour, cut, aspect=1.0, glint=True):
    """One stone of the piece in its cut; sparkles only on faceted stones."""
    if cut == "pearl":
        pearl(draw, cx, cy, r, colour)
    elif cut == "cabochon":
        cabochon(draw, cx, cy, r, r * aspect, colour)
    else:
        faceted_stone(draw, cx, cy, r, colour, facets=8 if r > 30 else 6, aspect=aspect)
        if glint:
            sparkle(draw, cx - r * 0.3, cy - r * 0.35 * aspect, r * 0.55)


def setting(draw, cx, cy, r, metal, cut, aspect=1.0):
    """The metal that holds a stone: a bezel for cabochons and pearls' cups, prongs for faceted stones."""
    if cut == "faceted":
        for angle in (45, 135, 225, 315):
            a = math.radians(angle)
            metal_ball(draw, cx + math.cos(a) * r * 0.92, cy + math.sin(a) * r * 0.92 * aspect, max(5, r * 0.17), metal)
    else:
        tube_ellipse(draw, cx, cy, r * 1.16, r * 1.16 * aspect, max(8, r * 0.3), metal)


def set_stone(draw, cx, cy, r, colour, metal, cut, aspect=1.0):
    if cut == "faceted":
        stone(draw, cx, cy, r, colour, cut, aspect)
        setting(draw, cx, cy, r, metal, cut, aspect)
    else:
        setting(draw, cx, cy, r, metal, cut, aspect)
        stone(draw, cx, cy, r, colour, cut, aspect)


def quad_bezier(p0, p1, p2, n):
    points = []
    for i in range(n + 1):
        t = i / n
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1]
        points.append((x, y))
    return points


def resample(points, spacing):
    """Points every `spacing` pixels along a polyline, with the direction of travel at each."""
    out = []
    carry = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        seg = math.hypot(x1 - x0, y1 - y0)
        if seg == 0:
            continue
        angle = math.atan2(y1 - y0, x1 - x0)
        d = carry
        while d < seg:
            t = d / seg
            out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, angle))
            d += spacing
        carry = d - seg
    return out


def chain(draw, points, base, link=20):
    """A cable chain: links alternately seen face-on (an open oval) and edge-on (a short bar)."""
    k = link / 20  # line widths grow with the links
    for i, (x, y, angle) in enumerate(resample(points, link * 0.95)):
        ca, sa = math.cos(angle), math.sin(angle)
        if i % 2 == 0:
            oval = [
                (
                    x + ca * math.cos(t) * link * 0.62 - sa * math.sin(t) * link * 0.36,
                    y + sa * math.cos(t) * link * 0.62 + ca * math.sin(t) * link * 0.36,
                )
                for t in (2 * math.pi * k / 14 for k in range(15))
            ]
            draw.line(oval, fill=metal_tone(base, 0.3), width=round(7 * k), joint="curve")
            draw.line(oval[9:15], fill=metal_tone(base, 0.82), width=round(3 * k))
            draw.line(oval[2:6], fill=metal_tone(base, 0.55), width=round(3 * k))
        else:
            a = (x - ca * link * 0.55, y - sa * link * 0.55)
            b = (x + ca * link * 0.55, y + sa * link * 0.55)
            draw.line((a, b), fill=metal_tone(base, 0.35), width=round(9 * k))
            draw.line((a, b), fill=metal_tone(base, 0.75), width=round(3 * k))


# --- The shapes of the categories ---------------------------------------------


def extruded_band(draw, cx, cy, rx, ry, thickness, depth, base, angle=-0.2, rng=None, finish="polished"):
    """
    A ring band turned a little to the side: the annulus is swept back along
    `depth`, so the inner wall shows through the hole and the outer side along
    the edge, then the front face is drawn on top with its rounded profile.

    The sweep's tone follows the band's width: dark at the back edge, a broad
    reflection just behind the middle, darker again towards the front rim,
    which is the pattern a polished band shows under a softbox. A hammered band
    breaks that reflection into uneven facets across its width.
    """
    steps = max(2, int(depth // 2))
    dx, dy = math.cos(angle) * depth, math.sin(angle) * depth
    hammered = rng is not None and finish == "hammered"
    facet = 0.0
    for i in range(steps):
        t = i / (steps - 1)
        x = cx + dx * (1 - t)
        y = cy + dy * (1 - t)
        if hammered and i % 3 == 0:
            # A new facet every few steps, so that each is wide enough to see.
            facet = rng.uniform(-0.12, 0.12)
        v = 0.3 + 0.5 * math.exp(-(((t - 0.45) / 0.2) ** 2)) + 0.12 * t + facet
        draw.ellipse(ellipse_box(x, y, rx, ry), outline=metal_tone(base, v), width=int(thickness))
    tube_ellipse(draw, cx, cy, rx, ry, thickness, base)


def draw_ring(image, draw, d, rng):
    metal = rgb(d.metal)
    cx, cy = W * 0.46, H * 0.57
    r = W * 0.27
    aspect = 0.8  # the ring is turned, so its rim is an upright ellipse
    if d.variant == 0:  # a wide band, hammered or plain, perhaps with flush-set stones
        extruded_band(draw, cx, cy, r * aspect, r, 46, 150, metal, rng=rng, finish=d.finish)
        if d.finish != "polished":
            clip_texture_band(draw, cx, cy, r * aspect, r, 46, metal, d.finish, rng)
        for k, colour in enumerate(d.stones[:3]):
            a = math.radians(-90 + (k - (len(d.stones[:3]) - 1) / 2) * 18)
            sx, sy = cx + math.cos(a) * (r * aspect - 23), cy + math.sin(a) * (r - 23)
            stone(draw, sx, sy, 15, colour, "cabochon" if d.stone_cut == "pearl" else d.stone_cut, glint=False)
            tube_ellipse(draw, sx, sy, 19, 19, 6, metal)
    elif d.variant == 1:  # a solitaire: slim band, one large stone held high in a basket
        cy += 60
        extruded_band(draw, cx, cy, r * aspect, r, 26, 90, metal)
        top = cy - r
        draw.polygon(
            [(cx - 70, top + 14), (cx + 70, top + 14), (cx + 34, top - 62), (cx - 34, top - 62)],
            fill=metal_tone(metal, 0.38),
        )
        tube_path(draw, [(cx - 72, top + 16), (cx - 30, top - 60)], 14, metal)
        tube_path(draw, [(cx + 72, top + 16), (cx + 30, top - 60)], 14, metal)
        if d.stones:
            set_stone(draw, cx, top - 128, 112, d.stones[0], metal, d.stone_cut, aspect=0.9)
        else:
            metal_ball(draw, cx, top - 100, 80, metal)
    elif d.variant == 2:  # a signet: a heavy band with a flat oval face
        cy += 70
        extruded_band(draw, cx, cy, r * aspect, r, 40, 120, metal)
        face_y = cy - r - 30
        draw.ellipse(ellipse_box(cx + 40, face_y + 40, 170, 122), fill=metal_tone(metal, 0.3))
        metal_disc(draw, cx, face_y, 170, 122, metal, d.finish, rng)
        if d.stones:
            set_stone(draw, cx, face_y, 58, d.stones[0], metal, "cabochon" if d.stone_cut == "pearl" else d.stone_cut)
        else:
            engraved_mark(draw, cx, face_y, 80, metal, rng)
    else:  # a half-eternity: a row of small stones across the top of the band
        extruded_band(draw, cx, cy, r * aspect, r, 40, 110, metal)
        colours = d.stones or ("#f4f6f8",)
        for k in range(9):
            a = math.radians(-90 + (k - 4) * 14)
            sx, sy = cx + math.cos(a) * (r * aspect - 20), cy + math.sin(a) * (r - 20)
            stone(
                draw,
                sx,
                sy,
                20,
                colours[k % len(colours)],
                "faceted" if d.stone_cut != "pearl" else "pearl",
                glint=k % 3 == 1,
            )


def clip_texture_band(draw, cx, cy, rx, ry, thickness, metal, finish, rng):
    """Hammer marks or brush strokes on the front face of a band."""
    if finish == "hammered":
        for _ in range(40):
            a = rng.uniform(0, 2 * math.pi)
            u = rng.uniform(0.2, 0.8)
            rr = rx - thickness * u
            x, y = cx + math.cos(a) * rr, cy + math.sin(a) * rr * ry / rx
            s = rng.uniform(6, 11)
            v = tube_profile(u)
            draw.ellipse(ellipse_box(x + 2, y + 2, s, s * 0.75), fill=metal_tone(metal, v - 0.12))
            draw.ellipse(ellipse_box(x - 1, y - 1, s * 0.7, s * 0.55), fill=metal_tone(metal, v + 0.06))
    else:
        for k in range(0, 360, 2):
            a = math.radians(k)
            r0, r1 = rx - thickness * 0.15, rx - thickness * 0.85
            draw.line(
                (
                    cx + math.cos(a) * r0,
                    cy + math.sin(a) * r0 * ry / rx,
                    cx + math.cos(a) * r1,
                    cy + math.sin(a) * r1 * ry / rx,
                ),
                fill=metal_tone(metal, tube_profile(0.5) - 0.08 + 0.1 * math.sin(k)),
                width=1,
            )


def engraved_mark(draw, cx, cy, r, metal, rng):
    """A small engraved motif (a star or a wave) cut into a flat face."""
    dark = metal_tone(metal, 0.22)
    light = metal_tone(metal, 0.8)
    if rng.random() < 0.5:
        points = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * 0.42
            a = -math.pi / 2 + k * math.pi / 5
            points.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr * 0.75))
        draw.line(points + points[:1], fill=dark, width=6, joint="curve")
        draw.line([(x + 3, y + 3) for x, y in points + points[:1]], fill=light, width=2)
    else:
        for row in (-1, 0, 1):
            wave = [(cx - r + i * r / 12, cy + row * r * 0.35 + math.sin(i / 2) * r * 0.12) for i in range(25)]
            draw.line(wave, fill=dark, width=6, joint="curve")
            draw.line([(x + 2, y + 3) for x, y in wave], fill=light, width=2)


def draw_pendant(image, draw, d, rng):
    metal = rgb(d.metal)
    bail = (W / 2, H * 0.4)
    # The chain hangs from beyond the top corners of the frame, meeting at the bail.
    left = quad_bezier((W * 0.04, -40), (W * 0.24, H * 0.38), bail, 60)
    right = quad_bezier(bail, (W * 0.76, H * 0.38), (W * 0.96, -40), 60)
    if d.variant == 4 and d.stone_cut == "pearl" and d.stones:
        strand = quad_bezier((W * 0.06, -40), (W * 0.5, H * 1.4), (W * 0.94, -40), 120)
        for x, y, _ in resample(strand, 58):
            pearl(draw, x, y, 29, d.stones[0])
        return
    chain(draw, left, metal, link=22)
    chain(draw, right, metal, link=22)
    bx, by = bail
    tube_ellipse(draw, bx, by + 12, 28, 36, 14, metal)
    top = by + 48
    variant = d.variant % 4
    if variant == 0:  # a hammered or polished coin
        r = 215
        draw.ellipse(ellipse_box(bx + 14, top + r + 12, r, r), fill=metal_tone(metal, 0.25))
        metal_disc(draw, bx, top + r, r, r, metal, d.finish, rng)
        if d.stones:
            set_stone(draw, bx, top + r, 44, d.stones[0], metal, d.stone_cut)
    elif variant == 1:  # a teardrop stone in a bezel
        colour = d.stones[0] if d.stones else "#8fb8c9"
        cut = d.stone_cut if d.stones else "cabochon"
        tube_ellipse(draw, bx, top + 200, 142, 192, 26, metal)
        stone(draw, bx, top + 200, 120, colour, cut, aspect=1.38, glint=cut == "faceted")
        if cut == "faceted":
            sparkle(draw, bx - 44, top + 130, 60)
    elif variant == 2:  # an open circle of wire
        r = 200
        extruded_band(draw, bx, top + r, r, r, 34, 16, metal, angle=-1.2)
        if d.stones:
            stone(draw, bx, top + 2 * r - 17, 30, d.stones[0], d.stone_cut)
    else:  # a crescent moon
        cx, cy, r = bx, top + 205, 210
        draw.ellipse(ellipse_box(cx + 12, cy + 12, r, r), fill=metal_tone(metal, 0.28))
        metal_disc(draw, cx, cy, r, r, metal, d.finish, rng)
        draw.ellipse(ellipse_box(cx + r * 0.45, cy - r * 0.25, r * 0.86, r * 0.86), fill=(0, 0, 0, 0))
        for k, colour in enumerate(d.stones[:3]):
            a = math.radians(140 + k * 40)
            stone(draw, cx + math.cos(a) * r * 0.62, cy + math.sin(a) * r * 0.62, 22, colour, d.stone_cut)


def draw_earrings(image, draw, d, rng):
    metal = rgb(d.metal)
    for side in (-1, 1):
        cx = W / 2 + side * W * 0.2
        top = H * 0.26 + (18 if side > 0 else 0)  # a pair never lies perfectly level
        if d.variant == 0:  # hoops
            r = 190
            extruded_band(draw, cx, top + r + 40, r * 0.82, r, 34, 24, metal, angle=-1.4 if side < 0 else -1.75)
            if d.stones:
                for k in range(5):
                    a = math.radians(100 + k * 20)
                    stone(
                        draw,
                        cx + math.cos(a) * (r * 0.82 - 14),
                        top + r + 40 + math.sin(a) * (r - 14),
                        13,
                        d.stones[k % len(d.stones)],
                        "faceted" if d.stone_cut != "pearl" else "pearl",
                        glint=False,
                    )
        elif d.variant == 1:  # drops on ear wires
            hook = [
                (cx + side * 40 * math.cos(t / 10 * math.pi), top + 40 - 60 * math.sin(t / 10 * math.pi))
                for t in range(11)
            ]
            tube_path(draw, hook + [(cx - side * 40, top + 120)], 9, metal)
            metal_ball(draw, cx - side * 40, top + 130, 16, metal)
            tube_path(draw, [(cx - side * 40, top + 140), (cx - side * 40, top + 220)], 8, metal)
            colour = d.stones[0] if d.stones else None
            if colour:
                set_stone(draw, cx - side * 40, top + 300, 62, colour, metal, d.stone_cut, aspect=1.3)
            else:
                metal_disc(draw, cx - side * 40, top + 300, 70, 90, metal, d.finish, rng)
        elif d.variant == 2:  # studs, seen from the front
            x, y = cx - side * 50, top + 260
            if d.stones:
                set_stone(draw, x, y, 110, d.stones[0], metal, d.stone_cut)
            else:
                metal_disc(draw, x, y, 110, 110, metal, d.finish, rng)
        else:  # a stud with a bar and three dangles
            y = top + 120
            metal_ball(draw, cx, y, 34, metal)
            tube_path(draw, [(cx - 80, y + 70), (cx + 80, y + 70)], 14, metal)
            tube_path(draw, [(cx, y + 34), (cx, y + 70)], 8, metal)
            for k, dx in enumerate((-70, 0, 70)):
                length = 120 + (60 if k == 1 else 0)
                tube_path(draw, [(cx + dx, y + 70), (cx + dx, y + 70 + length)], 6, metal)
                if d.stones:
                    stone(draw, cx + dx, y + 90 + length, 26, d.stones[k % len(d.stones)], d.stone_cut)
                else:
                    metal_ball(draw, cx + dx, y + 84 + length, 18, metal)


def draw_bracelet(image, draw, d, rng):
    metal = rgb(d.metal)
    cx, cy = W / 2, H * 0.56
    rx, ry = W * 0.36, W * 0.2
    if d.variant == 0:  # a bangle, lying on its side
        extruded_band(draw, cx, cy, rx, ry, 30, 60, metal, angle=-1.57)
    elif d.variant == 1:  # an open cuff, its gap at the back, with a worked surface
        depth, thickness = 130, 26
        for i in range(depth // 2):
            t = i / (depth // 2 - 1)
            v = 0.3 + 0.5 * math.exp(-(((t - 0.5) / 0.22) ** 2)) + 0.1 * t
            draw.arc(
                ellipse_box(cx, cy - depth * (1 - t), rx, ry), -62, 242, fill=metal_tone(metal, v), width=thickness
            )
        tube_ellipse(draw, cx, cy, rx, ry, thickness, metal, start=-62, end=242)
        for a in (-62, 242):
            x = cx + math.cos(math.radians(a)) * (rx - thickness / 2)
            y = cy + math.sin(math.radians(a)) * (ry - thickness / 2)
            tube_path(draw, [(x, y - depth), (x, y)], thickness + 8, metal)
        if d.finish != "polished":
            for _ in range(140):
                a = math.radians(rng.uniform(15, 165))
                x = cx + math.cos(a) * (rx - 6)
                y = cy + math.sin(a) * (ry - 6) - rng.uniform(10, depth - 10)
                tone = metal_tone(metal, rng.choice((0.4, 0.55, 0.75, 0.85)))
                if d.finish == "hammered":
                    draw.ellipse(ellipse_box(x, y, 9, 7), fill=tone)
                else:
                    draw.line((x - 14, y, x + 14, y), fill=tone, width=2)
        for k, colour in enumerate(d.stones[:3]):
            a = math.radians(90 + (k - (len(d.stones[:3]) - 1) / 2) * 16)
            set_stone(draw, cx + math.cos(a) * rx, cy + math.sin(a) * ry - depth / 2, 30, colour, metal, d.stone_cut)
    elif d.variant == 2:  # a chain bracelet with a clasp
        loop = [(cx + math.cos(t / 90 * math.pi) * rx, cy + math.sin(t / 90 * math.pi) * ry) for t in range(181)]
        chain(draw, loop, metal, link=44)
        metal_ball(draw, cx + rx, cy, 30, metal)
        tube_ellipse(draw, cx + rx + 44, cy, 34, 24, 14, metal)
        if d.stones:
            tube_path(draw, [(cx, cy + ry), (cx, cy + ry + 40)], 6, metal)
            stone(draw, cx, cy + ry + 80, 40, d.stones[0], d.stone_cut)
    else:  # a line of stones, or of beads when there are none
        tube_ellipse(draw, cx, cy, rx, ry, 14, metal)
        colours = d.stones or (None,)
        for k in range(36):
            a = 2 * math.pi * k / 36
            x, y = cx + math.cos(a) * (rx - 7), cy + math.sin(a) * (ry - 7)
            if colours[0] is None:
                metal_ball(draw, x, y, 22, metal)
            else:
                stone(draw, x, y, 20, colours[k % len(colours)], d.stone_cut, glint=k % 5 == 0)


def draw_brooch(image, draw, d, rng):
    metal = rgb(d.metal)
    cx, cy = W / 2, H * 0.5
    if d.variant == 0:  # a flower: petals of metal round a central stone
        petals = 6
        for k in range(petals):
            a = 2 * math.pi * k / petals + 0.2
            px, py = cx + math.cos(a) * 120, cy + math.sin(a) * 120
            petal = Image.new("RGBA", (260, 180), (0, 0, 0, 0))
            pd = ImageDraw.Draw(petal)
            metal_disc(pd, 130, 90, 125, 80, metal, d.finish, rng)
            rotated = petal.rotate(-math.degrees(a), expand=True, resample=Image.BICUBIC)
            image.alpha_composite(rotated, (int(px - rotated.width / 2), int(py - rotated.height / 2)))
        colour = d.stones[0] if d.stones else None
        if colour:
            set_stone(draw, cx, cy, 62, colour, metal, d.stone_cut)
        else:
            metal_ball(draw, cx, cy, 55, metal)
    elif d.variant == 1:  # a round cluster: a halo of small stones and a row of granules
        metal_disc(draw, cx, cy, 230, 230, metal, "polished", rng)
        for k in range(36):
            a = 2 * math.pi * k / 36
            metal_ball(draw, cx + math.cos(a) * 210, cy + math.sin(a) * 210, 11, metal)
        colours = d.stones or ("#f4f6f8",)
        for k in range(12):
            a = 2 * math.pi * k / 12
            stone(
                draw,
                cx + math.cos(a) * 150,
                cy + math.sin(a) * 150,
                24,
                colours[(k + 1) % len(colours)],
                d.stone_cut,
                glint=k % 3 == 0,
            )
        set_stone(draw, cx, cy, 80, colours[0], metal, d.stone_cut)
    else:  # a leaf with engraved veins
        leaf = [(cx + math.sin(t / 40 * math.pi) * 170 * (1 if t <= 40 else 1), cy - 300 + t * 15) for t in range(41)]
        outline = [(cx + 170 * math.sin(t / 40 * math.pi), cy - 300 + t * 15) for t in range(41)]
        outline += [(cx - 170 * math.sin(t / 40 * math.pi), cy - 300 + t * 15) for t in range(40, -1, -1)]
        draw.polygon([(x + 16, y + 16) for x, y in outline], fill=metal_tone(metal, 0.25))
        draw.polygon(outline, fill=metal_tone(metal, 0.5))
        draw.polygon([(cx + (x - cx) * 0.9 - 12, y - 8) for x, y in outline], fill=metal_tone(metal, 0.6))
        tube_path(draw, [(cx, cy - 290), (cx, cy + 360)], 14, metal)
        for t in range(4, 38, 5):
            y = cy - 300 + t * 15
            half = 150 * math.sin(t / 40 * math.pi)
            for side in (-1, 1):
                draw.line((cx, y, cx + side * half * 0.85, y - 60), fill=metal_tone(metal, 0.3), width=5)
                draw.line((cx, y + 4, cx + side * half * 0.85, y - 56), fill=metal_tone(metal, 0.75), width=2)
        del leaf
        for k, colour in enumerate(d.stones[:3]):
            stone(draw, cx, cy - 160 + k * 150, 26, colour, d.stone_cut)


def draw_cufflinks(image, draw, d, rng):
    metal = rgb(d.metal)
    for cx, cy in ((W * 0.33, H * 0.48), (W * 0.66, H * 0.6)):
        # The toggle and post behind the face, then the face itself.
        tube_path(draw, [(cx + 60, cy + 70), (cx + 150, cy + 150)], 30, metal, dim=0.8)
        tube_path(draw, [(cx + 90, cy + 210), (cx + 210, cy + 90)], 34, metal)
        if d.variant == 0:
            draw.ellipse(ellipse_box(cx + 14, cy + 16, 150, 150), fill=metal_tone(metal, 0.25))
            metal_disc(draw, cx, cy, 150, 150, metal, d.finish, rng)
        else:
            draw.rounded_rectangle((cx - 136, cy - 136, cx + 150, cy + 150), 30, fill=metal_tone(metal, 0.25))
            draw.rounded_rectangle((cx - 150, cy - 150, cx + 136, cy + 136), 30, fill=metal_tone(metal, 0.55))
            draw.rounded_rectangle((cx - 128, cy - 128, cx + 114, cy + 114), 22, fill=metal_tone(metal, 0.68))
            surface_texture(draw, cx - 7, cy - 7, 110, 110, metal, d.finish, rng)
        if d.stones:
            set_stone(draw, cx, cy, 52, d.stones[0], metal, d.stone_cut)


PAINTERS = {
    "ring": draw_ring,
    "pendant": draw_pendant,
    "earrings": draw_earrings,
    "bracelet": draw_bracelet,
    "brooch": draw_brooch,
    "cufflinks": draw_cufflinks,
}


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
