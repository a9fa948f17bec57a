"""The hypothesis strategies of the hostile suite: values a browser would never send, and sometimes would."""

import os

from hypothesis import settings
from hypothesis import strategies as st

from .world import NASTY_VALUES

# Reproducible in CI; every property test of the suite runs under this profile.
settings.register_profile("hostile", derandomize=True, deadline=None, database=None, print_blob=True)
settings.load_profile("hostile")

# The example counts keep the suite within minutes; HOSTILE_SCALE=10 runs ten times as many (a deeper, nightly run).
SCALE = int(os.environ.get("HOSTILE_SCALE", "1"))

# Text a form can carry: any character but lone surrogates, which no browser can encode.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def values(real=()):
    """One submitted value: a real one (so that deep code paths run), a nasty one, or arbitrary text or number."""
    choices = [st.sampled_from(NASTY_VALUES), any_text, st.integers().map(str), st.floats().map(str)]
    if real:
        choices.insert(0, st.sampled_from(sorted(real)))
    return st.one_of(choices)


def submitted(real=()):
    """A parameter as the server receives it: one value, or the same name repeated."""
    return st.one_of(values(real), st.lists(values(real), min_size=2, max_size=3))


def query_params(names, real=()):
    """A query string's parameters, mostly ones the views read, sometimes unknown ones."""
    keys = st.one_of(st.sampled_from(sorted(names)), any_text.filter(bool)) if names else any_text.filter(bool)
    return st.dictionaries(keys, submitted(real), max_size=5)


class Tally:
    """Cases tried and errors met by one property test, for the suite's summary."""

    def __init__(self, record):
        self.record = record
        self.cases = 0
        self.errors = 0

    def __enter__(self):
        return self

    def case(self):
        self.cases += 1

    def error(self):
        self.errors += 1

    def __exit__(self, *exc_info):
        self.record("cases tried", self.cases)
        self.record("errors", self.errors)
        return False
