"""A trainee answers three questions by keyboard, sits a short exam across a closed page, plays a scenario."""

import pytest

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_answer_three_items_with_the_keyboard_and_read_feedback(page, world, bank, assert_accessible):
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/practice/")
    assert_accessible(page)
    page.get_by_label("D2 Order capture and validation").check()
    page.get_by_label("D7 Metrics and improvement").check()
    page.get_by_role("button", name="Start studying").click()
    for n in range(3):
        assert f"question {n + 1} of" in page.locator(".crumbs").inner_text()
        assert_accessible(page)
        if page.locator("input[name=value]").count():
            page.locator("input[name=value]").fill("90")
            page.locator("input[name=value]").press("Escape")
            page.locator("body").click()
        else:
            page.keyboard.press("1")
        page.keyboard.press("m")
        page.keyboard.press("Enter")
        feedback = page.locator("#feedback")
        feedback.wait_for()
        assert "Explanation" in feedback.inner_text()
        assert_accessible(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")  # focus is on "Next question"


def test_start_an_exam_close_the_page_resume_and_submit(browser, live_server, world, bank, assert_accessible):
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/exams/")
    assert_accessible(page)
    page.get_by_role("button", name="Start the exam").click()
    assert "item 1 of 6" in page.locator("h1").inner_text()
    assert_accessible(page)
    if page.locator("input[name=value]").count():
        page.locator("input[name=value]").fill("90")
    else:
        page.locator("input[name=chosen]").first.check()
    page.get_by_label("Flag this item").check()
    page.get_by_role("button", name="Save, next").click()
    exam_url = page.url.rsplit("/items/", 1)[0]
    page.close()  # the trainee closes the page; the clock keeps running on the server

    page = context.new_page()
    page.goto(exam_url)
    assert "item 2 of 6" in page.locator("h1").inner_text()
    assert "Item 1, answered, flagged" in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit the exam").click()
    page.wait_for_load_state("networkidle")
    assert "Exam result" in page.locator("h1").inner_text()
    assert "By domain" in page.content() and "too few to mean much" in page.content()
    assert_accessible(page)
    context.close()


def test_play_a_scenario_to_an_ending_and_read_the_debrief(page, world, bank, assert_accessible):
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/scenarios/")
    assert_accessible(page)
    page.get_by_role("button", name="Start: Ship what is in stock?").click()
    assert "Line 2 is short" in page.locator("h1").inner_text()
    page.get_by_text("Order SO-9001").click()  # the case-file card
    assert_accessible(page)
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    page.get_by_label("Your note").fill("SO-9001: line 1 ships today; line 2 follows Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    page.wait_for_load_state("networkidle")
    assert "Debrief" in page.locator("h1").inner_text()
    assert "100 / 100" in page.content() and "passed" in page.content()
    assert "What a senior would have done" in page.content()
    assert_accessible(page)
