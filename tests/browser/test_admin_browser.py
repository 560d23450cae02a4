"""An admin's day in the browser: bulk add from a file (check, then add), and moving a trainee; axe-clean."""

import pytest

from app.services import accounts
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ROSTER = "\ufeffname;email;cohort\nNia Nowak;nia@example.test;Cohort A\nOla Obi;ola@example.test;Cohort B\n"


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_checks_a_roster_then_adds_it(page, world, assert_accessible, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, world.admin.email, factories.PASSWORD)
    page.goto("/admin/users")
    page.get_by_role("link", name="Add people from a file").click()
    assert_accessible(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,cohort\nNia Nowak,nia-at-example,Cohort A\n", encoding="utf-8")
    page.get_by_label("Roster file (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    assert "1 of 1 rows need fixing" in page.locator("h2#report-h").inner_text()
    assert page.get_by_role("alert").inner_text().startswith("Nobody has been added")
    assert page.get_by_role("button", name="Add these people").count() == 0
    assert_accessible(page)

    good = tmp_path / "good.csv"
    good.write_bytes(ROSTER.encode("utf-8"))
    page.get_by_label("Roster file (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    assert "Ready to add 2 people" in page.locator("h2#report-h").inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Add these people").click()
        page.wait_for_load_state()
    assert "Added 2 people" in page.content()
    assert accounts.find_user("nia@example.test") is not None


def test_admin_moves_a_trainee_by_keyboard(page, world, assert_accessible):
    sign_in(page, world.admin.email, factories.PASSWORD)
    page.goto(f"/admin/users/{world.trainee.id}")
    assert_accessible(page)
    page.get_by_label("Move to cohort").select_option(label="Cohort B")
    page.get_by_label("Move to cohort").press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Tess Trainee is now in Cohort B (left Cohort A)." in page.content()
    assert_accessible(page)
