"""A trainer opens the dashboard, drills into a trainee, grades a write-up; the readiness report passes axe."""

import pytest

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _trainee_writes_a_note(browser, live_server, world):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/scenarios/")
    page.get_by_role("button", name="Start: Ship what is in stock?").click()
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    page.get_by_label("Your note").fill("SO-9001 line 1 today; line 2 Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    page.wait_for_load_state("networkidle")
    context.close()


def test_trainer_dashboard_drill_down_and_grading(browser, live_server, page, world, bank, assert_accessible):
    _trainee_writes_a_note(browser, live_server, world)
    sign_in(page, world.trainer.email, factories.PASSWORD)
    page.get_by_role("link", name="Open the dashboard").click()
    assert world.cohort.name in page.locator("h1").inner_text()
    assert_accessible(page)
    page.locator("table.dashboard").get_by_role("link", name=world.trainee.name).click()
    assert world.trainee.name in page.locator("h1").inner_text()
    assert "Ship what is in stock?" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Readiness report and sign-off").click()
    assert "Readiness for the senior desk" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Grading").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Ship what is in stock?: note").click()
    page.wait_for_load_state()
    assert "SO-9001 line 1 today" in page.content()
    assert_accessible(page)
    page.get_by_label("Criterion 1 (0-2)").fill("2")
    page.get_by_label("Criterion 2 (0-1)").fill("1")
    page.get_by_label("Comment for the trainee").fill("Clear and complete.")
    page.get_by_role("button", name="Save the grade").click()
    page.wait_for_load_state()
    assert "Grade saved" in page.content()


def test_trainee_reads_own_readiness_report(page, world, bank, assert_accessible):
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.get_by_role("link", name="Readiness", exact=True).click()
    page.wait_for_load_state()
    assert "Not enough evidence" in page.content()
    assert "Every criterion of the promotion policy" in page.content()
    assert_accessible(page)
