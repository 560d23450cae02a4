"""Each role signs in, sees its home, signs out; every page reached passes axe (no serious/critical)."""

import pytest

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("actor", "home", "heading"),
    [
        ("trainee", "/home/trainee", "Good to see you"),
        ("author", "/home/author", "Authoring"),
        ("trainer", "/home/trainer", "Your cohorts"),
        ("admin", "/admin/", "Admin"),
    ],
)
def test_sign_in_see_home_sign_out(page, world, assert_accessible, actor, home, heading):
    page.goto("/login")
    assert_accessible(page)
    sign_in(page, getattr(world, actor).email, factories.PASSWORD)
    assert page.url.endswith(home)
    assert heading in page.locator("h1").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=getattr(world, actor).name).click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.get_by_text("You are signed out").wait_for()  # the new page has loaded, not only its URL


def test_admin_pages_are_accessible_and_work_by_keyboard(page, world, assert_accessible):
    sign_in(page, world.admin.email, factories.PASSWORD)
    for path in [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{world.trainee.id}",
        "/admin/cohorts",
        "/admin/cohorts/new",
        f"/admin/cohorts/{world.cohort.id}",
        "/account/password",
        "/account/tokens",
        "/admin/tokens",
    ]:
        page.goto(path)
        assert_accessible(page)
    page.goto("/admin/users/new")
    page.get_by_label("E-mail").fill("keyboard@example.test")
    page.get_by_label("Full name").fill("Kim Keyboard")
    page.get_by_label("Trainee", exact=True).check()
    page.get_by_label("Initial password").fill("long-enough-pw")
    page.get_by_label("Initial password").press("Enter")
    page.wait_for_load_state("networkidle")
    assert "Account created for keyboard@example.test" in page.content()


def test_error_beside_field_is_announced(page, world, assert_accessible):
    sign_in(page, world.trainee.email, "wrong-password")
    error = page.locator(".error")
    assert "do not match" in error.inner_text()
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_layout_fits_a_phone(browser, live_server, world):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, world.trainee.email, factories.PASSWORD)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, "the trainee home scrolls sideways on a phone"
