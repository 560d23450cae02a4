"""Moving a trainee between cohorts in one step, and deactivated trainees leaving the trainers' views."""

import csv
import io
from datetime import timedelta

from flask import g

from app import clock
from app.extensions import db
from app.models import Cohort, TraineeReadiness, User
from app.services import accounts, cohorts
from tests import factories
from tests.conftest import csrf_token, login


def _client_of(app, user):
    """Another browser signed in as `user` (the test's app context holds the last signed-in user in g)."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


def _move(client, user_id: int, cohort_id: int):
    token = csrf_token(client, f"/admin/users/{user_id}")
    return client.post(f"/admin/users/{user_id}/cohort", data={"cohort": cohort_id, "csrf_token": token})


def test_admin_moves_a_trainee_and_they_leave_every_other_cohort(client, world, signed_in):
    extra = factories.cohort("Cohort C", trainees=[world.trainee])
    signed_in(world.admin)
    page = client.get(f"/admin/users/{world.trainee.id}").get_data(as_text=True)
    assert "Move to cohort" in page and "Moving takes them out of Cohort A, Cohort C in the same step" in page
    response = _move(client, world.trainee.id, world.other_cohort.id)
    assert response.status_code == 302
    assert "Tess Trainee is now in Cohort B (left Cohort A, Cohort C)." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert [c.name for c in accounts.cohorts_of_trainee(world.trainee)] == ["Cohort B"]
    assert world.trainee not in db.session.get(Cohort, extra.id).trainees


def test_the_new_trainer_sees_the_moved_trainee_and_the_old_one_no_longer_does(app, client, world, signed_in):
    signed_in(world.admin)
    _move(client, world.trainee.id, world.other_cohort.id)
    old, new = _client_of(app, world.trainer), _client_of(app, world.other_trainer)
    assert old.get(f"/trainer/cohorts/{world.cohort.id}/trainees/{world.trainee.id}").status_code == 404
    assert "Tess Trainee" in new.get(f"/trainer/cohorts/{world.other_cohort.id}").get_data(as_text=True)


def test_moving_to_no_cohort_and_refusals(client, world, signed_in):
    signed_in(world.admin)
    token = csrf_token(client, f"/admin/users/{world.trainee.id}")
    client.post(f"/admin/users/{world.trainee.id}/cohort", data={"csrf_token": token})  # no choice sent
    assert [c.name for c in accounts.cohorts_of_trainee(world.trainee)] == ["Cohort A"]  # moves nobody
    assert _move(client, world.trainee.id, 0).status_code == 302
    assert accounts.cohorts_of_trainee(world.trainee) == []
    page = client.get(f"/admin/users/{world.trainee.id}").get_data(as_text=True)
    assert "In no cohort." in page
    response = _move(client, world.trainee.id, 987654)  # not a listed cohort
    assert "Choose one of the cohorts listed" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    # A trainer (no trainee role) gets no move form; a forged move is refused with the reason.
    assert "Move to cohort" not in client.get(f"/admin/users/{world.trainer.id}").get_data(as_text=True)
    response = _move(client, world.trainer.id, world.cohort.id)
    assert "is not a trainee" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_deactivated_trainee_leaves_the_dashboard_queue_exports_and_home_counts(client, world, signed_in):
    quiet = factories.user(factories.Role.TRAINEE, email="quiet@example.test", name="Quinn Quiet")
    accounts.add_trainee(db.session.get(Cohort, world.cohort.id), quiet)
    long_ago = clock.now() - timedelta(days=60)  # stalled: would be in the intervention queue
    db.session.add(TraineeReadiness(user_id=quiet.id, last_activity_at=long_ago))
    db.session.commit()
    signed_in(world.trainer)
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert page.count("Quinn Quiet") >= 2  # a dashboard row and a line in the queue
    assert "2 trainees" in client.get("/home/trainer").get_data(as_text=True)

    db.session.get(User, quiet.id).active = False
    db.session.commit()
    page = client.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Quinn Quiet" not in page and "Tess Trainee" in page
    assert "1 trainee<" in client.get("/home/trainer").get_data(as_text=True)
    assert client.get(f"/trainer/cohorts/{world.cohort.id}/trainees/{quiet.id}").status_code == 404
    for kind in ("mastery", "verdicts", "answers", "runs"):
        text = client.get(f"/trainer/cohorts/{world.cohort.id}/export/{kind}.csv").get_data(as_text=True)
        assert "quiet@example.test" not in text, kind
    mastery = list(
        csv.reader(
            io.StringIO(
                client.get(f"/trainer/cohorts/{world.cohort.id}/export/mastery.csv").get_data(as_text=True)
            )
        )
    )
    assert [row[1] for row in mastery[1:]] == [world.trainee.email]
    rows = cohorts.dashboard_rows(db.session.get(Cohort, world.cohort.id), clock.now())
    assert [r.user.email for r in rows] == [world.trainee.email]


def test_reactivating_brings_the_trainee_back_with_their_history(world):
    group = db.session.get(Cohort, world.cohort.id)
    world.trainee.active = False
    db.session.commit()
    assert cohorts.dashboard_rows(group, clock.now()) == []
    world.trainee.active = True
    db.session.commit()
    assert [r.user.id for r in cohorts.dashboard_rows(group, clock.now())] == [world.trainee.id]


def test_the_admin_cohort_page_marks_inactive_trainees(client, world, signed_in):
    world.trainee.active = False
    db.session.commit()
    signed_in(world.admin)
    page = client.get(f"/admin/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "inactive: not on the trainers' dashboard" in page
