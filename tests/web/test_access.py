"""Authorization and CSRF across every route: the tables in access_table.py are the contract."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.conftest import login
from tests.web.access_table import ACTORS, CSRF_EXEMPT, CSRF_EXEMPT_BLUEPRINTS, ROUTES, params, records

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def all_routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        found += [(method, rule.endpoint) for method in sorted(rule.methods & METHODS)]
    return found


def test_every_route_is_in_the_access_table(app):
    missing = [route for route in all_routes(app) if route not in ROUTES]
    assert not missing, f"routes missing from tests/web/access_table.py: {missing}"
    stale = [route for route in ROUTES if route not in set(all_routes(app))]
    assert not stale, f"access table names routes that no longer exist: {stale}"


@pytest.mark.parametrize("actor", ACTORS)
def test_each_actor_gets_the_expected_status_everywhere(app, world, bank, actor):
    app.config["WTF_CSRF_ENABLED"] = False  # authorization alone; CSRF has its own test below
    try:
        client = app.test_client()
        if actor != "anonymous":
            assert login(client, getattr(world, actor).email).status_code == 302
        arguments = params(world, records(world))
        wrong = []
        for (method, endpoint), expected in ROUTES.items():
            with app.test_request_context():
                url = url_for(endpoint, **arguments.get(endpoint, {}))
            response = client.open(url, method=method, data={})
            allowed = expected[actor] if isinstance(expected[actor], tuple) else (expected[actor],)
            if response.status_code not in allowed:
                wrong.append(f"{method} {url}: {response.status_code}, expected {allowed}")
            if endpoint == "auth.logout" and actor != "anonymous":
                login(client, getattr(world, actor).email)
        assert not wrong, f"{actor}:\n" + "\n".join(wrong)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_no_state_changing_route_works_without_a_csrf_token(app, world, bank):
    client = app.test_client()
    login(client, world.admin.email)
    arguments = params(world, records(world))
    accepted = []
    for method, endpoint in all_routes(app):
        if method == "GET":
            continue
        with app.test_request_context():
            url = url_for(endpoint, **arguments.get(endpoint, {}))
        response = client.open(url, method=method, data={"name": "x"})
        if (method, endpoint) in CSRF_EXEMPT:  # refused by their own checks instead
            if response.status_code != 400:
                accepted.append(f"{method} {url} -> {response.status_code} (CSRF-exempt, must still refuse)")
            continue
        if endpoint.partition(".")[0] in CSRF_EXEMPT_BLUEPRINTS:  # the admin's cookie must not authenticate
            if response.status_code != 401:
                accepted.append(
                    f"{method} {url} -> {response.status_code} with a session cookie, expected 401"
                )
            continue
        if response.status_code != 400 or "form expired" not in response.get_data(as_text=True):
            accepted.append(f"{method} {url} -> {response.status_code}")
    assert not accepted, "accepted without a CSRF token:\n" + "\n".join(accepted)
