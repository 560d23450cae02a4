"""The readiness report lists each criterion's newest evidence; the evidence pages list all of it, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.domain.readiness import citations
from app.extensions import db
from app.models import Answer, Question
from tests.conftest import csrf_token
from tests.web.test_trainer_and_readiness import _finished_writeup

KNOWLEDGE = "dimension.knowledge"  # cites every first answer, in every domain


def _answer_every_question(trainee) -> list[str]:
    """A first answer to each fixture question, one a day; their slugs, oldest first."""
    questions = db.session.scalars(select(Question).order_by(Question.id)).all()
    start = datetime.now(UTC) - timedelta(days=len(questions) + 1)
    for n, question in enumerate(questions):
        db.session.add(
            Answer(
                user_id=trainee.id,
                question_id=question.id,
                question_version_id=question.current_version_id,
                domain=question.domain,
                mode="study",
                chosen=["A"],
                correct=True,
                credit=1.0,
                first_attempt=True,
                submission_key=f"evidence-{n}",
                answered_at=start + timedelta(days=n),
            )
        )
    db.session.commit()
    return [q.slug for q in questions]


def _listed(page: str, slugs: list[str]) -> list[str]:
    """The slugs the page names, in the order it names them."""
    return sorted(
        (s for s in slugs if f"Answer to {s} (" in page), key=lambda s: page.index(f"Answer to {s} (")
    )


def test_the_report_lists_the_newest_evidence_and_links_to_all_of_it(client, world, bank, signed_in):
    slugs = _answer_every_question(world.trainee)
    assert len(slugs) > citations.REPORT_LATEST
    signed_in(world.trainee)
    report = client.get("/readiness/").get_data(as_text=True)
    assert f"The newest {citations.REPORT_LATEST} of {len(slugs)}." in report
    assert f'href="/readiness/evidence/{KNOWLEDGE}">All {len(slugs)}, newest first' in report
    page = client.get(f"/readiness/evidence/{KNOWLEDGE}").get_data(as_text=True)
    assert "Evidence: Knowledge at least" in page and f"1–{len(slugs)} of {len(slugs)}, newest first" in page
    assert _listed(page, slugs) == slugs[::-1]
    assert 'href="/readiness/"' in page  # back to the report


def test_evidence_pages_go_from_newest_to_oldest_and_stop_at_the_last(
    client, world, bank, signed_in, monkeypatch
):
    slugs = _answer_every_question(world.trainee)
    monkeypatch.setattr(citations, "PAGE_SIZE", 4)
    signed_in(world.trainee)
    first = client.get(f"/readiness/evidence/{KNOWLEDGE}").get_data(as_text=True)
    assert _listed(first, slugs) == slugs[::-1][:4] and f"1–4 of {len(slugs)}" in first
    assert f'href="/readiness/evidence/{KNOWLEDGE}?page=2">Older' in first and "Newer" not in first
    second = client.get(f"/readiness/evidence/{KNOWLEDGE}?page=2").get_data(as_text=True)
    assert _listed(second, slugs) == slugs[::-1][4:8] and '?page=1">Newer' in second
    assert client.get(f"/readiness/evidence/{KNOWLEDGE}?page=9").status_code == 404
    assert client.get("/readiness/evidence/dimension.charm").status_code == 404


def test_a_trainers_evidence_page_links_runs_to_their_debrief_and_others_see_nothing(
    client, world, bank, signed_in
):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.trainer)
    url = f"/readiness/trainees/{world.trainee.id}/evidence/evidence.scenario_runs"
    page = client.get(url).get_data(as_text=True)
    assert f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/runs/{writeup.attempt_id}" in page
    assert f'href="/readiness/trainees/{world.trainee.id}"' in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/trainer/grading")})
    signed_in(world.other_trainer)
    assert client.get(url).status_code == 404
