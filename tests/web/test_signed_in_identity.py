"""The signed-in person is read with one statement per request, and what an admin changes (roles,
deactivation, ended sessions) holds from the very next request: nothing about a person is kept between
requests."""

from __future__ import annotations

from flask import g

from app.extensions import db
from app.models import Role
from tests.conftest import login


def _next_request():
    g.pop("_login_user", None)


def test_a_signed_in_page_reads_the_person_once_and_writes_nothing(client, world, count_queries):
    login(client, world.trainee.email)
    db.session.expire_all()
    _next_request()
    with count_queries() as counted:
        assert client.get("/account").status_code == 200
    about_people = [s for s in counted.statements if "FROM users" in s or "FROM user_roles" in s]
    assert len(about_people) == 1, about_people
    assert not [
        s for s in counted.statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_a_role_taken_away_closes_its_pages_on_the_next_request(client, world):
    login(client, world.trainee.email)
    assert client.get("/practice/").status_code == 200
    world.trainee.set_roles({Role.AUTHOR})
    db.session.commit()
    db.session.expunge_all()  # as another worker would: it never saw this request's objects
    _next_request()
    assert client.get("/practice/").status_code == 403


def test_a_deactivated_person_is_signed_out_on_the_next_request(client, world):
    login(client, world.trainee.email)
    world.trainee.active = False
    db.session.commit()
    db.session.expunge_all()
    _next_request()
    assert client.get("/practice/").status_code == 302


def test_ending_sessions_elsewhere_signs_this_browser_out(client, world):
    login(client, world.trainee.email)
    world.trainee.end_sessions()
    db.session.commit()
    db.session.expunge_all()
    _next_request()
    assert client.get("/practice/").status_code == 302
