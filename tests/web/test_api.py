"""The JSON API: personal access tokens, policy through tokens, paging and date filters, problem+json."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, ApiToken, Question, User
from app.services import progress, tokens
from tests import factories
from tests.conftest import csrf_token

ALL_SCOPES = list(tokens.SCOPES)


def bearer(user, scopes=ALL_SCOPES, expires_at=None) -> dict[str, str]:
    _token, secret = tokens.create_token(user, "test", scopes, expires_at, datetime.now(UTC))
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


# -- the token pages ------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_hash_is_stored(client, world, signed_in):
    signed_in(world.trainer)
    assert 'href="/account/tokens"' in client.get("/account").get_data(as_text=True)
    response = client.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token(client, "/account/tokens"),
            "name": "Reporting",
            "scopes": ["users:read"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token">(oda_[A-Za-z0-9_-]+)<', page).group(1)
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([stored.name, stored.prefix, stored.token_hash]) and secret.startswith(
        stored.prefix
    )
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and f"{stored.prefix}…" in listing and "Reporting" in listing
    assert client.get("/api/v1/users", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert db.session.get(ApiToken, stored.id).last_used_at is not None
    assert "last used" in listing.lower()


def test_a_revoked_token_gets_401_and_admins_can_revoke_anyones(client, world, signed_in):
    headers = bearer(world.trainee)
    token = db.session.scalar(select(ApiToken))
    assert client.get(f"/api/v1/users/{world.trainee.id}", headers=headers).status_code == 200
    signed_in(world.admin)
    assert "Tess Trainee" in client.get("/admin/tokens").get_data(as_text=True)
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/admin/tokens")}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/tokens"
    assert_problem(client.get(f"/api/v1/users/{world.trainee.id}", headers=headers), 401)
    assert "revoked" in client.get("/admin/tokens").get_data(as_text=True)


def test_someone_elses_token_cannot_be_revoked(client, world, signed_in):
    bearer(world.trainee)
    token = db.session.scalar(select(ApiToken))
    signed_in(world.trainer)
    response = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.status_code == 404 and db.session.get(ApiToken, token.id).revoked_at is None


def test_expired_tokens_and_deactivated_peoples_tokens_get_401(client, world):
    expired = bearer(world.trainee, expires_at=datetime.now(UTC) + timedelta(seconds=1))
    token = db.session.scalar(select(ApiToken))
    token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    body = assert_problem(client.get("/api/v1/users", headers=expired), 401)
    assert "expired" in body["detail"]
    headers = bearer(world.trainer)
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    world.trainer.active = False
    db.session.commit()
    response = client.get("/api/v1/users", headers=headers)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_does_not_authenticate_the_api(client, world, signed_in):
    signed_in(world.admin)
    assert_problem(client.get("/api/v1/users"), 401)
    assert_problem(
        client.post("/api/v1/users", json={"email": "x@example.test", "name": "X", "roles": ["trainee"]}), 401
    )
    assert db.session.scalar(select(User).where(User.email == "x@example.test")) is None


def test_a_token_acts_as_its_person_even_beside_anothers_cookie(client, world, signed_in):
    signed_in(world.admin)
    headers = bearer(world.trainee)
    assert client.get(f"/api/v1/users/{world.trainee.id}", headers=headers).status_code == 200
    assert_problem(client.get(f"/api/v1/users/{world.admin.id}", headers=headers), 404)


def test_a_missing_scope_is_403(client, world):
    headers = bearer(world.admin, ["users:read"])
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    body = assert_problem(client.get(f"/api/v1/cohorts/{world.cohort.id}", headers=headers), 403)
    assert "cohorts:read" in body["detail"]


def test_failed_tokens_are_rate_limited_per_address(app, client, world):
    app.config["API_AUTH_FAILURE_RATE_LIMIT"] = "3 per minute"
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    try:
        statuses = [
            client.get(
                "/api/v1/users", headers={"Authorization": "Bearer oda_guess"}, environ_base=elsewhere
            ).status_code
            for _ in range(4)
        ]
        from_here = client.get("/api/v1/users", headers=bearer(world.admin)).status_code
        blocked = client.get(
            "/api/v1/users", headers={"Authorization": "Bearer oda_guess"}, environ_base=elsewhere
        )
    finally:
        app.config["API_AUTH_FAILURE_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [401, 401, 401, 429]
    assert_problem(blocked, 429)
    assert from_here == 200  # another address is not blocked, and successes never count


# -- policy -----------------------------------------------------------------------------------------------


def test_a_trainer_sees_only_their_cohorts_trainees(client, world):
    headers = bearer(world.trainer)
    listed = [u["id"] for u in client.get("/api/v1/users", headers=headers).get_json()["items"]]
    assert sorted(listed) == sorted([world.trainer.id, world.trainee.id])
    assert client.get(f"/api/v1/trainees/{world.trainee.id}/answers", headers=headers).status_code == 200
    for path in (
        f"/api/v1/users/{world.other_trainee.id}",
        f"/api/v1/trainees/{world.other_trainee.id}/answers",
        f"/api/v1/trainees/{world.other_trainee.id}/readiness",
        f"/api/v1/cohorts/{world.other_cohort.id}",
        f"/api/v1/cohorts/{world.other_cohort.id}/exports/answers",
    ):
        assert_problem(client.get(path, headers=headers), 404)


def test_a_trainee_cannot_list_others_or_administer(client, world):
    headers = bearer(world.trainee)
    assert_problem(client.get("/api/v1/users", headers=headers), 403)
    assert (
        client.get(f"/api/v1/users/{world.trainee.id}", headers=headers).get_json()["email"]
        == world.trainee.email
    )
    assert_problem(client.get(f"/api/v1/users/{world.other_trainee.id}", headers=headers), 404)
    assert_problem(client.get("/api/v1/cohorts", headers=headers), 403)
    assert_problem(client.get("/api/v1/statistics/items", headers=headers), 403)
    assert_problem(
        client.post(
            "/api/v1/users",
            headers=headers,
            json={"email": "new@example.test", "name": "New", "roles": ["admin"]},
        ),
        403,
    )


def test_a_page_of_people_costs_the_same_queries_whatever_its_size(client, world, count_queries):
    headers = bearer(world.admin)
    client.get("/api/v1/users?limit=3", headers=headers)
    with count_queries() as small:
        client.get("/api/v1/users?limit=3", headers=headers)
    for n in range(20):
        factories.user(email=f"bulk{n}@example.test")
    with count_queries() as large:
        assert len(client.get("/api/v1/users?limit=25", headers=headers).get_json()["items"]) == 25
    assert large.n == small.n <= 4  # the token, its person with roles, the page, the page's roles


# -- provisioning -----------------------------------------------------------------------------------------


def test_an_admin_creates_and_deactivates_a_person_seen_on_the_admin_pages(client, world, signed_in):
    headers = bearer(world.admin)
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "email": "New.Hire@Example.test",
            "name": "Nina New",
            "roles": ["trainee"],
            "cohort_id": world.cohort.id,
        },
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created["email"] == "new.hire@example.test" and created["trainee_in"] == [world.cohort.id]
    assert_problem(
        client.post(
            "/api/v1/users",
            headers=headers,
            json={"email": "new.hire@example.test", "name": "Again", "roles": ["trainee"]},
        ),
        409,
    )
    signed_in(world.admin)
    assert "Nina New" in client.get(f"/admin/cohorts/{world.cohort.id}").get_data(as_text=True)
    row = re.search(
        r"new\.hire@example\.test</td>\s*<td>[^<]*</td>\s*<td>(\w+)</td>",
        client.get("/admin/users").get_data(as_text=True),
    )
    assert row.group(1) == "active"
    deactivated = client.post(f"/api/v1/users/{created['id']}/deactivate", headers=headers)
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    row = re.search(
        r"new\.hire@example\.test</td>\s*<td>[^<]*</td>\s*<td>(\w+)</td>",
        client.get("/admin/users").get_data(as_text=True),
    )
    assert row.group(1) == "inactive"


def test_the_last_admin_cannot_be_deactivated(client, world):
    body = assert_problem(
        client.post(f"/api/v1/users/{world.admin.id}/deactivate", headers=bearer(world.admin)), 409
    )
    assert "only active admin" in body["detail"]


def test_cohorts_are_created_and_their_members_changed(client, world):
    headers = bearer(world.admin)
    created = client.post(
        "/api/v1/cohorts", headers=headers, json={"name": "Cohort C", "trainer_ids": [world.trainer.id]}
    ).get_json()
    assert created["trainer_ids"] == [world.trainer.id] and created["trainee_ids"] == []
    added = client.put(f"/api/v1/cohorts/{created['id']}/trainees/{world.other_trainee.id}", headers=headers)
    assert added.get_json()["trainee_ids"] == [world.other_trainee.id]
    assert_problem(
        client.put(f"/api/v1/cohorts/{created['id']}/trainees/{world.author.id}", headers=headers), 409
    )
    removed = client.delete(
        f"/api/v1/cohorts/{created['id']}/trainees/{world.other_trainee.id}", headers=headers
    )
    assert removed.get_json()["trainee_ids"] == []
    assert_problem(client.post("/api/v1/cohorts", headers=headers, json={"name": "cohort c"}), 409)


# -- paging and dates -------------------------------------------------------------------------------------


def _answers(user, question, days_ago: list[int]) -> None:
    now = datetime.now(UTC)
    for n, days in enumerate(days_ago):
        answer = Answer(
            user_id=user.id,
            question_id=question.id,
            question_version_id=question.current_version_id,
            domain=question.domain,
            mode="study",
            chosen=["A"],
            correct=True,
            credit=1.0,
            submission_key=f"api{n}",
            answered_at=now - timedelta(days=days),
        )
        db.session.add(answer)
        progress.record_answer(answer)
    db.session.commit()


def test_answers_are_paged_by_cursor_and_filtered_by_date(client, world, bank):
    _answers(world.trainee, db.session.scalar(select(Question)), [30, 20, 10, 5, 1])
    headers, url = bearer(world.trainer), f"/api/v1/trainees/{world.trainee.id}/answers"
    first = client.get(f"{url}?limit=2", headers=headers).get_json()
    second = client.get(f"{url}?limit=2&cursor={first['next_cursor']}", headers=headers).get_json()
    third = client.get(f"{url}?limit=2&cursor={second['next_cursor']}", headers=headers).get_json()
    ids = [a["id"] for page in (first, second, third) for a in page["items"]]
    assert len(ids) == 5 == len(set(ids)) and ids == sorted(ids) and third["next_cursor"] is None
    today = datetime.now(UTC).date()
    since = (today - timedelta(days=12)).isoformat()
    until = (today - timedelta(days=3)).isoformat()
    window = client.get(f"{url}?from={since}&to={until}", headers=headers).get_json()["items"]
    assert len(window) == 2
    body = assert_problem(client.get(f"{url}?from=yesterday", headers=headers), 422)
    assert "from" in str(body["errors"])


def test_readiness_is_the_stored_report_with_its_evidence(client, world, bank):
    _answers(world.trainee, db.session.scalar(select(Question)), [3, 2])
    response = client.get(f"/api/v1/trainees/{world.trainee.id}/readiness", headers=bearer(world.trainee))
    body = response.get_json()
    assert response.status_code == 200 and body["verdict"] == body["report"]["verdict"]
    cited = {i for c in body["report"]["criteria"] for i in c["evidence"]}
    assert {f"answer:{a['id']}" for a in body["evidence"]["answers"]} <= cited
    # the page shows the same stored report: no recomputation on a second read
    again = client.get(
        f"/api/v1/trainees/{world.trainee.id}/readiness", headers=bearer(world.trainee)
    ).get_json()
    assert again["report"] == body["report"]


def test_exports_are_the_csv_rows_as_objects(client, world, bank):
    _answers(world.trainee, db.session.scalar(select(Question)), [3, 2, 1])
    headers, url = bearer(world.trainer), f"/api/v1/cohorts/{world.cohort.id}/exports/answers"
    first = client.get(f"{url}?limit=2", headers=headers).get_json()
    assert first["columns"][0] == "answer_id" and len(first["rows"]) == 2 and first["next_page"] == 2
    rest = client.get(f"{url}?limit=2&page=2", headers=headers).get_json()
    assert len(rest["rows"]) == 1 and rest["next_page"] is None
    assert rest["rows"][0]["email"] == world.trainee.email
    assert_problem(client.get(f"/api/v1/cohorts/{world.cohort.id}/exports/secrets", headers=headers), 404)


# -- problems ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/v1/nothing-here", 404), ("DELETE", "/api/v1/users", 405), ("GET", "/api/v1", 404)],
)
def test_unknown_urls_and_methods_are_problems(client, method, path, status):
    assert_problem(client.open(path, method=method), status)


def test_bad_json_and_invalid_fields_are_problems(client, world):
    headers = {**bearer(world.admin), "Content-Type": "application/json"}
    assert_problem(client.post("/api/v1/users", headers=headers, data="{not json"), 400)
    body = assert_problem(
        client.post("/api/v1/users", headers=headers, json={"email": "x", "roles": []}), 422
    )
    assert set(body["errors"]["json"]) == {"email", "name", "roles"}
    body = assert_problem(
        client.post("/api/v1/cohorts", headers=headers, json={"name": "Night\x00shift"}), 422
    )
    assert "NUL" in str(body["errors"]["json"]["name"])


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_writes_through_the_api_are_logged_as_the_tokens_person(client, world, caplog):
    headers = bearer(world.admin)
    caplog.set_level(logging.INFO, logger="app.audit")
    client.post("/api/v1/cohorts", headers=headers, json={"name": "Audited"})
    writes = [r for r in caplog.records if getattr(r, "event", None) == "write" and r.table == "cohorts"]
    assert [(w.op, w.user) for w in writes] == [("insert", world.admin.id)]
