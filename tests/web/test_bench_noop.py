"""bench/noop_app.py: the signed-in no-op `make bench` serves to measure the fixed cost of a signed-in
request. It must really require a sign-in (or it would measure less), and it must stay out of app/."""

from __future__ import annotations

from app.extensions import db
from bench.noop_app import PATH, create_noop_app
from config import TestConfig
from tests import factories
from tests.conftest import login


def test_the_noop_route_answers_a_signed_in_person_and_sends_others_to_sign_in(app, database_url):
    person = factories.user()
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    noop = create_noop_app(config)
    try:
        client = noop.test_client()
        signed_out = client.get(PATH)
        assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
        assert login(client, person.email).status_code == 302
        signed_in = client.get(PATH)
        assert signed_in.status_code == 200 and signed_in.get_data(as_text=True) == "ok"
    finally:
        with noop.app_context():
            db.session.remove()
            db.engine.dispose()
    assert PATH not in {rule.rule for rule in app.url_map.iter_rules()}
