"""Every page of the app, at a desk's width and a phone's, in Chromium: axe finds nothing serious or
critical, and nothing pushes the page wider than the screen (wide tables scroll inside their own box).

The pages are the GET routes of the route x role table (tests/web/access_table.py) that some signed-in
role opens with 200, each opened by the first role that may, with the table's records in the URLs: a new
page joins this test when it joins the table."""

from __future__ import annotations

import pytest
from flask import url_for

from tests import factories
from tests.browser.conftest import sign_in
from tests.web.access_table import ROUTES, params, records

pytestmark = pytest.mark.browser

ROLES = ("trainee", "author", "trainer", "admin")
NOT_PAGES = {"health.healthz", "trainer.export", "readiness.export"}  # JSON and CSV, not pages


def _pages(app, world) -> dict[str, list[str]]:
    """URLs per role, each page once, opened by the first role the table gives a 200."""
    arguments = params(world, records(world))
    by_role: dict[str, list[str]] = {role: [] for role in ROLES}
    for (method, endpoint), expected in ROUTES.items():
        if method != "GET" or endpoint.startswith("api.") or endpoint in NOT_PAGES:
            continue
        role = next((r for r in ROLES if expected[r] == 200), None)
        if role is not None:
            with app.test_request_context():
                by_role[role].append(url_for(endpoint, **arguments.get(endpoint, {})))
    return by_role


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe_and_fits_the_screen(
    browser, live_server, app, world, bank, assert_accessible, width
):
    wrong = []
    for role, urls in _pages(app, world).items():
        assert urls, f"no page for {role}: the table changed shape"
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, getattr(world, role).email, factories.PASSWORD)
        for url in urls:
            response = page.goto(url)
            if response is None or response.status != 200:
                wrong.append(f"{role} {url}: {response.status if response else 'no response'}")
                continue
            if "html" not in (response.headers.get("content-type") or ""):
                continue
            try:
                assert_accessible(page)
            except AssertionError as error:
                wrong.append(f"{role} {url}: {error}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                wrong.append(f"{role} {url}: the page is {overflow}px wider than the {width}px screen")
        context.close()
    assert not wrong, f"at {width}px:\n" + "\n".join(wrong)
