"""Admins create accounts and cohorts, give roles, put trainees in cohorts."""

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, Role, User
from app.services import accounts
from tests.conftest import csrf_token


def test_admin_creates_an_account_with_several_roles_in_a_cohort(client, world, signed_in):
    signed_in(world.admin)
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@Example.test",
            "name": "New Person",
            "roles": ["trainee", "author"],
            "password": "long-enough-pw",
            "cohort": world.cohort.id,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    person = accounts.find_user("new.person@example.test")
    assert person.roles == {Role.TRAINEE, Role.AUTHOR}
    assert person in db.session.get(Cohort, world.cohort.id).trainees


def test_bad_input_is_explained_beside_the_field(client, world, signed_in):
    signed_in(world.admin)
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "email": world.trainee.email,
            "name": "Dup",
            "roles": ["trainee"],
            "password": "long-enough-pw",
            "cohort": 0,
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already exists" in html
    response = client.post(
        "/admin/users/new",
        data={"email": "not-an-email", "name": "", "password": "short", "cohort": 0, "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert "Enter an e-mail address" in html and "Pick at least one role" in html and "at least 10" in html


def test_admin_edits_roles_and_deactivates(client, world, signed_in):
    signed_in(world.admin)
    token = csrf_token(client, f"/admin/users/{world.trainee.id}")
    client.post(
        f"/admin/users/{world.trainee.id}",
        data={"name": "Tess T", "roles": ["trainee", "trainer"], "csrf_token": token},
    )
    person = db.session.get(User, world.trainee.id)
    db.session.refresh(person)
    assert person.roles == {Role.TRAINEE, Role.TRAINER} and person.active is False


def test_admin_creates_cohort_and_moves_trainees(client, world, signed_in):
    signed_in(world.admin)
    token = csrf_token(client, "/admin/cohorts/new")
    response = client.post(
        "/admin/cohorts/new",
        data={"name": "Spring 2027", "trainers": [world.trainer.id], "csrf_token": token},
    )
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Spring 2027"))
    assert response.status_code == 302 and cohort.trainers == [world.trainer]
    client.post(
        f"/admin/cohorts/{cohort.id}/trainees", data={"trainee": world.other_trainee.id, "csrf_token": token}
    )
    db.session.expire_all()
    assert world.other_trainee in db.session.get(Cohort, cohort.id).trainees
    client.post(
        f"/admin/cohorts/{cohort.id}/trainees/{world.other_trainee.id}/remove", data={"csrf_token": token}
    )
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).trainees == []
    duplicate = client.post("/admin/cohorts/new", data={"name": "spring 2027", "csrf_token": token})
    assert "already exists" in duplicate.get_data(as_text=True)


def test_unknown_ids_are_404(client, world, signed_in):
    signed_in(world.admin)
    assert client.get("/admin/users/99999").status_code == 404
    assert client.get("/admin/cohorts/99999").status_code == 404


def test_the_only_admin_cannot_demote_or_deactivate_themselves(client, world, signed_in):
    from tests.conftest import csrf_token

    signed_in(world.admin)
    page = f"/admin/users/{world.admin.id}"
    for data in ({"roles": ["trainer"], "active": "y"}, {"roles": ["admin"]}):
        response = client.post(
            page, data={"csrf_token": csrf_token(client, page), "name": world.admin.name, **data}
        )
        assert response.status_code == 400 and "the only active admin" in response.get_data(as_text=True)
    db.session.refresh(world.admin)
    assert world.admin.active and "admin" in {r.value for r in world.admin.roles}


def test_the_cli_sets_a_password_and_reactivates_an_account(app, world):
    from app.models import User

    runner = app.test_cli_runner()
    world.trainee.active = False
    db.session.commit()
    result = runner.invoke(args=["users", "reactivate", world.trainee.email])
    assert result.exit_code == 0 and "may sign in again" in result.output
    result = runner.invoke(
        args=["users", "set-password", world.trainee.email, "--password", "a-fresh-password-9"]
    )
    assert result.exit_code == 0
    user = db.session.get(User, world.trainee.id)
    db.session.refresh(user)
    assert user.active and user.check_password("a-fresh-password-9")
    assert runner.invoke(args=["users", "reactivate", "nobody@example.test"]).exit_code == 1
