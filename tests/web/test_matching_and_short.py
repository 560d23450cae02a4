"""Matching and short-answer items in study and exams, and GIFT / Moodle XML export then import as an
identity (every question `unchanged`, nothing added)."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.domain.interchange import export_moodle_xml
from app.extensions import db
from app.models import Answer, Exam, Question, QuestionVersion, StudySession
from app.models.authoring import Draft
from app.services import content_export, content_sync
from tests.conftest import csrf_token
from tests.content_fixtures import FIXTURES, fixture_roots

NEW_TYPES = FIXTURES / "question_types"


@pytest.fixture
def new_types(app, tmp_path):
    """The matching (D3) and short-answer (D2) fixture items, synced from their own file."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    for old in (content / "questions").iterdir():
        old.unlink()
    shutil.copy(NEW_TYPES / "matching_and_short.md", content / "questions" / "new_types.md")
    roots = fixture_roots(content, tmp_path / "scenarios")
    report = content_sync.sync([content / "questions"], roots, datetime.now(UTC))
    assert report.question_versions_added == 2
    db.session.commit()


def _study(client, domain: str) -> tuple[str, QuestionVersion, str]:
    data = {"csrf_token": csrf_token(client, "/practice/"), "size": "10", "domains": [domain]}
    url = client.post("/practice/study", data=data).headers["Location"]
    session = db.session.get(StudySession, int(re.search(r"/sessions/(\d+)/", url).group(1)))
    version = db.session.get(QuestionVersion, session.filters["version_ids"][0])
    page = client.get(url).get_data(as_text=True)
    served_at = re.search(r'name="served_at"[^>]*value="([^"]+)"', page).group(1)
    return url, version, page, served_at


def test_a_matching_item_is_answered_in_study_with_feedback_per_prompt(client, world, new_types, signed_in):
    signed_in(world.trainee)
    url, version, page, served_at = _study(client, "D3")
    assert version.type == "matching"
    assert page.count('name="chosen"') == 3 and "match each prompt" in page
    # the answer column is shown in this serving's own order, the same in every select
    shown = re.findall(r'<option value="p1=(a\d)"', page)
    assert sorted(shown) == ["a1", "a2", "a3", "a4"]
    assert re.findall(r'<option value="p2=(a\d)"', page) == shown
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "confidence": "medium",
            "served_at": served_at,
            "chosen": ["p1=a1", "p2=a4", "p3=a3"],
        },
    )
    assert response.status_code == 302
    answer = db.session.scalars(select(Answer)).one()
    assert answer.chosen == ["p1=a1", "p2=a4", "p3=a3"] and answer.credit == pytest.approx(2 / 3)
    assert not answer.correct
    feedback = client.get(url).get_data(as_text=True)
    assert "Partly right (67% credit)" in feedback and "Right match" in feedback
    assert "the freight forwarder, always" in feedback and "Under E- and F-terms" in feedback


def test_an_unknown_pair_is_refused_and_nothing_is_stored(client, world, new_types, signed_in):
    signed_in(world.trainee)
    url, _, _, served_at = _study(client, "D3")
    page = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "confidence": "low",
            "served_at": served_at,
            "chosen": ["p1=a9"],
        },
    ).get_data(as_text=True)
    assert "Choose answers from the lists." in page
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_short_answer_ignores_case_and_spacing_and_lists_what_was_accepted(
    client, world, new_types, signed_in
):
    signed_in(world.trainee)
    url, version, page, served_at = _study(client, "D2")
    assert version.type == "short" and 'type="text"' in page and "type your answer" in page
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "confidence": "high",
            "served_at": served_at,
            "chosen": "  Cash IN   advance ",
        },
    )
    answer = db.session.scalars(select(Answer)).one()
    assert (answer.correct, answer.credit, answer.cbm_mark) == (True, 1.0, 3.0)
    feedback = client.get(url).get_data(as_text=True)
    assert "Right" in feedback and "prepayment" in feedback and "50% credit" in feedback


def test_both_types_are_answered_in_an_exam_and_scored_at_submit(client, world, new_types, signed_in):
    signed_in(world.trainee)
    response = client.post("/exams/", data={"csrf_token": csrf_token(client, "/exams/"), "length": "20"})
    exam_id = int(re.search(r"/exams/(\d+)/items/0", response.headers["Location"]).group(1))
    exam = db.session.get(Exam, exam_id)
    for position, version_id in enumerate(exam.version_ids):
        version = db.session.get(QuestionVersion, version_id)
        page = client.get(f"/exams/{exam.id}/items/{position}").get_data(as_text=True)
        assert 'name="chosen"' in page
        chosen = ["p1=a1", "p2=a2", "", "p3=a4"] if version.type == "matching" else "prepayment"
        saved = client.post(
            f"/exams/{exam.id}/items/{position}",
            data={
                "csrf_token": csrf_token(client, "/exams/"),
                "goto": "next",
                "chosen": chosen,
            },
        )
        assert saved.status_code == 302
        again = client.get(f"/exams/{exam.id}/items/{position}").get_data(as_text=True)
        assert ("selected" in again) if version.type == "matching" else ('value="prepayment"' in again)
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})
    credits = {a.version.type: a.credit for a in db.session.scalars(select(Answer))}
    assert credits == {"matching": pytest.approx(2 / 3), "short": 0.5}


@pytest.mark.parametrize(("fmt", "name"), [("gift", "questions.gift"), ("moodle-xml", "questions.xml")])
def test_export_then_import_changes_nothing(app, world, bank, new_types, tmp_path, fmt, name):
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["content", "export", "--format", fmt, "--out", str(tmp_path)])
    assert exported.exit_code == 0 and "8 questions" in exported.output, exported.output
    hashes = dict(
        db.session.execute(
            select(Question.slug, QuestionVersion.content_hash).join(
                QuestionVersion, Question.current_version_id == QuestionVersion.id
            )
        ).all()
    )
    counts = [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionVersion, Draft)
    ]
    result = runner.invoke(args=["content", "import", str(tmp_path / name), "--author", world.author.email])
    assert result.exit_code == 0, result.output
    assert "0 imported, 0 partial, 8 unchanged, 0 skipped" in result.output
    assert "already in the bank, unchanged: no draft created" in result.output
    assert [
        db.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionVersion, Draft)
    ] == counts
    assert (
        dict(
            db.session.execute(
                select(Question.slug, QuestionVersion.content_hash).join(
                    QuestionVersion, Question.current_version_id == QuestionVersion.id
                )
            ).all()
        )
        == hashes
    )


def test_uploading_the_banks_own_export_in_the_browser_makes_no_draft(
    client, world, bank, new_types, signed_in
):
    data = export_moodle_xml(content_export.parsed_questions())
    signed_in(world.author)
    response = client.post(
        "/authoring/import",
        data={
            "csrf_token": csrf_token(client, "/authoring/import"),
            "domain": "D2",
            "file": (io.BytesIO(data), "bank.xml"),
        },
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Everything is already in the bank" in page
    assert page.count("unchanged") >= 8
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_item_statistics_show_answered_matching_and_short_items(client, world, new_types, signed_in):
    signed_in(world.trainee)
    for domain, chosen in (("D3", ["p1=a1", "p2=a2", "p3=a3"]), ("D2", "CIA")):
        url, _, _, served_at = _study(client, domain)
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                "confidence": "low",
                "served_at": served_at,
                "chosen": chosen,
            },
        )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.trainer)
    table = client.get("/trainer/items")
    assert table.status_code == 200
    for question in db.session.scalars(select(Question)):
        page = client.get(f"/trainer/items/{question.id}")
        assert page.status_code == 200 and question.slug in page.get_data(as_text=True)
