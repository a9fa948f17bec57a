"""
One rule for every page at 390 px: no page of the URL walk scrolls sideways.

The hostile suite's world (`tests.hostile.world`) gives one of every object a URL
can name, and its walk of the URLconf gives every page; each page is opened at
390 × 900 as its owner (the maker for the studio, the request's shopper for the
shopper's request pages, the newcomer for the application) and as an anonymous
visitor, and `document.documentElement.scrollWidth` must not pass 390. A table
may scroll inside its own labelled region; the page itself may not.
"""

import pytest
from django.test import Client

from catalog.tests.factories import piece_with_details
from tests.hostile.world import PAGES_NOT_OPENED, build_world, url_for, url_names, visitor

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
VIEWPORT = {"width": WIDTH, "height": 900}


# The widest elements that push the page past the viewport, outermost scroll containers excepted:
# an element inside a box that clips or scrolls sideways does not widen the page.
WIDEST = """
(width) => {
  const clipped = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const overflowX = getComputedStyle(parent).overflowX;
      if (overflowX !== 'visible') return true;
    }
    return false;
  };
  const describe = (element) => {
    const rect = element.getBoundingClientRect();
    const id = element.id ? '#' + element.id : '';
    const classes = element.classList.length ? '.' + [...element.classList].join('.') : '';
    const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `${element.tagName.toLowerCase()}${id}${classes} right=${Math.round(rect.right)} «${text}»`;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(
    (element) => element.getBoundingClientRect().right > width + 0.5 && !clipped(element)
  );
  // The innermost ones first: they are the cause, their ancestors only carry it.
  const innermost = wide.filter((element) => !wide.some((other) => other !== element && element.contains(other)));
  const right = (element) => element.getBoundingClientRect().right;
  return innermost.sort((a, b) => right(b) - right(a)).slice(0, 3).map(describe);
}
"""


def _context(browser, live_server, user):
    context = browser.new_context(viewport=VIEWPORT)
    if user is not None:
        client = Client()
        client.force_login(user)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
        )
    return context


def test_no_page_scrolls_sideways_at_390_px_as_its_owner_or_a_visitor(live_server, browser):
    world = build_world()
    # Text the users typed, at its longest: a shopper known only by an address with no place to break.
    world.shopper.email = "anamariacarvalhosilvapereira@correioelectronicodafamilia.example.com"
    world.shopper.first_name = world.shopper.last_name = ""
    world.shopper.save(update_fields=["email", "first_name", "last_name"])
    second = piece_with_details(artisan=world.other_maker)

    names = [name for name in url_names() if name not in PAGES_NOT_OPENED]
    contexts = {}
    pages = {}
    overflows = []
    opened = 0
    for name in names:
        url = url_for(name, world)
        if name == "catalog:compare":
            url += f"?pieces={world.piece.slug},{second.slug}"
        for user in {visitor(name, world), None}:
            key = user.pk if user is not None else None
            if key not in pages:
                contexts[key] = _context(browser, live_server, user)
                pages[key] = contexts[key].new_page()
            page = pages[key]
            response = page.goto(live_server.url + url)
            who = user or "a visitor"
            assert response is not None and response.ok, f"{url} as {who}: {response and response.status}"
            opened += 1
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > WIDTH:
                widest = page.evaluate(WIDEST, WIDTH)
                overflows.append(f"{url} as {who}: {scroll_width} px wide; {'; '.join(widest)}")
    for context in contexts.values():
        context.close()
    assert opened >= len(names)
    assert not overflows, "Pages that scroll sideways at 390 px:\n" + "\n".join(overflows)
