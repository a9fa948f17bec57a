"""
The baseline: the fastest this Django can serve a page of the listing's size
and structure (24 cards, a facet column with the same number of options, the
same header), rendered from data held in memory, with no database.
Every scenario is reported as a ratio to it, measured in the same run.
"""

import os
import random

from django.shortcuts import render

CARDS = 24
# The number of facet options the real listing shows; the bench passes it in.
OPTIONS = int(os.environ.get("BENCH_BASELINE_OPTIONS", "160"))
GROUPS = 7

_rng = random.Random(7)


def _card(n):
    return {
        "url": f"/pieces/hammered-silver-ring-{n}/",
        "slug": f"hammered-silver-ring-{n}",
        "title": f"Hammered silver ring no. {n}",
        "maker": f"Studio {_rng.choice(['Aurum', 'Lumen', 'Ferro', 'Nacre'])} {n}",
        "country": "Portugal",
        "price": f"€{_rng.randint(40, 900)}.00",
        "image": f"/media/renditions/pieces/demo-{n}/{'a' * 32}.webp",
        "image_2x": f"/media/renditions/pieces/demo-{n}/{'b' * 32}.webp",
        "alt": "A hammered sterling silver ring on a linen cloth",
        "badges": ["Handcrafted", "One of a kind", "Recycled silver"],
        "share": _rng.randint(50, 100),
    }


def _facets():
    groups = []
    per_group = OPTIONS // GROUPS
    for g in range(GROUPS):
        count = per_group + (OPTIONS % GROUPS if g == GROUPS - 1 else 0)
        options = [
            {"name": f"facet{g}", "value": f"option-{g}-{n}", "label": f"Option {n} of group {g}", "count": 100 + n}
            for n in range(count)
        ]
        groups.append({"label": f"Group {g}", "options": options})
    return groups


PAGE = {"cards": [_card(n) for n in range(CARDS)], "groups": _facets(), "total": 86442}


def baseline(request):
    return render(request, "bench/baseline.html", PAGE)
