"""The hostile-world suite (`make test-hostile`): fuzzing, hostile uploads, injection, load and faults.

Its tests are marked `hostile` and left out of the ordinary runs (see `addopts` in pyproject.toml).
Each test records the figures it measured with the `hostile_figures` fixture; one summary of them
all is printed at the end of the run, so that a closing note can quote it. Run it without xdist:
the figures are gathered in the process that prints them.
"""

import pytest

_FIGURES: list[tuple[str, str, object]] = []


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/hostile/" in item.nodeid:
            item.add_marker(pytest.mark.hostile)


@pytest.fixture
def hostile_figures(request):
    """`hostile_figures("requests", 1200)` records one figure under the current test's name."""

    def record(name: str, value: object) -> None:
        _FIGURES.append((request.node.name, name, value))

    return record


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.section("hostile-world summary")
    width = max(len(f"{test} · {name}") for test, name, _ in _FIGURES)
    for test, name, value in _FIGURES:
        terminalreporter.write_line(f"{f'{test} · {name}':<{width}}  {value}")
