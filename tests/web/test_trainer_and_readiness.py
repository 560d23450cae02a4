"""Trainer dashboard, drill-down, grading, CSV exports, readiness report and sign-offs."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.domain.readiness import mastery
from app.extensions import db
from app.models import Answer, Question, SignOff, TraineeDomainStat, TraineeReadiness, WriteUp
from app.services import progress
from tests.conftest import csrf_token


def _answer(user, question, correct, n, when=None):
    answer = Answer(
        user_id=user.id,
        question_id=question.id,
        question_version_id=question.current_version_id,
        domain=question.domain,
        mode="study",
        chosen=["A"],
        correct=correct,
        credit=1.0 if correct else 0.0,
        submission_key=f"t{n}",
        answered_at=when or datetime.now(UTC) - timedelta(days=1),
    )
    db.session.add(answer)
    progress.record_answer(answer)
    return answer


def test_trainer_sees_own_cohort_dashboard_and_not_others(client, world, bank, signed_in):
    q = db.session.scalar(select(Question))
    _answer(world.trainee, q, True, 1)
    db.session.commit()
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert world.trainee.name in page and world.other_trainee.name not in page
    assert "too little evidence" in page  # one answer is not enough to colour a cell
    assert client.get(f"/trainer/cohorts/{world.other_cohort.id}").status_code == 404
    assert (
        client.get(f"/trainer/cohorts/{world.cohort.id}/trainees/{world.other_trainee.id}").status_code == 404
    )
    drill = client.get(f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}").get_data(
        as_text=True
    )
    assert q.slug in drill


def test_stalled_trainees_are_in_the_intervention_queue(client, world, bank, signed_in):
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Never practised" in page


def test_csv_exports_stream_the_cohorts_rows(client, world, bank, signed_in):
    q = db.session.scalar(select(Question))
    _answer(world.trainee, q, True, 1)
    _answer(world.other_trainee, q, False, 2)
    db.session.commit()
    signed_in(world.trainer)
    response = client.get(f"/trainer/cohorts/{world.cohort.id}/export/answers.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["answer_id", "trainee", "email"] and len(rows) == 2
    assert rows[1][2] == world.trainee.email and rows[1][10] == "1"
    mastery = list(
        csv.reader(
            io.StringIO(
                client.get(f"/trainer/cohorts/{world.cohort.id}/export/mastery.csv").get_data(as_text=True)
            )
        )
    )
    column = mastery[0].index(f"{q.domain} percent")
    assert mastery[1][1] == world.trainee.email and mastery[1][column] == "100.0"
    assert client.get(f"/trainer/cohorts/{world.other_cohort.id}/export/runs.csv").status_code == 404


def test_the_verdicts_csv_lists_each_trainee_with_unmet_criteria_and_the_latest_sign_off(
    app, client, world, bank, signed_in
):
    from flask import g

    from tests.conftest import login

    signed_in(world.trainee)
    client.get("/readiness/")  # the stored result a promotion round reads
    db.session.add_all(
        [
            SignOff(
                trainee_id=world.trainee.id,
                trainer_id=world.trainer.id,
                decision="not-yet",
                comment="Earlier.",
                verdict="not-enough-evidence",
                evidence={},
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
            ),
            SignOff(
                trainee_id=world.trainee.id,
                trainer_id=world.trainer.id,
                decision="recommend",
                comment="=HYPERLINK(1)",
                verdict="not-enough-evidence",
                evidence={},
                created_at=datetime(2026, 12, 1, tzinfo=UTC),
            ),
        ]
    )
    db.session.commit()
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    trainer = app.test_client()
    login(trainer, world.trainer.email)
    response = trainer.get(f"/trainer/cohorts/{world.cohort.id}/export/verdicts.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["email"] for r in rows] == [world.trainee.email]
    row = rows[0]
    assert row["verdict"] == "not-enough-evidence" and "answered" in row["unmet_criteria"]
    assert (row["sign_off"], row["signed_off_by"], row["sign_off_comment"]) == (
        "recommend",
        world.trainer.name,
        "'=HYPERLINK(1)",
    )  # the latest, and a formula neutralised
    assert trainer.get(f"/trainer/cohorts/{world.other_cohort.id}/export/verdicts.csv").status_code == 404


def _finished_writeup(client, world, signed_in) -> WriteUp:
    signed_in(world.trainee)
    client.post("/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")})
    from app.models import ScenarioAttempt

    attempt = db.session.scalar(select(ScenarioAttempt))
    token = csrf_token(client, "/scenarios/")
    client.post(
        f"/scenarios/attempts/{attempt.id}/decide", data={"csrf_token": token, "ref": "start/1", "step": "0"}
    )
    client.post(
        f"/scenarios/attempts/{attempt.id}/decide",
        data={"csrf_token": token, "ref": "note/next", "step": "1", "text": "Line 1 ships today."},
    )
    client.post("/logout", data={"csrf_token": token})
    return db.session.scalar(select(WriteUp))


def test_trainer_grades_a_writeup_and_the_trainee_sees_it(client, world, bank, signed_in):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.other_trainer)
    assert client.get(f"/trainer/grading/{writeup.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/trainer/grading")})
    signed_in(world.trainer)
    assert "Line 1 ships today." in client.get(f"/trainer/grading/{writeup.id}").get_data(as_text=True)
    token = csrf_token(client, "/trainer/grading")
    too_many = client.post(
        f"/trainer/grading/{writeup.id}",
        data={"csrf_token": token, "c1": "9", "c2": "0", "comment": "Keep me."},
    )
    page = too_many.get_data(as_text=True)
    assert (
        too_many.status_code == 400 and "Criterion 1: between 0 and 2 points" in page and "Keep me." in page
    )
    client.post(
        f"/trainer/grading/{writeup.id}",
        data={"csrf_token": token, "c1": "2", "c2": "0", "comment": "Say when."},
    )
    db.session.refresh(writeup)
    assert (
        writeup.points == 2
        and writeup.criterion_points == [2, 0]
        and writeup.graded_by_id == world.trainer.id
    )
    client.post("/logout", data={"csrf_token": token})
    signed_in(world.trainee)
    debrief = client.get(f"/scenarios/attempts/{writeup.attempt_id}/debrief").get_data(as_text=True)
    assert "Trainer's grade: 2 / 3" in debrief and "Say when." in debrief


def test_readiness_report_says_what_is_missing(client, world, bank, signed_in):
    signed_in(world.trainee)
    page = client.get("/readiness/").get_data(as_text=True)
    assert "Not enough evidence" in page and "more questions in D1" in page
    assert "No pass probability yet" in page


def test_sign_off_is_an_audit_record_and_leaves_the_verdict_alone(client, world, bank, signed_in):
    signed_in(world.trainer)
    url = f"/readiness/trainees/{world.trainee.id}"
    assert client.get(url).status_code == 200
    token = csrf_token(client, url)
    missing = client.post(url + "/sign-off", data={"csrf_token": token, "decision": "recommend"})
    assert missing.status_code == 400 and "Say why" in missing.get_data(as_text=True)
    client.post(
        url + "/sign-off", data={"csrf_token": token, "decision": "recommend", "comment": "Calm on holds."}
    )
    record = db.session.scalar(select(SignOff))
    assert (record.trainer_id, record.decision, record.verdict) == (
        world.trainer.id,
        "recommend",
        "not-enough-evidence",
    )
    assert any(c["key"].startswith("evidence.items") for c in record.evidence["criteria"])
    assert db.session.get(TraineeReadiness, world.trainee.id).verdict == "not-enough-evidence"
    assert "Calm on holds." in client.get(url).get_data(as_text=True)


def test_only_the_trainees_own_trainer_may_sign_off(client, world, bank, signed_in):
    signed_in(world.other_trainer)
    url = f"/readiness/trainees/{world.trainee.id}"
    assert client.get(url).status_code == 404
    response = client.post(
        url + "/sign-off",
        data={"csrf_token": csrf_token(client, "/home/trainer"), "decision": "recommend", "comment": "x"},
    )
    assert response.status_code == 404 and db.session.scalar(select(SignOff)) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans(), st.integers(0, 1)), min_size=1, max_size=25))
def test_aggregates_equal_a_recount_after_any_sequence_of_answers(app, world, bank, sequence):
    questions = list(db.session.scalars(select(Question).order_by(Question.id)))
    people = [world.trainee, world.other_trainee]
    db.session.execute(TraineeDomainStat.__table__.delete())
    db.session.execute(Answer.__table__.delete())
    for n, (q, correct, who) in enumerate(sequence):
        _answer(people[who], questions[q], correct, n)
    db.session.flush()
    for person in people:
        stored = {
            s.domain: (s.answered, s.correct, s.credit)
            for s in db.session.scalars(
                select(TraineeDomainStat).where(TraineeDomainStat.user_id == person.id)
            )
        }
        assert stored == progress.recount(person.id)
    db.session.rollback()


def test_scenario_statistics_draw_paths_over_the_graph(client, world, bank, signed_in):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.trainer)
    page = client.get(f"/trainer/scenarios/{writeup.attempt.version_id}").get_data(as_text=True)
    assert "Paths over the graph" in page and "1 run" in page
    assert "start to note: 1 decisions" in page and "start to end-bad: 0 decisions" in page


def test_exam_reliability_uses_domain_sections_of_submitted_sittings(app, world, bank):
    from app.domain.item_statistics import cronbach_alpha
    from app.models import Exam
    from app.services.statistics import exam_reliability

    questions = list(db.session.scalars(select(Question).order_by(Question.id)))[:3]
    pattern = [(1, 1, 0), (1, 0, 0), (0, 0, 0), (1, 1, 1)]
    for marks in pattern:
        exam = Exam(
            user_id=world.trainee.id,
            version_ids=[q.current_version_id for q in questions],
            time_limit_seconds=600,
            deadline=datetime.now(UTC),
            submitted_at=datetime.now(UTC),
        )
        db.session.add(exam)
        db.session.flush()
        for k, (q, mark) in enumerate(zip(questions, marks, strict=True)):
            db.session.add(
                Answer(
                    user_id=world.trainee.id,
                    question_id=q.id,
                    question_version_id=q.current_version_id,
                    domain=q.domain,
                    mode="exam",
                    correct=bool(mark),
                    credit=float(mark),
                    submission_key=f"exam:{exam.id}:{k}",
                    exam_id=exam.id,
                )
            )
    db.session.commit()
    result = exam_reliability()
    domains = sorted({q.domain for q in questions})
    matrix = []
    for marks in pattern:
        by_domain = dict.fromkeys(domains, 0.0)
        for q, mark in zip(questions, marks, strict=True):
            by_domain[q.domain] += mark
        matrix.append([by_domain[d] for d in domains])
    assert (result.sittings, result.sections) == (4, len(domains))
    assert result.alpha == pytest.approx(cronbach_alpha(matrix))
    assert result.mean_items == pytest.approx(1.5)


def test_the_dashboard_says_what_each_verdict_waits_for(client, world, bank, signed_in):
    from app.services import readiness
    from tests.content_fixtures import FIXTURES

    readiness.assess_trainee(world.trainee, str(FIXTURES / "content"), datetime.now(UTC))
    db.session.commit()
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert 'class="meta why"' in page and "more questions in" in page


def test_the_weekly_trend_averages_each_week_and_finds_who_fell_since_last_week(app, world):
    from datetime import date

    from app.models import ReadinessSnapshot, User
    from app.services import cohorts

    third = User(email="third@example.test", name="Third Trainee", password_hash="x")
    db.session.add(third)
    world.cohort.trainees.append(third)
    weeks = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    history = {
        world.trainee.id: [(0.40, 60.0), (0.70, 70.0), (0.55, 72.0)],  # fell 15 points in the last week
        third.id: [(None, 50.0), (0.20, 55.0), (0.30, None)],  # rose
        world.other_trainee.id: [(0.99, 99.0), (0.10, 10.0), (0.05, 5.0)],  # another cohort: not counted
    }
    db.session.add_all(
        ReadinessSnapshot(user_id=user_id, week=week, pass_probability=p, mean_mastery=m)
        for user_id, rows in history.items()
        for week, (p, m) in zip(weeks, rows, strict=True)
    )
    db.session.commit()
    points, drops = cohorts.weekly_trend(world.cohort)
    assert [(p.week, p.pass_probability, p.mean_mastery) for p in points] == [
        (weeks[0], pytest.approx(0.40), pytest.approx(55.0)),
        (weeks[1], pytest.approx(0.45), pytest.approx(62.5)),
        (weeks[2], pytest.approx(0.425), pytest.approx(72.0)),
    ]
    assert drops == {world.trainee.id: pytest.approx(0.15)}


def test_the_grading_queue_names_the_trainee_and_filters_by_trainee(client, world, bank, signed_in):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.trainer)
    page = client.get("/trainer/grading").get_data(as_text=True)
    assert f"{world.trainee.name} · " in page and f"/trainer/grading/{writeup.id}" in page
    assert "1 of 1 waiting" in page
    mine = client.get(f"/trainer/grading?trainee={world.trainee.id}").get_data(as_text=True)
    assert f"/trainer/grading/{writeup.id}" in mine
    nobody = client.get(f"/trainer/grading?trainee={world.other_trainee.id}").get_data(as_text=True)
    assert f"/trainer/grading/{writeup.id}" not in nobody and "Nothing matches this filter" in nobody
    client.post("/logout", data={"csrf_token": csrf_token(client, "/trainer/grading")})
    signed_in(world.other_trainer)
    assert "Nothing to grade" in client.get("/trainer/grading").get_data(as_text=True)


def test_the_drill_down_links_each_finished_run_to_its_debrief_and_lists_exams(
    client, world, bank, signed_in
):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}").get_data(
        as_text=True
    )
    link = f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/runs/{writeup.attempt_id}"
    assert link in page and "No exams yet." in page
    debrief = client.get(link).get_data(as_text=True)
    assert "Line 1 ships today." in debrief and "Waiting for a trainer to grade it" in debrief
    assert "Play it again" not in debrief and world.trainee.name in debrief
    other = f"/trainer/cohorts/{world.other_cohort.id}/trainees/{world.trainee.id}/runs/{writeup.attempt_id}"
    assert client.get(other).status_code == 404


def test_the_trainers_readiness_report_links_run_evidence_to_the_debrief(client, world, bank, signed_in):
    writeup = _finished_writeup(client, world, signed_in)
    signed_in(world.trainer)
    page = client.get(f"/readiness/trainees/{world.trainee.id}").get_data(as_text=True)
    assert f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/runs/{writeup.attempt_id}" in page


def test_a_trainer_marks_a_flag_handled_with_a_note_and_it_leaves_the_queue(client, world, bank, signed_in):
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Never practised." in page  # the trainee has done nothing: stalled
    url = f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/interventions/stalled"
    token = csrf_token(client, f"/trainer/cohorts/{world.cohort.id}")
    empty = client.post(url, data={"csrf_token": token, "note": " "}, follow_redirects=True)
    assert "Say what you did" in empty.get_data(as_text=True)
    done = client.post(
        url, data={"csrf_token": token, "note": "Called Tess: back on Monday."}, follow_redirects=True
    )
    page = done.get_data(as_text=True)
    assert "Marked handled for Tess Trainee" in page and "Never practised." not in page
    assert "Called Tess: back on Monday." in page and "Handled recently (1)" in page
    other = f"/trainer/cohorts/{world.other_cohort.id}/trainees/{world.trainee.id}/interventions/stalled"
    assert client.post(other, data={"csrf_token": token, "note": "x"}).status_code == 404
    bad_kind = f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/interventions/bored"
    assert client.post(bad_kind, data={"csrf_token": token, "note": "x"}).status_code == 404


def test_the_dashboard_and_the_readiness_report_show_the_same_mastery(
    client, world, bank, signed_in, monkeypatch
):
    # The fixture bank has two D7 questions: let two answers be enough evidence to show a figure.
    monkeypatch.setattr(mastery, "MIN_ANSWERS", 2)
    questions = db.session.scalars(select(Question).where(Question.domain == "D7")).all()
    assert len(questions) == 2
    for n, (question, correct) in enumerate(zip(questions, (True, False), strict=True)):
        _answer(world.trainee, question, correct, n).first_attempt = True  # evidence: first answers only
    # 50% credit: the model's figure differs from it
    db.session.commit()
    signed_in(world.trainee)
    report = client.get("/readiness/").get_data(as_text=True)
    shown = re.search(r"<td>D7 [^<]*</td>\s*<td class=\"num\">(\d+)%</td>", report)
    assert shown, "the report shows D7's mastery"
    _sign_out(client)
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    cells = re.findall(r'<td class="cell band-\d">(\d+)%<span class="n">n=(\d+)</span>', page)
    assert cells == [(shown.group(1), "2")]
    export = client.get(f"/trainer/cohorts/{world.cohort.id}/export/mastery.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(export)))
    assert rows[1][rows[0].index("D7 mastery")] == shown.group(1)
    assert rows[1][rows[0].index("D7 percent")] == "50.0"  # raw credit stays in its own column


def test_too_few_answers_show_as_too_little_evidence_on_both_pages(client, world, bank, signed_in):
    q = db.session.scalar(select(Question).where(Question.domain == "D7"))
    _answer(world.trainee, q, True, 1).first_attempt = True
    db.session.commit()
    signed_in(world.trainee)
    report = client.get("/readiness/").get_data(as_text=True)
    assert re.search(r"<td>D7 [^<]*</td>\s*<td class=\"num\">–</td>", report)
    _sign_out(client)
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert '1<span class="visually-hidden"> questions: too little evidence' in page
    assert not re.search(r'<td class="cell band-\d">', page)


def _sign_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
