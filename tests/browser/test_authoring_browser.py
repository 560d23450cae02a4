"""An author writes a small scenario in the browser editor, follows a lint message to its line, fixes
it and submits it; a trainer publishes it; a trainee finds it. Every editor page passes axe."""

import pytest

from tests import factories
from tests.browser.conftest import sign_in
from tests.web.test_authoring import GIFT, SCENARIO

pytestmark = pytest.mark.browser

BROKEN = SCENARIO.replace("-> end-good", "-> end-goood")
BROKEN_LINE = BROKEN.splitlines().index("- Ship line 1 now, backorder line 2 -> end-goood") + 1


def _caret_line(page) -> int:
    return page.locator("#text").evaluate("t => t.value.slice(0, t.selectionStart).split('\\n').length")


def _new_page(browser, live_server, email):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, email, factories.PASSWORD)
    return context, page, errors


def test_write_a_scenario_fix_a_lint_error_submit_and_a_trainer_publishes_it(
    browser, live_server, world, assert_accessible
):
    context, page, errors = _new_page(browser, live_server, world.author.email)
    page.goto("/authoring")  # the README's address: the author's home
    assert_accessible(page)
    page.get_by_role("link", name="Edit a published item").click()
    assert "Published questions and scenarios" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.goto("/home/author")
    page.get_by_role("link", name="New draft").click()
    assert_accessible(page)
    page.get_by_label("Scenario: one branching exception case").check()
    page.get_by_label("Title").fill("Short line")
    page.get_by_role("button", name="Create the draft").click()
    assert "Edit: Short line" in page.locator("h1").inner_text()
    wrap = page.get_by_label("Wrap long lines")  # editor.js is running (it adds the switch once loaded)
    assert wrap.is_checked()  # soft wrap by default: no line numbers, which could not follow wrapped lines
    assert not page.locator(".editor-gutter").is_visible()
    assert_accessible(page)
    wrap.uncheck()
    page.locator(".editor-gutter").wait_for()
    assert page.locator(".editor-gutter").count() == 1

    editor = page.locator("#text")
    editor.fill(BROKEN)
    problem = page.locator("#problems a", has_text=f"Line {BROKEN_LINE}")
    problem.wait_for()
    assert "end-goood" in page.locator("#problems").inner_text()
    assert "no such node" in page.locator("#map").inner_text()
    problem.click()
    assert _caret_line(page) == BROKEN_LINE
    assert page.evaluate("document.activeElement.id") == "text"
    assert_accessible(page)

    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert editor.input_value().splitlines()[BROKEN_LINE - 1].startswith("  - Ship line 1")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # Esc, then Tab: focus leaves the editor
    assert page.evaluate("document.activeElement.id") != "text"

    editor.fill(SCENARIO)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.evaluate("location.reload()")  # unsaved changes: the browser asks before leaving
    assert dialogs == ["beforeunload"]
    page.locator("#problems-status", has_text="No problems found.").wait_for()
    assert "★1" in page.locator("#map").inner_text()
    editor.focus()
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert "Saved." in page.locator(".flashes").inner_text()
    assert page.locator("#text").input_value() == SCENARIO
    page.get_by_role("button", name="Save and submit for review").click()
    assert "sent for review" in page.locator(".flashes").inner_text()
    assert "in review" in page.locator("main .meta").first.inner_text()
    assert_accessible(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()

    context, page, errors = _new_page(browser, live_server, world.trainer.email)
    page.goto("/authoring/reviews")
    assert_accessible(page)
    page.get_by_role("link", name="Short line").click()
    page.wait_for_load_state()
    assert "Your review" in page.content()
    assert_accessible(page)
    page.get_by_label("Comment (optional)").fill("Clear, and the critical error is realistic.")
    page.get_by_role("button", name="Approve and publish").click()
    assert "Revision 1: Short line" in page.locator("h1").inner_text()
    assert "Published as revision 1" in page.locator(".flashes").inner_text()
    assert_accessible(page)
    context.close()

    context, page, _ = _new_page(browser, live_server, world.trainee.email)
    page.goto("/scenarios/")
    assert "Short line before the weekend" in page.content()
    context.close()


def test_import_a_gift_file_then_edit_the_question_draft(page, world, assert_accessible, tmp_path):
    gift = tmp_path / "credit.gift"
    gift.write_text(GIFT, encoding="utf-8")
    sign_in(page, world.author.email, factories.PASSWORD)
    page.goto("/authoring/import")
    assert_accessible(page)
    page.get_by_label("GIFT or Moodle XML file").set_input_files(str(gift))
    page.get_by_role("button", name="Import as a draft").click()
    assert "1 imported, 0 partial, 1 skipped" in page.locator(".flashes").inner_text()
    assert "essay questions are marked by hand" in page.locator("#comments").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Edit").click()
    page.locator("#problems-status", has_text="No problems found.").wait_for()
    assert "Send credit the exposure" in page.locator("#preview").inner_text()
    assert_accessible(page)


def test_an_author_edits_a_shipped_question_and_a_trainer_publishes_the_new_key_with_a_regrade(
    browser, live_server, world, bank, assert_accessible
):
    context, page, errors = _new_page(browser, live_server, world.author.email)
    page.goto("/authoring/bank?q=fx-credit-release")
    assert_accessible(page)
    page.get_by_role("button", name="Edit question fx-credit-release in workspace").click()
    assert "under its own id" in page.locator(".flashes").inner_text()
    page.locator("#problems-status", has_text="No problems found.").wait_for()
    editor = page.locator("#text")
    rekeyed = (
        editor.input_value()
        .replace("- [ ] The order desk", "- [x] The order desk")
        .replace("- [x] Credit, after", "- [ ] Credit, after")
    )
    editor.fill(rekeyed)
    page.locator("#problems-status", has_text="1 warning").wait_for()
    assert "regrade or void" in page.locator("#problems").inner_text()
    page.get_by_role("button", name="Save and submit for review").click()
    assert "sent for review" in page.locator(".flashes").inner_text()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()

    context, page, _ = _new_page(browser, live_server, world.trainer.email)
    page.goto("/authoring/reviews")
    page.get_by_role("link", name="fx-credit-release").click()
    page.wait_for_load_state()
    assert "The correct answer changes" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Approve and publish").click()
    assert "say why" in page.locator(".key-change").inner_text()
    assert_accessible(page)
    page.get_by_label("Why does the correct answer change?").fill(
        "The desk may now release strategic accounts."
    )
    page.get_by_label("Regrade them with the new key").check()
    page.get_by_role("button", name="Approve and publish").click()
    assert "1 new versions" in page.locator(".flashes").inner_text()
    context.close()
