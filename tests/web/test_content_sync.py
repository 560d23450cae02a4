"""flask content check / sync: every problem reported, all-or-nothing, idempotent, versioned by hash."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.domain.problems import ContentError
from app.extensions import db
from app.models import Answer, Question, QuestionVersion
from app.services import content_sync
from tests.content_fixtures import FIXTURES, fixture_roots

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def content_copy(tmp_path):
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    (tmp_path / "scenarios").mkdir()
    return fixture_roots(tmp_path / "content", tmp_path / "scenarios")


def _sync(roots):
    report = content_sync.sync([roots.content, roots.scenarios], roots, NOW)
    db.session.commit()
    return report


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_sync_then_unchanged_sync_changes_nothing(app, content_copy):
    first = _sync(content_copy)
    assert first.questions_added == 6 and first.question_versions_added == 6
    again = _sync(content_copy)
    assert again.questions_unchanged == 6 and again.question_versions_added == 0
    assert _count(QuestionVersion) == 6


def test_markdown_is_rendered_and_sanitised_once_at_sync(app, content_copy):
    _sync(content_copy)
    version = db.session.scalar(
        select(QuestionVersion)
        .where(QuestionVersion.source_line > 0)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Question.slug == "fx-line-fill-rate")
    )
    assert "<table>" in version.stem_html and "<td>SO-1</td>" in version.stem_html
    assert version.answer == 90 and version.tolerance == 0.1


def test_any_error_and_nothing_changes(app, content_copy):
    _sync(content_copy)
    questions = content_copy.content / "questions" / "sample.md"
    text = questions.read_text().replace("Who releases a credit hold", "Who releases a credit hold NOW")
    questions.write_text(text)
    bad = content_copy.content / "questions" / "broken.md"
    bad.write_text("---\ndomain: D11\n---\n\n## Q {#fx-broken}\ndifficulty: 9 · cognitive: application\n")
    with pytest.raises(ContentError) as error:
        content_sync.sync([content_copy.content], content_copy, NOW)
    db.session.rollback()
    messages = [str(p) for p in error.value.problems]
    assert any(m.startswith(f"{content_copy.display(bad)}:2:") and "D11" in m for m in messages)
    assert _count(QuestionVersion) == 6  # the valid edit in sample.md was not applied either


def test_edit_makes_a_new_version_and_answers_stay_pinned(app, content_copy, world):
    _sync(content_copy)
    question = db.session.scalar(select(Question).where(Question.slug == "fx-credit-release"))
    old_version = question.current_version_id
    db.session.add(
        Answer(
            user_id=world.trainee.id,
            question_id=question.id,
            question_version_id=old_version,
            domain="D2",
            mode="study",
            chosen=["B"],
            correct=True,
            credit=1.0,
            submission_key="k1",
        )
    )
    db.session.commit()
    path = content_copy.content / "questions" / "sample.md"
    path.write_text(
        path.read_text().replace(
            "Credit holds are released by credit.", "Credit holds are released by credit, never by the desk."
        )
    )
    report = _sync(content_copy)
    db.session.refresh(question)
    assert report.question_versions_added == 1 and question.current_version_id != old_version
    assert db.session.get(QuestionVersion, question.current_version_id).number == 2
    assert db.session.scalar(select(Answer.question_version_id)) == old_version


def test_removed_question_is_retired_not_deleted_and_comes_back(app, content_copy):
    _sync(content_copy)
    path = content_copy.content / "questions" / "sample.md"
    original = path.read_text()
    start = original.index("## The warehouse shipped 2 cartons short.")
    path.write_text(original[:start])
    report = _sync(content_copy)
    retired = db.session.scalar(select(Question).where(Question.slug == "fx-short-ship"))
    assert report.questions_retired == 1 and retired.retired_at is not None
    path.write_text(original)
    _sync(content_copy)
    db.session.refresh(retired)
    assert retired.retired_at is None and _count(QuestionVersion) == 6


def test_changed_answer_of_an_existing_id_is_a_warning(app, content_copy):
    _sync(content_copy)
    path = content_copy.content / "questions" / "sample.md"
    path.write_text(
        path.read_text()
        .replace("- [x] Credit, after reviewing", "- [ ] Credit, after reviewing")
        .replace("- [ ] Sales, because", "- [x] Sales, because")
    )
    content = content_sync.check([content_copy.content], content_copy)
    assert not content.errors
    assert any("correct answer of fx-credit-release changed" in str(w) for w in content.warnings)


def test_cli_check_reports_every_problem_with_summary_and_exit_code(app, tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "a.md").write_text("## No id here\ndifficulty: 2 · cognitive: application\n")
    (folder / "b.md").write_text("## Fine? {#b-1}\ndifficulty: 7 · cognitive: guessing\n")
    app.config["CONTENT_DIR"] = str(tmp_path)
    try:
        result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    finally:
        app.config["CONTENT_DIR"] = str(FIXTURES / "content")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(":1:" in line and "a.md" in line for line in lines)
    assert any(":2:" in line and "b.md" in line for line in lines)
    assert lines[-1].startswith("0 questions, 0 scenarios,") and "errors, 0 warnings" in lines[-1]


def test_cli_sync_refuses_everything_on_error(app, tmp_path):
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    (tmp_path / "content" / "questions" / "zz.md").write_text("## Broken {#zz}\ndifficulty: 2\n")
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    try:
        result = app.test_cli_runner().invoke(args=["content", "sync", str(tmp_path / "content")])
    finally:
        app.config["CONTENT_DIR"] = str(FIXTURES / "content")
    assert result.exit_code == 1 and "nothing was synced" in result.output
    assert _count(Question) == 0
