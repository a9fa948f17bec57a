"""
A demo piece's photos: which drawing shows it (`DrawingPool`, which shares
drawings between pieces once the catalog is large) and its PieceImage rows,
the catalog photo first, then for some pieces a process photo or two.

Part of the piece planner (`pieces.plan_piece` calls `image_rows`); the files
themselves are drawn by `drawing` and `workshop` and stored by `images`.
"""

from catalog.demo.drawing import BACKDROPS, PieceDrawing
from catalog.demo.images import piece_photo_name, process_photo_name
from catalog.demo.materials import METALS_BY_SLUG, STONES_BY_SLUG
from catalog.demo.shares import HAND_FINISHED, HANDCRAFTED, MASS_PRODUCED
from catalog.demo.words import what_it_is
from catalog.demo.workshop import ProcessDrawing

PHOTO_WIDTH, PHOTO_HEIGHT = 720, 900
BACKDROP_NAMES = ["linen", "blush", "sage", "sand", "warm stone", "mist", "clay"]
assert len(BACKDROP_NAMES) == len(BACKDROPS)


class DrawingPool:
    """
    Decides which drawing shows a piece. Up to `unique_up_to` pieces, every
    piece gets a drawing of its own; beyond that, drawings are shared through a
    pool of at most `size`, matched on shape, metal and stone as closely as the
    pool allows, so a large catalog costs a few hundred files, not one per piece.
    """

    def __init__(self, rng, pieces, unique_up_to=1000, size=240):
        self.rng = rng
        self.unique = pieces <= unique_up_to
        self.size = size
        self.by_key = {}
        self.fallbacks = {}

    def drawing_for(self, index, shape, variant, metals, stones, finish):
        visible = METALS_BY_SLUG[metals[0].slug][2]
        colours = tuple(STONES_BY_SLUG[stone.slug][3] for stone in stones[:3])
        cut = STONES_BY_SLUG[stones[0].slug][4] if stones else "faceted"
        backdrop = self.rng.randrange(len(BACKDROPS))
        if self.unique:
            return PieceDrawing(shape, variant, visible, colours, cut, finish, backdrop, index)
        key = (shape, variant, visible, colours[:1], cut)
        if key in self.by_key:
            return self.by_key[key]
        if len(self.by_key) < self.size:
            drawing = PieceDrawing(shape, variant, visible, colours[:1], cut, finish, backdrop, len(self.by_key))
            self.by_key[key] = drawing
            for fallback in ((shape, variant, visible), (shape, visible), (shape, variant), (shape,)):
                self.fallbacks.setdefault(fallback, []).append(drawing)
            return drawing
        for fallback in ((shape, variant, visible), (shape, visible), (shape, variant), (shape,)):
            if fallback in self.fallbacks:
                return self.rng.choice(self.fallbacks[fallback])
        return self.rng.choice(list(self.by_key.values()))


def image_rows(rng, ctx, method, title, noun, metals, stones, drawing, shape, variant):
    name = ctx.producer.submit(piece_photo_name(drawing), drawing)
    backdrop = BACKDROP_NAMES[drawing.backdrop]
    alt = f"{title}, {what_it_is(shape, variant, noun, metals, stones)}, photographed on a {backdrop} backdrop"
    rows = [photo_row(name, alt[:250], 0, is_process_photo=False)]
    if rng.random() < {HANDCRAFTED: 0.28, HAND_FINISHED: 0.1, MASS_PRODUCED: 0.02}[method]:
        kinds = ["sketch", "bench"] + (["wax"] if method != MASS_PRODUCED else []) + (["stones"] if stones else [])
        for kind in rng.sample(kinds, rng.randint(1, 2)):
            process = ProcessDrawing(
                kind,
                shape=shape if kind in ("sketch", "wax") else "ring",
                variant=0 if kind not in ("bench",) else rng.randint(0, 1),
            )
            if kind == "wax" and shape != "ring":
                process = ProcessDrawing("wax", shape="pendant")
            process_name = ctx.producer.submit(process_photo_name(process), process)
            rows.append(photo_row(process_name, process.alt_text(noun.lower()), len(rows), is_process_photo=True))
    return rows


def photo_row(name, alt_text, position, *, is_process_photo):
    # width and height are what ImageField would have read from the file; every drawing is 720x900.
    # The drawings are the demo's stock, shared by many pieces of many makers on purpose:
    # copy detection leaves them out (catalog.trust.copies).
    return {
        "is_stock": True,
        "image": name,
        "width": PHOTO_WIDTH,
        "height": PHOTO_HEIGHT,
        "alt_text": alt_text,
        "position": position,
        "is_process_photo": is_process_photo,
    }
