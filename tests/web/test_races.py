"""Two tabs at once: aggregates equal a recount after concurrent answers, and of two simultaneous
decisions on one scenario step exactly one is taken and stored (the other is told it changed meanwhile).
Real threads, each with its own request context and database session, on SQLite or PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from app.extensions import db
from app.models import QuestionVersion, ScenarioAttempt, StudySession, TraineeDomainStat
from app.services import progress
from tests.conftest import csrf_token, login


def _together(app, jobs):
    """Run each job(client) in its own thread, released at the same moment; returns their results."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        with app.app_context():  # its own session and `g`, as a worker process would have
            client = app.test_client()
            login(client, WORLD["email"])
            barrier.wait()
            results[index] = job(client)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


WORLD: dict = {}


def test_concurrent_answers_from_two_tabs_keep_aggregates_equal_to_a_recount(app, world, bank):
    WORLD["email"] = world.trainee.email
    tabs = []
    client = app.test_client()
    login(client, world.trainee.email)
    for _ in range(2):
        client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
        tabs.append(db.session.scalar(select(StudySession).order_by(StudySession.id.desc())))
    plans = [
        [(s.id, p, db.session.get(QuestionVersion, v)) for p, v in enumerate(s.filters["version_ids"])]
        for s in tabs
    ]

    def answer_all(plan):
        def job(client):
            codes = []
            for session_id, position, version in plan:
                url = f"/practice/sessions/{session_id}/items/{position}"
                data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
                codes.append(
                    client.post(
                        url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data}
                    ).status_code
                )
            return codes

        return job

    results = _together(app, [answer_all(plans[0]), answer_all(plans[1])])
    assert all(code == 302 for codes in results for code in codes), results
    db.session.expire_all()
    stored = {
        s.domain: (s.answered, s.correct, round(s.credit, 6))
        for s in db.session.scalars(
            select(TraineeDomainStat).where(TraineeDomainStat.user_id == world.trainee.id)
        )
    }
    recount = {d: (n, c, round(cr, 6)) for d, (n, c, cr) in progress.recount(world.trainee.id).items()}
    assert stored == recount and sum(n for n, _, _ in stored.values()) == 10


def test_two_simultaneous_decisions_on_one_step_take_exactly_one(app, world, bank):
    WORLD["email"] = world.trainee.email
    client = app.test_client()
    login(client, world.trainee.email)
    client.post("/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")})
    attempt_id = db.session.scalar(select(ScenarioAttempt.id))

    def decide(ref):
        def job(tab):
            return tab.post(
                f"/scenarios/attempts/{attempt_id}/decide",
                data={"csrf_token": csrf_token(tab, "/scenarios/"), "ref": ref, "step": "0"},
            ).status_code

        return job

    codes = _together(app, [decide("start/1"), decide("start/2")])
    db.session.expire_all()
    attempt = db.session.get(ScenarioAttempt, attempt_id)
    assert sorted(codes) == [302, 409], codes
    assert len(attempt.log) == 1 and len(attempt.decision_seconds) == 1
