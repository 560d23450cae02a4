"""A trainee answers a matching item and a short answer in study, then in an exam that saves as they go."""

import shutil
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Answer
from app.services import content_sync
from tests import factories
from tests.browser.conftest import sign_in
from tests.content_fixtures import FIXTURES, fixture_roots

pytestmark = pytest.mark.browser


@pytest.fixture
def new_types(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    for old in (content / "questions").iterdir():
        old.unlink()
    shutil.copy(FIXTURES / "question_types" / "matching_and_short.md", content / "questions" / "new.md")
    content_sync.sync([content / "questions"], fixture_roots(content, tmp_path / "s"), datetime.now(UTC))
    db.session.commit()


def _study(page, domain_label: str) -> None:
    page.goto("/practice/")
    page.get_by_label(domain_label).check()
    page.get_by_role("button", name="Start studying").click()


def test_match_prompts_and_type_a_short_answer_in_study(page, world, new_types, assert_accessible):
    sign_in(page, world.trainee.email, factories.PASSWORD)
    _study(page, "D3 Fulfillment execution")
    assert_accessible(page)
    page.get_by_label("EXW").select_option(label="the buyer")
    page.get_by_label("FCA").select_option(label="the buyer, from the named place")
    page.get_by_label("DDP").select_option(label="the freight forwarder, always")
    page.get_by_label("Fairly sure").check()
    page.get_by_role("button", name="Check answer").click()
    feedback = page.locator("#feedback")
    feedback.wait_for()
    assert "Partly right (67% credit)" in feedback.inner_text()
    assert_accessible(page)

    _study(page, "D2 Order capture and validation")
    page.get_by_label("Your answer").fill("  cash in ADVANCE")
    page.get_by_label("Certain").check()
    page.get_by_role("button", name="Check answer").click()
    page.locator("#feedback").wait_for()
    assert "Right" in page.locator("#verdict").inner_text()
    assert_accessible(page)


def test_an_exam_saves_selects_and_typed_answers_as_they_change(page, world, new_types, assert_accessible):
    sign_in(page, world.trainee.email, factories.PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start the exam").click()
    for position in range(2):
        assert_accessible(page)
        if page.locator("select[name=chosen]").count():
            page.get_by_label("EXW").select_option(label="the buyer")
        else:
            page.get_by_label("Your answer").fill("CIA")
            page.get_by_label("Your answer").press("Tab")
        page.locator("#save-status").get_by_text("Saved.").wait_for()
        if position == 0:
            page.get_by_role("button", name="Save, next").click()
            page.wait_for_url("**/items/1")
    page.get_by_role("button", name="Review and submit…").click()
    page.get_by_role("button", name="Submit").last.click()
    page.wait_for_url("**/results")
    credits = sorted(round(a.credit, 2) for a in db.session.query(Answer).all())
    assert credits == [0.33, 1.0]
