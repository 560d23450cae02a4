"""The scenario case file at the two widths people use: at 1280 px every table of the widest shipped case
file (ten columns of open orders) fits its column; at 390 px the card scrolls, the page does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.services import content_sync
from tests import factories
from tests.browser.conftest import sign_in
from tests.content_fixtures import ROOT, fixture_roots

pytestmark = pytest.mark.browser

WIDEST = ROOT / "scenarios" / "drop-ship-supplier-capacity-risk.md"
OVERFLOW = """() => [...document.querySelectorAll('.case-card .scroll-x')]
    .map(r => [r.getAttribute('aria-label'), r.scrollWidth - r.clientWidth]).filter(([, over]) => over > 0)"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_case_file_tables_fit_at_1280_and_scroll_in_their_card_at_390(
    browser, live_server, world, assert_accessible, width
):
    content_sync.sync([WIDEST], fixture_roots(ROOT / "content", ROOT / "scenarios"), datetime.now(UTC))
    db.session.commit()
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/scenarios/")
    page.locator("form[action*='drop-ship-supplier-capacity-risk'] button").click()
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('details.case-card').forEach(d => d.open = true)")
    cut = page.evaluate(OVERFLOW)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 1280:
        assert cut == [], cut
    else:
        assert any("Open drop-ship orders" in label for label, _ in cut), cut  # it scrolls, in its card
        assert page.locator(".case-card .scroll-x").first.get_attribute("tabindex") == "0"
    assert_accessible(page)
    context.close()
