"""
The strokes every demo photo is drawn with: the canvas, colours and the tones
of metal, and the primitives (rounded bands and wires, beads, discs with a
hammered, brushed or polished surface, faceted stones, cabochons and pearls,
their settings, chains).

Everything is drawn on a canvas of `W` x `H`, `SCALE` times the final photo
(`WIDTH` x `HEIGHT`), then scaled down. Metal reads as metal because every band
is drawn as stacked outlines whose tone follows a rounded cross-section
(`tube_profile`, `metal_tone`): dark edges, a bright line near the top.

`shapes` paints the catalog photos' jewelry with these, and `workshop` its
process photos; this module imports none of the demo's.
"""

import math

WIDTH, HEIGHT = 720, 900
SCALE = 2
W, H = WIDTH * SCALE, HEIGHT * SCALE


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
