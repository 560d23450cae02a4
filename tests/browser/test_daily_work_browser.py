"""Each role's whole working day in Chromium, one test per role, asserting what the person sees at each
step: the trainee (issue 13's loop from home to a sign-off request), the trainer (a promotion round's
decisions), the author (a draft from first line to review, play-tested on the way) and the admin (people
in, roles, cohorts, out)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Role, TraineeReadiness
from app.services import readiness
from tests import factories
from tests.browser.conftest import sign_in
from tests.content_fixtures import FIXTURES
from tests.web.test_playtest import SCENARIO

pytestmark = pytest.mark.browser


def _person(browser, live_server, email: str, width: int = 1280):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, email, factories.PASSWORD)
    return page


def _flash(page) -> str:
    return page.locator(".flashes").inner_text()


def _answer_until_the_summary(page) -> int:
    """Answer each question as "not sure" (so it comes back for review) until the session summary."""
    answered = 0
    # the click that opened the session may still be navigating: keys pressed before the item page has loaded
    # (and its keyboard script with it) are lost
    page.wait_for_url(re.compile(r"/(items/\d+|summary)$"))
    page.wait_for_load_state()
    while "/summary" not in page.url:
        assert "question" in page.locator(".crumbs").inner_text()
        if page.locator("input[name=value]").count():
            page.locator("input[name=value]").fill("90")
            page.locator("input[name=value]").press("Escape")
            page.locator("body").click()
        else:
            page.keyboard.press("1")
        page.keyboard.press("l")
        page.keyboard.press("Enter")
        assert "Explanation" in page.locator("#feedback").inner_text()
        # the feedback page's script moves focus to "Next question" once loaded: Enter before that is lost
        page.wait_for_load_state()
        page.wait_for_function("document.activeElement && document.activeElement.id === 'next'")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # focus is on "Next question" (or the summary)
        answered += 1
    assert "Session summary" in page.locator("h1").inner_text()
    return answered


def test_a_trainees_day(browser, live_server, world, bank, monkeypatch):
    readiness.assess_trainee(world.trainee, str(FIXTURES / "content"), clock.now())  # as every night
    db.session.commit()
    page = _person(browser, live_server, world.trainee.email)
    assert "Good to see you, Tess" in page.locator("h1").inner_text()
    step = page.locator(".next-step")
    assert "Your next step:" in step.inner_text()
    step.get_by_role("link").click()  # the work it names, already chosen
    assert "Practice questions" in page.locator("h1").inner_text()
    assert page.locator("input[name=domains]:checked").count() >= 1
    page.get_by_role("button", name="Start studying").click()
    studied = _answer_until_the_summary(page)
    assert studied >= 1 and f"of {studied} right" in page.locator("main").inner_text()

    later = clock.now() + timedelta(days=2)  # the unsure answers are due again
    monkeypatch.setattr(clock, "now", lambda: later)
    page.goto("/home/trainee")
    assert "to review today" in page.locator("#due-h + p").inner_text()
    page.get_by_role("button", name="Review them").click()
    assert "review" in page.locator(".crumbs").inner_text().lower()
    assert _answer_until_the_summary(page) >= 1

    page.goto("/scenarios/")
    page.get_by_role("button", name="Start: Ship what is in stock?").click()
    assert "Line 2 is short" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    page.get_by_label("Your note").fill("SO-9001 line 1 ships today; line 2 follows on Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    assert "Debrief: Ship what is in stock?" in page.locator("h1").inner_text()
    assert "Score by dimension" in page.content() and "waits for your trainer" in page.content()

    page.get_by_role("link", name="Readiness", exact=True).click()
    assert "Readiness for the senior desk" in page.locator("h1").inner_text()
    assert "Every criterion of the promotion policy" in page.content()
    assert "Not enough evidence" in page.content()  # six fixture questions cannot make anyone Ready

    # A Ready verdict needs a bank of hundreds of items; stored here as the mail tests store it.
    db.session.get(TraineeReadiness, world.trainee.id).verdict = "ready"
    db.session.commit()
    page.goto("/home/trainee")
    page.get_by_role("button", name="Ask for sign-off").click()
    assert "Sign-off requested" in _flash(page)
    assert "You asked for a sign-off" in page.content()
    page.context.close()


def _trainee_writes_a_note(browser, live_server, world) -> None:
    page = _person(browser, live_server, world.trainee.email)
    page.goto("/scenarios/")
    page.get_by_role("button", name="Start: Ship what is in stock?").click()
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    page.get_by_label("Your note").fill("SO-9001 line 1 today; line 2 Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    page.wait_for_load_state("networkidle")
    page.context.close()


def test_a_trainers_day(browser, live_server, world, bank):
    quiet = factories.user(Role.TRAINEE, email="quiet@example.test", name="Quinn Quiet")
    world.cohort.trainees.append(quiet)
    db.session.commit()
    _trainee_writes_a_note(browser, live_server, world)

    page = _person(browser, live_server, world.trainer.email)
    page.get_by_role("link", name="Open the dashboard").click()
    assert world.cohort.name in page.locator("h1").inner_text()
    dashboard = page.locator("table.dashboard").inner_text()
    assert world.trainee.name in dashboard and quiet.name in dashboard
    page.locator("table.dashboard").get_by_role("link", name=world.trainee.name).click()
    assert world.trainee.name in page.locator("h1").inner_text()
    assert "Ship what is in stock?" in page.content()  # the run is on the drill-down

    page.get_by_role("link", name="Grading").first.click()
    page.get_by_role("link", name="Ship what is in stock?: note").click()
    assert "SO-9001 line 1 today" in page.content()
    page.get_by_label("Criterion 1 (0-2)").fill("2")
    page.get_by_label("Criterion 2 (0-1)").fill("1")
    page.get_by_label("Comment for the trainee").fill("Clear and complete.")
    page.get_by_role("button", name="Save the grade").click()
    assert "Grade saved" in page.content()

    page.goto(f"/trainer/cohorts/{world.cohort.id}")
    flag = page.locator("ul.interventions li", has_text=quiet.name)
    assert "Never practised" in flag.inner_text()
    flag.locator("summary", has_text="Mark handled").click()
    flag.get_by_label("What did you do?").fill("Called Quinn: starts Monday.")
    flag.get_by_role("button", name="Mark handled").click()
    assert page.locator("ul.interventions li", has_text=quiet.name).count() == 0  # it left the queue
    page.get_by_text("Handled recently (1)").click()
    assert "Called Quinn: starts Monday." in page.content()

    page.locator("table.dashboard").get_by_role("link", name=world.trainee.name).click()
    page.get_by_role("link", name="Readiness report and sign-off").click()
    page.get_by_label("Not yet").check()
    page.get_by_label("Comment (what you saw, what the panel should know)").fill(
        "One scenario so far; needs the metrics questions."
    )
    page.get_by_role("button", name="Record the sign-off").click()
    assert "Sign-off recorded" in _flash(page)
    assert "Not yet</strong> by Tom Trainer" in page.content()
    page.context.close()


def test_an_authors_day(browser, live_server, world, assert_accessible):
    reviewer = factories.user(Role.AUTHOR, email="rita@example.test", name="Rita Reviewer")
    db.session.commit()
    page = _person(browser, live_server, world.author.email)
    page.goto("/authoring")
    page.get_by_role("link", name="New draft").click()
    page.get_by_label("Scenario: one branching exception case").check()
    page.get_by_label("Title").fill("Split shipment")
    page.get_by_role("button", name="Create the draft").click()
    assert "Edit: Split shipment" in page.locator("h1").inner_text()
    page.locator("#text").fill(SCENARIO)
    page.locator("#problems-status", has_text="No problems found.").wait_for()
    assert "Line 2 is short" in page.locator("#preview").inner_text()  # the preview follows the text
    page.get_by_role("button", name="Save", exact=True).click()
    assert "Saved." in _flash(page)

    page.get_by_role("link", name="Play-test the saved text").click()
    assert "Nothing is recorded" in page.locator(".playtest-notice").inner_text()
    assert "Order SO-9001" in page.locator("aside").inner_text()  # the case file, as a trainee sees it
    assert_accessible(page)
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    page.reload()  # the play-test survives a reload
    assert "Note to the warehouse" in page.locator("h1").inner_text()
    page.get_by_label("Your note").fill("SO-9001 line 1 ships; line 2 Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    assert "Debrief: Ship what is in stock?" in page.locator("h1").inner_text()
    assert "Score by dimension" in page.content() and "SO-9001 line 1 ships" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the draft").first.click()
    page.get_by_role("button", name="Submit for review").click()
    assert "Sent for review" in _flash(page)
    page.context.close()

    page = _person(browser, live_server, reviewer.email)
    page.goto("/authoring/reviews")
    page.get_by_role("link", name="Split shipment").click()
    assert "Your review" in page.content()
    page.get_by_role("link", name="Play-test as a trainee").click()  # the reviewer plays it too
    page.get_by_role("button", name="Hold everything until Friday").click()
    assert "not passed" in page.locator(".debrief-head").inner_text()
    page.get_by_role("link", name="Back to the draft").first.click()
    page.get_by_label("What should the author change?").fill(
        "Holding should cost the customer more: csat - 30."
    )
    page.get_by_role("button", name="Return to the author").click()
    assert "Returned to Ann Author" in _flash(page)
    page.context.close()

    page = _person(browser, live_server, world.author.email)
    page.goto("/home/author")
    page.get_by_role("link", name="Split shipment").click()
    assert "returned" in page.locator("main .meta").first.inner_text()
    assert "Holding should cost the customer more" in page.content()
    page.context.close()


def test_an_admins_day(browser, live_server, world, tmp_path):
    page = _person(browser, live_server, world.admin.email)
    page.goto("/admin/users")
    page.get_by_role("link", name="Add people from a file").click()
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email,cohort\nNia Nowak,nia@example.test,Cohort A\n", encoding="utf-8")
    page.get_by_label("Roster file (CSV)").set_input_files(str(roster))
    page.get_by_role("button", name="Check the file").click()
    assert "Ready to add 1 person" in page.locator("h2#report-h").inner_text()
    page.get_by_role("button", name="Add these people").click()
    assert "Added 1" in page.content()

    page.goto("/admin/users")
    page.get_by_role("link", name="Nia Nowak").click()
    assert "Trainee in: Cohort A" in page.locator("main").inner_text()
    page.get_by_label("Author").check()
    page.get_by_role("button", name="Save").click()
    assert "Saved nia@example.test." in _flash(page)
    assert page.get_by_label("Author").is_checked()

    page.get_by_label("Move to cohort").select_option(label="Cohort B")
    page.locator("#move-submit").click()
    assert "Nia Nowak is now in Cohort B (left Cohort A)." in _flash(page)
    assert "Trainee in: Cohort B" in page.locator("main").inner_text()

    page.get_by_label("Active (may sign in)").uncheck()
    page.get_by_role("button", name="Save").click()
    assert "Saved nia@example.test." in _flash(page)
    assert not page.get_by_label("Active (may sign in)").is_checked()
    page.goto("/admin/users")
    row = page.locator("tr", has_text="Nia Nowak").inner_text()
    assert "inactive" in row and "author" in row.lower()
    page.context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_play_test_pages_fit_and_pass_axe_at_both_widths(
    browser, live_server, world, assert_accessible, width
):
    page = _person(browser, live_server, world.author.email, width)
    page.goto("/authoring/drafts/new")
    page.get_by_label("Scenario: one branching exception case").check()
    page.get_by_label("Title").fill("Split shipment")
    page.get_by_role("button", name="Create the draft").click()
    page.locator("#text").fill(SCENARIO.replace("-> end-late", "-> end-latte"))
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Play-test the saved text").click()
    assert "This draft cannot be played yet" in page.locator("h1").inner_text()
    assert "end-latte" in page.locator("ol.playtest-errors").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Edit the draft").click()
    page.locator("#text").fill(SCENARIO)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Play-test the saved text").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the decision page fits
    assert_accessible(page)
    page.get_by_role("button", name="Ship line 1 now and backorder line 2").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the write-up page fits
    assert_accessible(page)
    page.get_by_label("Your note").fill("SO-9001 line 1 ships; line 2 Friday.")
    page.get_by_role("button", name="Send the note and continue").click()
    assert "Debrief" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    page.context.close()
