"""
Slight crops and the photo hash: which cheap, indexable remedy catches a copy
cropped 1 to 5 % on each side without bringing two different drawings together.

    .venv/bin/python bench/copy_crops.py [--drawings 60] [--out FILE]

For each candidate hashing, on the generated drawings of the tests
(catalog/tests/drawings.py): the closest two different drawings come
(the false-positive margin; `PHOTO_DISTANCE` is 7), and the farthest a
re-encoded, resized, recoloured or cropped copy lands from its original.
A "ladder" stores the whole photo's hash and those of centre crops of it; a
copy matches when its whole hash is near any of them (two different drawings
are compared rung against rung, the worst case). No database needed.
"""

import argparse
import io
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import imagehash  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from catalog.tests.drawings import cropped, drawing, encoded, recoloured, reencoded, resized  # noqa: E402

SHARES = [0.01, 0.02, 0.03, 0.04, 0.05]


def grey(image):
    return ImageOps.exif_transpose(Image.open(io.BytesIO(encoded(image)))).convert("L")


def centre(image, share):
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


METHODS = {
    "pHash 8×8 of 32×32 (in use before)": lambda g: [imagehash.phash(g)],
    "pHash 8×8 of 16×16 (coarser)": lambda g: [imagehash.phash(g, highfreq_factor=2)],
    "pHash of a fixed centre crop (90 %)": lambda g: [imagehash.phash(centre(g, 0.05))],
    "dHash 8×8": lambda g: [imagehash.dhash(g)],
    "average hash 8×8": lambda g: [imagehash.average_hash(g)],
    "ladder: whole + 2.5 % + 5 % centre crops (adopted)": lambda g: [
        imagehash.phash(g),
        imagehash.phash(centre(g, 0.025)),
        imagehash.phash(centre(g, 0.05)),
    ],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drawings", type=int, default=60)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    seeds = range(args.drawings)
    originals = [grey(drawing(seed)) for seed in seeds]
    copies = {
        "re-encoded": [grey(reencoded(drawing(seed))) for seed in seeds],
        "resized": [grey(resized(drawing(seed))) for seed in seeds],
        "recoloured": [grey(recoloured(drawing(seed))) for seed in seeds],
        **{f"crop {share:.0%}": [grey(cropped(drawing(seed), share)) for seed in seeds] for share in SHARES},
    }
    lines = [
        f"# Slight crops: hashings compared on {args.drawings} generated drawings",
        "",
        "Bits apart (of 64); a copy is caught when within 7 bits, so the first column must stay above 7",
        "and the others at 7 or less. Worst case over all drawings.",
        "",
        "| hashing | closest different drawings | " + " | ".join(copies) + " |",
        "|---|---|" + "---|" * len(copies),
    ]
    for name, hashing in METHODS.items():
        stored = [hashing(image) for image in originals]
        closest = min(a - b for i, j in itertools.combinations(seeds, 2) for a in stored[i] for b in stored[j])
        worst = [
            max(min(rung - hashing(images[seed])[0] for rung in stored[seed]) for seed in seeds)
            for images in copies.values()
        ]
        lines.append(f"| {name} | {closest} | " + " | ".join(map(str, worst)) + " |")
        print(lines[-1], flush=True)
    report = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(report)


if __name__ == "__main__":
    main()
