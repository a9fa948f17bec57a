"""
Weighted picks: how the demo's piece planner chooses, and the shorthand for the
three production methods that its tables are keyed by.

The planner's tables of relative shares are `Shares` (or, keyed by method or
maker, `prepared` dicts of them) and `weighted` picks from them; the method
shorthand keys those tables and the per-method odds written inline. This is
the bottom of the planner: it imports none of the demo's modules.
"""

import bisect
import itertools

from catalog.choices import ProductionMethod

HANDCRAFTED = ProductionMethod.HANDCRAFTED
HAND_FINISHED = ProductionMethod.HAND_FINISHED
MASS_PRODUCED = ProductionMethod.MASS_PRODUCED


class Shares:
    """Relative weights prepared once, since the generator picks from them about ten times per piece."""

    def __init__(self, shares):
        self.keys = list(shares)
        self.cumulative = list(itertools.accumulate(shares.values()))

    def pick(self, rng):
        # What rng.choices does, without rebuilding the cumulative weights on every call.
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def prepared(table):
    return {key: Shares(shares) for key, shares in table.items()}


def weighted(rng, shares):
    """One key of `shares`, with probability proportional to its value."""
    if not isinstance(shares, Shares):
        shares = Shares(shares)
    return shares.pick(rng)
