"""The promotion round: one page with every Ready or asking trainee of the trainer's cohorts, decided in place."""

from __future__ import annotations

from datetime import timedelta

from flask import g
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import SignOff, SignOffRequest, TraineeReadiness
from tests import factories
from tests.conftest import csrf_token, login


def _client_of(app, user):
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


def _ready(user, p: float = 0.93) -> None:
    db.session.add(
        TraineeReadiness(
            user_id=user.id, verdict="ready", pass_probability=p, stale=False, domains={}, dimensions={}
        )
    )


def _round_world(world):
    """In Cohort A: the world's trainee Ready, a second Ready, a third asking for a sign-off, a fourth not
    ready; in Cohort B: one Ready (another trainer's)."""
    ready_too = factories.user(name="Rita Ready")
    asking = factories.user(name="Asa Asking")
    not_ready = factories.user(name="Nat Notyet")
    for person in (ready_too, asking, not_ready):
        world.cohort.trainees.append(person)
    _ready(world.trainee)
    _ready(ready_too, 0.81)
    _ready(world.other_trainee)
    db.session.add(
        TraineeReadiness(user_id=asking.id, verdict="almost", stale=False, domains={}, dimensions={})
    )
    db.session.add(
        TraineeReadiness(user_id=not_ready.id, verdict="not-yet", stale=False, domains={}, dimensions={})
    )
    db.session.add(SignOffRequest(trainee_id=asking.id, verdict="ready", requested_at=clock.now()))
    db.session.commit()
    return ready_too, asking, not_ready


def test_the_round_lists_ready_and_asking_trainees_of_the_trainers_cohorts(app, world):
    ready_too, asking, not_ready = _round_world(world)
    trainer = _client_of(app, world.trainer)
    home = trainer.get("/home/trainer").get_data(as_text=True)
    assert 'href="/trainer/promotion-round"' in home
    page = trainer.get("/trainer/promotion-round").get_data(as_text=True)
    for shown in (world.trainee, ready_too, asking):
        assert f'id="row-{shown.id}"' in page and shown.name in page
    assert not_ready.name not in page and world.other_trainee.name not in page
    assert "3 to decide, 0 decided" in page
    assert "Probability of passing an unseen blueprint sitting: <strong>93%</strong>" in page
    assert "asked for sign-off" in page and f"Sign off {world.trainee.name}" in page
    assert f"/readiness/trainees/{world.trainee.id}" in page  # the evidence is a click away
    assert f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}" in page


def test_sign_off_and_decline_act_in_place_and_are_recorded(app, world):
    ready_too, asking, _ = _round_world(world)
    trainer = _client_of(app, world.trainer)
    token = csrf_token(trainer, "/trainer/promotion-round")
    done = trainer.post(
        f"/trainer/promotion-round/trainees/{world.trainee.id}",
        data={"csrf_token": token, "decision": "recommend"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/trainer/promotion-round#row-{world.trainee.id}"
    )
    refused = trainer.post(
        f"/trainer/promotion-round/trainees/{asking.id}", data={"csrf_token": token, "decision": "not-yet"}
    )
    assert refused.headers["Location"].endswith(f"#row-{asking.id}")
    page = trainer.get("/trainer/promotion-round").get_data(as_text=True)
    assert f"Nothing recorded for {asking.name}: Give the reason for declining" in page
    trainer.post(
        f"/trainer/promotion-round/trainees/{asking.id}",
        data={"csrf_token": token, "decision": "not-yet", "comment": "Two critical errors last week."},
    )
    records = {s.trainee_id: s for s in db.session.scalars(select(SignOff))}
    assert set(records) == {world.trainee.id, asking.id}
    assert (
        records[world.trainee.id].decision == "recommend"
        and records[world.trainee.id].trainer_id == world.trainer.id
    )
    assert (
        records[asking.id].decision == "not-yet"
        and records[asking.id].comment == "Two critical errors last week."
    )
    page = trainer.get("/trainer/promotion-round").get_data(as_text=True)
    assert f"{asking.name} declined, with your reason" in page
    assert "1 to decide, 2 decided" in page  # both stay on the round, marked decided
    assert page.index(f'id="row-{ready_too.id}"') < page.index(f'id="row-{asking.id}"')  # undecided first
    report = trainer.get(f"/readiness/trainees/{asking.id}").get_data(as_text=True)
    assert "Two critical errors last week." in report and "asked for a sign-off" not in report


def test_only_the_trainees_own_trainer_decides(app, world):
    _round_world(world)
    other = _client_of(app, world.other_trainer)
    token = csrf_token(other, "/trainer/promotion-round")
    assert world.trainee.name not in other.get("/trainer/promotion-round").get_data(as_text=True)
    response = other.post(
        f"/trainer/promotion-round/trainees/{world.trainee.id}",
        data={"csrf_token": token, "decision": "recommend"},
    )
    assert response.status_code == 404
    admin = _client_of(app, world.admin)
    page = admin.get("/trainer/promotion-round").get_data(as_text=True)
    assert world.trainee.name in page and world.other_trainee.name in page and "Sign off" not in page
    token = csrf_token(admin, "/trainer/promotion-round")
    response = admin.post(
        f"/trainer/promotion-round/trainees/{world.trainee.id}",
        data={"csrf_token": token, "decision": "recommend"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(SignOff)) is None


def test_a_decision_long_past_leaves_the_round_unless_still_ready(app, world):
    ready_too, _asking, not_ready = _round_world(world)
    long_ago = clock.now() - timedelta(days=30)
    for person, decision in ((not_ready, "not-yet"), (ready_too, "recommend")):
        db.session.add(
            SignOff(
                trainee_id=person.id,
                trainer_id=world.trainer.id,
                decision=decision,
                comment="earlier round",
                verdict="ready",
                evidence={},
                created_at=long_ago,
            )
        )
    db.session.commit()
    page = _client_of(app, world.trainer).get("/trainer/promotion-round").get_data(as_text=True)
    assert not_ready.name not in page and ready_too.name in page and "2 to decide, 1 decided" in page


def test_the_round_costs_the_same_queries_for_three_trainees_or_six(app, world, count_queries):
    _round_world(world)
    trainer = _client_of(app, world.trainer)
    trainer.get("/trainer/promotion-round")

    def measured() -> int:
        db.session.expire_all()
        g.pop("_login_user", None)
        with count_queries() as page:
            assert trainer.get("/trainer/promotion-round").status_code == 200
        return page.n

    three = measured()
    for n in range(3):
        person = factories.user(name=f"Extra {n}")
        world.cohort.trainees.append(person)
        _ready(person)
    db.session.commit()
    six = measured()
    assert six == three, "a query per trainee crept into the round"
