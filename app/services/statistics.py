"""Item statistics per question version and decision statistics per scenario version, for trainers.

An "attempt" for item analysis is an exam sitting, or a study/review session, or (for answers outside
both) one trainee's answers of one day: the unit whose total score the discrimination index compares
against.

Item statistics compute with numpy: like the readiness model (services/readiness.py), their module is
imported inside the functions that compute, so only a worker that shows these pages loads numpy.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from app.domain import decision_statistics as decisions
from app.domain.scenario_map import scenario_map
from app.extensions import db
from app.models import Answer, Question, QuestionVersion, ScenarioAttempt, ScenarioVersion
from app.services.scenarios import parsed

if TYPE_CHECKING:
    from app.domain import item_statistics as items

FLAG_MIN_COUNT = 10  # first attempts before an item can be flagged at all
FLAG_CONFIDENCE = 0.90  # flags and retire suggestions need the one-sided 90% bound past the threshold


def _attempt_of(answer_row) -> str:
    exam_id, session_id, user_id, answered_at = answer_row
    if exam_id:
        return f"exam:{exam_id}"
    if session_id:
        return f"session:{session_id}"
    return f"day:{user_id}:{answered_at.date()}"


def item_table(version_ids: list[int] | None = None) -> dict[int, items.ItemStatistics]:
    """Statistics of every question version answered (or of those given), keyed by version id.
    First attempts only: an answer given after the item's rationale measures memory, not the item."""
    # numerical: imported when used (see the module docstring)
    from app.domain import item_statistics as items

    query = select(
        Answer.exam_id,
        Answer.session_id,
        Answer.user_id,
        Answer.answered_at,
        Answer.question_version_id,
        Answer.credit,
        Answer.chosen,
        Answer.seconds,
    ).where(Answer.first_attempt.is_(True), Answer.voided_at.is_(None))
    if version_ids is not None:
        query = query.where(Answer.question_version_id.in_(version_ids))
    latest: dict[tuple[str, str], items.ItemResponse] = {}  # an item repeated within an attempt: the last one
    for row in db.session.execute(query.order_by(Answer.answered_at)):
        response = items.ItemResponse(_attempt_of(row[:4]), str(row[4]), row[5], tuple(row[6] or ()), row[7])
        latest[(response.attempt_id, response.item_id)] = response
    responses = list(latest.values())
    versions = db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_({int(r.item_id) for r in responses}))
    ).all()
    keys = {
        str(v.id): items.AnswerKey(tuple(v.option_keys), tuple(v.correct_keys))
        for v in versions
        if v.options and v.correct_keys
    }
    stats = (
        items.item_statistics(responses, keys, flag_min_count=FLAG_MIN_COUNT, confidence=FLAG_CONFIDENCE)
        if responses
        else {}
    )
    return {int(k): v for k, v in stats.items()}


def versions_with_questions(ids) -> dict[int, QuestionVersion]:
    rows = db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(list(ids))))
    return {v.id: v for v in rows}


def question_versions(question_id: int) -> tuple[Question | None, list[QuestionVersion]]:
    question = db.session.get(Question, question_id)
    if question is None:
        return None, []
    versions = db.session.scalars(
        select(QuestionVersion)
        .where(QuestionVersion.question_id == question_id)
        .order_by(QuestionVersion.number)
    ).all()
    return question, list(versions)


def scenario_statistics(version: ScenarioVersion):
    """Choice frequencies per node, scores by path, frequent critical errors, and edge counts."""
    scenario, analysis = parsed(version)
    runs = [
        decisions.ScenarioRun(str(a.id), tuple(a.log), a.total, tuple(a.critical_errors or ()), a.finished)
        for a in db.session.scalars(select(ScenarioAttempt).where(ScenarioAttempt.version_id == version.id))
    ]
    refs = [c.ref for node in scenario.nodes for c in node.choices]
    targets = {c.ref: c.target for node in scenario.nodes for c in node.choices}
    edges = decisions.edge_traversals(runs, targets)
    by_ref = {e.ref: e.count for e in edges}
    graph = scenario_map(scenario, analysis)
    traffic = {(e.source, e.target): sum(by_ref.get(r, 0) for r in e.refs) for e in graph.edges}
    return {
        "map": graph,
        "traffic": traffic,
        "busiest": max(traffic.values(), default=0),
        "scenario": scenario,
        "runs": runs,
        "choices": decisions.choice_frequencies(runs, refs),
        "paths": decisions.scores_by_path(runs)[:10],
        "critical": decisions.critical_error_counts(runs),
        "edges": edges,
    }


@dataclass(frozen=True)
class ExamReliability:
    """Reliability of the submitted exam sittings, treating each domain section as one part of the test.

    Every sitting draws its own items, so no item-level form exists across sittings (and KR-20, which
    needs the same items in every attempt, does not apply). Every sitting does cover the same domain
    sections, so Cronbach's alpha is computed on sittings x domains (credit per section), and the standard
    error of measurement on the total (in items) follows from it. Sittings missing a section are left out.
    """

    sittings: int
    sections: int
    alpha: float | None
    sem_items: float | None
    mean_items: float | None


def exam_reliability() -> ExamReliability:
    # numerical: imported when used (see the module docstring)
    from app.domain import item_statistics as items

    rows = db.session.execute(
        select(Answer.exam_id, Answer.domain, func.sum(Answer.credit))
        .where(Answer.exam_id.is_not(None))
        .group_by(Answer.exam_id, Answer.domain)
    )
    by_exam: dict[int, dict[str, float]] = {}
    for exam_id, domain, credit in rows:
        by_exam.setdefault(exam_id, {})[domain] = float(credit)
    domains = sorted({d for sections in by_exam.values() for d in sections})
    complete = [[s[d] for d in domains] for s in by_exam.values() if all(d in s for d in domains)]
    alpha = items.cronbach_alpha(complete) if len(complete) >= 2 and len(domains) >= 2 else None
    totals = [sum(row) for row in complete]
    sd = statistics.stdev(totals) if len(totals) >= 2 else None
    return ExamReliability(
        len(complete),
        len(domains),
        alpha,
        items.standard_error_of_measurement(sd, alpha),
        statistics.fmean(totals) if totals else None,
    )
