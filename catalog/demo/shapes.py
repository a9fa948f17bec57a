"""
What the catalog photos show: one painter for each category's shape (ring,
pendant, earrings, bracelet, brooch, cufflinks) and its variants (a wide band
or a solitaire, a coin or a teardrop, hoops or studs...), painted on the
enlarged canvas with the strokes of `primitives`.

`PAINTERS` maps a shape to its painter; `drawing.render` calls it with the
PieceDrawing, whose variant, stones, cut and finish the painter follows, and a
random generator seeded by the drawing's key, so that hammer marks and brush
lines fall the same way every time.
"""

import math

from PIL import Image, ImageDraw

from catalog.demo.primitives import (
    H,
    W,
    chain,
    ellipse_box,
    metal_ball,
    metal_disc,
    metal_tone,
    pearl,
    quad_bezier,
    resample,
    rgb,
    set_stone,
    sparkle,
    stone,
    surface_texture,
    tube_ellipse,
    tube_path,
    tube_profile,
)


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
