"""Evidence that cannot be gamed: re-answering after the rationale and replaying scenarios along the
debriefed expert path change nothing the verdict counts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Scenario, ScenarioVersion
from app.services import practice, readiness, scenarios
from tests.content_fixtures import FIXTURES

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CONTENT = str(FIXTURES / "content")


def _answer_session(user, session, now, right: bool):
    for position in range(session.planned):
        version = practice.session_version(session, position)
        if version.type == "numeric":
            response = practice.Response((), version.answer if right else -1.0, "high", 20.0)
        else:
            keys = (
                version.correct_keys
                if right
                else [k for k in version.option_keys if k not in version.correct_keys][:1]
            )
            response = practice.Response(tuple(keys), None, "high", 20.0)
        practice.record_answer(user.id, session, position, response, now)


def _snapshot(user, now):
    result = readiness.assess_trainee(user, CONTENT, now)
    return (
        [(m.domain, m.mastery, m.answer_ids) for m in result.domains],
        result.pass_probability.p if result.pass_probability else None,
    )


def test_re_answering_missed_items_after_their_rationale_cannot_raise_pass_probability(app, world, bank):
    user = world.trainee
    session = practice.start_study(user.id, [], [], False, 20, NOW, random.Random(1))
    _answer_session(user, session, NOW, right=False)
    db.session.commit()
    before = _snapshot(user, NOW + timedelta(days=2))
    # the gaming trainee: every missed item again, keyed from the rationale it just read
    review = practice.start_review(user.id, NOW + timedelta(days=2))
    _answer_session(user, review, NOW + timedelta(days=2), right=True)
    again = practice.start_study(user.id, [], [], False, 20, NOW + timedelta(days=2), random.Random(2))
    _answer_session(user, again, NOW + timedelta(days=2), right=True)
    db.session.commit()
    assert _snapshot(user, NOW + timedelta(days=2)) == before


def test_a_scenario_replayed_along_the_expert_path_counts_only_its_first_run(app, world, bank):
    user = world.trainee
    scenario = db.session.scalar(select(Scenario))
    model, analysis = scenarios.parsed(db.session.get(ScenarioVersion, scenario.current_version_id))
    first = scenarios.start(user.id, scenario, NOW)
    while not first.finished:  # the first run: a critical mistake wherever one is offered
        state = scenarios.state_of(first)
        node = model.node(state.node_id)
        offered = scenarios.engine.offered_choices(model, state)
        ref = next((c.ref for c in offered if c.critical), offered[0].ref if offered else f"{node.id}/next")
        scenarios.choose(first, ref, len(first.log), "note", 10.0, NOW)
    replay = scenarios.start(user.id, scenario, NOW + timedelta(hours=1))
    for ref in analysis.max_score_path:
        scenarios.choose(replay, ref, len(replay.log), "note", 10.0, NOW + timedelta(hours=1))
    db.session.commit()
    assert replay.passed and not first.passed
    evidence = readiness.evidence_for(user, CONTENT, NOW + timedelta(hours=2))
    assert [r.run_id for r in evidence.scenario_runs] == [f"run:{first.id}"]


def test_the_report_page_reads_the_stored_result_until_new_evidence_arrives(
    client, world, bank, signed_in, monkeypatch
):
    from app.models import TraineeReadiness

    signed_in(world.trainee)
    client.get("/readiness/")
    first = db.session.get(TraineeReadiness, world.trainee.id).computed_at
    calls = []
    original = readiness.assess_trainee
    monkeypatch.setattr(readiness, "assess_trainee", lambda *a, **k: calls.append(1) or original(*a, **k))
    client.get("/readiness/")
    assert calls == [] and db.session.get(TraineeReadiness, world.trainee.id).computed_at == first
    session = practice.start_study(world.trainee.id, [], [], False, 5, NOW, random.Random(3))
    _answer_session(world.trainee, session, NOW, right=True)
    db.session.commit()
    client.get("/readiness/")
    assert calls == [1]  # new evidence: computed once, then stored again
