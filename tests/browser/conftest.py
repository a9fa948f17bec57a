"""
Browser tests: Debian's Chromium, headless, driven by Playwright.

Never a downloaded browser: `make test` installs the `chromium` package and
these tests launch /usr/bin/chromium. axe-core is vendored beside this file.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # A page in a browser loads its photos: they are made as in production (conftest.py).
            item.add_marker(pytest.mark.renditions)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls made by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture
def no_javascript_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["desktop"])
    yield context.new_page()
    context.close()


def serious_accessibility_violations(page):
    """axe-core's serious and critical violations on the page, as readable lines."""
    # Evaluated through the DevTools protocol, which the site's strict CSP (no inline script) does not govern.
    page.evaluate(AXE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
