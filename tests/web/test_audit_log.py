"""Every write is logged as a JSON line with who did it and the request id, which the response returns."""

from __future__ import annotations

import json
import logging

from app.audit import JsonFormatter
from tests.conftest import csrf_token


def test_a_write_is_logged_with_its_user_and_the_request_id(client, world, bank, signed_in, caplog):
    signed_in(world.trainee)
    caplog.set_level(logging.INFO, logger="app.audit")
    response = client.post(
        "/practice/study",
        data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"},
        headers={"X-Request-ID": "req-12345678"},
    )
    assert response.headers["X-Request-ID"] == "req-12345678"
    writes = [
        r for r in caplog.records if getattr(r, "event", None) == "write" and r.table == "study_sessions"
    ]
    assert writes and writes[0].op == "insert"
    line = json.loads(JsonFormatter().format(writes[0]))
    assert line["user"] == world.trainee.id and line["request_id"] == "req-12345678" and line["id"]


def test_error_pages_quote_the_request_id(client):
    response = client.get("/no/such/page")
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)
