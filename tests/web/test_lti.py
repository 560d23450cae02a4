"""The academy as an LTI 1.3 tool, launched from a real platform (lti1p3platform served over HTTP on
127.0.0.1): sign-in and role mapping, deep linking, grades through AGS, and refused launches."""

from __future__ import annotations

import json
import re

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Cohort,
    LtiIdentity,
    LtiPlatform,
    LtiScore,
    QuestionVersion,
    Role,
    ScenarioAttempt,
    StudySession,
    User,
)
from tests.conftest import csrf_token
from tests.lti_platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    INSTRUCTOR,
    LEARNER,
    TEACHING_ASSISTANT,
    RunningPlatform,
    form_fields,
    new_private_pem,
)
from tests.web.test_exams import _save as _save_exam_item
from tests.web.test_exams import _start as _start_exam
from tests.web.test_practice import _item_version, _right_response

TOOL = "http://localhost"


@pytest.fixture(scope="session")
def platform_server():
    server = RunningPlatform()
    yield server
    server.stop()


@pytest.fixture
def platform(app, client, platform_server):
    """The platform knows the tool from `flask lti register` and its JWKS; the tool knows the platform
    from `flask lti add-platform`, as an LMS administrator and an academy administrator would set them."""
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["lti", "register", "--base-url", TOOL, "--json"])
    assert printed.exit_code == 0, printed.output
    tool = json.loads(printed.output)
    tool["jwks"] = client.get("/lti/jwks").get_json()
    platform_server.reset(tool)
    url = platform_server.url
    added = runner.invoke(
        args=[
            "lti",
            "add-platform",
            "--name",
            "Test LMS",
            "--issuer",
            url,
            "--client-id",
            CLIENT_ID,
            "--deployment-id",
            DEPLOYMENT_ID,
            "--auth-login-url",
            f"{url}/auth",
            "--auth-token-url",
            f"{url}/token",
            "--key-set-url",
            f"{url}/jwks",
        ]
    )
    assert added.exit_code == 0, added.output
    return platform_server


def launch(
    client, platform, user: str, roles: list[str], link: str | None = None, deep: bool = False, **extra
):
    """Platform link -> tool OIDC login -> platform authorization -> id_token posted to the tool's launch,
    with the browser's cookies kept by the test client. Returns (launch response, the posted form)."""
    started = requests.get(
        platform.start_url(user, roles, link, deep, **extra), allow_redirects=False, timeout=10
    )
    assert started.status_code == 302, started.text
    login = client.get(started.headers["Location"])
    assert login.status_code == 302, login.get_data(as_text=True)
    authorized = requests.get(login.headers["Location"], timeout=10)
    assert authorized.status_code == 200, authorized.text
    action, fields = form_fields(authorized.text)
    assert action == f"{TOOL}/lti/launch"
    return client.post(action, data=fields), fields


def test_register_prints_what_an_lms_administrator_enters(app):
    output = (
        app.test_cli_runner()
        .invoke(args=["lti", "register", "--base-url", "https://academy.example.com"])
        .output
    )
    for line in (
        "OIDC login initiation URL    https://academy.example.com/lti/login",
        "Redirection (launch) URL     https://academy.example.com/lti/launch",
        "Deep linking URL             https://academy.example.com/lti/launch",
        "Public keyset (JWKS) URL     https://academy.example.com/lti/jwks",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    ):
        assert line in output


def test_platforms_lists_the_registration(app, platform):
    output = app.test_cli_runner().invoke(args=["lti", "platforms"]).output
    assert "Test LMS" in output and f"issuer {platform.url}" in output and DEPLOYMENT_ID in output
    assert output.strip().endswith("1 platform(s)")


def test_learner_launch_signs_in_as_trainee_and_lands_on_the_study_set(client, bank, platform):
    platform.add_link("study-d7", "study:domain:D7")
    response, _ = launch(
        client, platform, "lms-learner-1", [LEARNER], "study-d7", name="Lee Learner", email="lee@company.test"
    )
    assert response.status_code == 302
    session = db.session.scalar(select(StudySession))
    assert response.headers["Location"] == f"/practice/sessions/{session.id}/items/0"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "How sure are you?" in page.get_data(as_text=True)
    user = db.session.get(User, session.user_id)
    assert user.email == "lee@company.test" and user.name == "Lee Learner" and user.roles == {Role.TRAINEE}
    assert session.filters.get("domains") == ["D7"]
    identity = db.session.scalar(select(LtiIdentity))
    assert (identity.issuer, identity.subject, identity.user_id) == (platform.url, "lms-learner-1", user.id)
    cohort = db.session.scalar(select(Cohort))
    assert cohort.name == "Order management 101 (LMS)" and cohort.trainees == [user]


def test_a_second_launch_signs_in_the_same_account(client, bank, platform):
    platform.add_link("scenario", "scenario:fx-split-shipment")
    launch(client, platform, "lms-learner-2", [LEARNER], "scenario")
    other_browser = client.application.test_client()
    response, _ = launch(other_browser, platform, "lms-learner-2", [LEARNER], "scenario")
    attempt = db.session.scalar(select(ScenarioAttempt))
    assert response.headers["Location"] == f"/scenarios/attempts/{attempt.id}"  # the open attempt resumed
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("role", [INSTRUCTOR, TEACHING_ASSISTANT])
def test_instructor_launch_maps_to_trainer_of_the_course_cohort(client, bank, platform, role):
    platform.add_link("exam", "exam")
    response, _ = launch(client, platform, "lms-teacher", [role], "exam")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = db.session.scalar(select(User))
    assert user.roles == {Role.TRAINER}
    assert db.session.scalar(select(Cohort)).trainers == [user]
    assert client.get("/home/trainer").status_code == 200


def test_an_email_already_used_does_not_sign_in_that_account(client, world, bank, platform):
    """Accounts are never matched by e-mail: an LMS claiming the admin's address gets its own account."""
    platform.add_link("exam", "exam")
    launch(client, platform, "lms-impostor", [LEARNER], "exam", email=world.admin.email)
    user = db.session.scalar(select(User).join(LtiIdentity, LtiIdentity.user_id == User.id))
    assert user.id != world.admin.id and user.email.endswith("@lti.invalid") and user.roles == {Role.TRAINEE}
    assert client.get("/admin/").status_code == 403


def test_deep_linking_round_trip_then_the_learner_launches_the_new_link(client, bank, platform):
    response, _ = launch(client, platform, "lms-teacher", [INSTRUCTOR], deep=True)
    assert response.status_code == 302 and "/lti/deep-link/" in response.headers["Location"]
    picker = client.get(response.headers["Location"])
    text = picker.get_data(as_text=True)
    assert picker.status_code == 200 and "Order management 101" in text
    assert (
        'value="scenario:fx-split-shipment"' in text and 'value="exam"' in text and "study:domain:D7" in text
    )
    answer = client.post(
        response.headers["Location"],
        data={
            "csrf_token": csrf_token(client, response.headers["Location"]),
            "resource": "scenario:fx-split-shipment",
            "title": "Split shipment drill",
        },
    )
    assert answer.status_code == 200
    assert f"form-action 'self' {platform.url}" in answer.headers["Content-Security-Policy"]
    action, fields = form_fields(answer.get_data(as_text=True), "data-autosubmit")
    assert set(fields) == {"JWT"}
    assert action == f"{platform.url}/deep-link-return"
    accepted = requests.post(action, data=fields, timeout=10)
    assert accepted.status_code == 200 and accepted.text == "added 1 item(s)", accepted.text
    item = platform.state.deep_link_items[0]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Split shipment drill"
    assert item["custom"] == {"odesk_resource": "scenario:fx-split-shipment"}
    assert item["lineItem"]["scoreMaximum"] == 100 and "window" in item
    # the picker answers once
    assert client.get(response.headers["Location"]).status_code == 404

    learner = client.application.test_client()
    link_id = next(iter(platform.state.links))
    landed, _ = launch(learner, platform, "lms-learner-3", [LEARNER], link_id)
    attempt = db.session.scalar(select(ScenarioAttempt))
    assert landed.headers["Location"] == f"/scenarios/attempts/{attempt.id}"


def test_a_learner_cannot_answer_a_deep_linking_request(client, bank, platform):
    response, _ = launch(client, platform, "lms-learner", [LEARNER], deep=True)
    assert response.status_code == 403
    assert "instructors can choose what it links to" in response.get_data(as_text=True)


def _play_scenario_to_the_end(client, attempt_id: int):
    for ref, step, extra in (
        ("start/1", 0, {}),
        ("note/next", 1, {"text": "SO-9001 line 1 today, line 2 Friday."}),
    ):
        response = client.post(
            f"/scenarios/attempts/{attempt_id}/decide",
            data={"csrf_token": csrf_token(client, "/scenarios/"), "ref": ref, "step": str(step), **extra},
        )
        assert response.status_code == 302
    return response


def test_grade_passback_arrives_at_the_platform_with_the_score(client, bank, platform):
    platform.add_link("scenario", "scenario:fx-split-shipment")
    launch(client, platform, "lms-learner-4", [LEARNER], "scenario")
    attempt = db.session.scalar(select(ScenarioAttempt))
    assert platform.state.scores == []
    done = _play_scenario_to_the_end(client, attempt.id)
    assert done.headers["Location"].endswith("/debrief")
    db.session.refresh(attempt)
    assert len(platform.state.scores) == 1
    score = platform.state.scores[0]
    assert score["userId"] == "lms-learner-4" and score["scoreGiven"] == attempt.total == 100
    assert score["scoreMaximum"] == 100 and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded" and score["lineitem"] == 1
    assert db.session.scalar(select(LtiScore)).status == "sent"


def test_a_platform_that_is_down_does_not_break_the_page_and_the_score_is_resent(app, client, bank, platform):
    platform.add_link("study-d7", "study:domain:D7")
    response, _ = launch(client, platform, "lms-learner-5", [LEARNER], "study-d7")
    session = db.session.scalar(select(StudySession))
    platform.state.down = True
    for position in range(session.planned):
        url = f"/practice/sessions/{session.id}/items/{position}"
        page = client.get(url).get_data(as_text=True)
        served_at = re.search(r'name="served_at"[^>]*value="([^"]+)"', page).group(1)
        answer = client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                "confidence": "high",
                "served_at": served_at,
                **_right_response(_item_version(session.id, position)),
            },
        )
        assert answer.status_code == 302
    pending = db.session.scalar(select(LtiScore))
    assert pending is not None and pending.status == "pending" and "503" in pending.last_error
    assert platform.state.scores == []

    platform.state.down = False
    result = app.test_cli_runner().invoke(args=["lti", "resend-scores"])
    assert result.exit_code == 0 and "1 sent, 0 still pending" in result.output
    db.session.refresh(pending)
    assert pending.status == "sent" and pending.attempts == 2
    assert [s["scoreGiven"] for s in platform.state.scores] == [pending.score_given]


def test_a_replayed_launch_is_refused(client, bank, platform):
    platform.add_link("exam", "exam")
    first, fields = launch(client, platform, "lms-learner-6", [LEARNER], "exam")
    assert first.status_code == 302
    replay = client.post("/lti/launch", data=fields)
    assert replay.status_code == 400
    assert "already used" in replay.get_data(as_text=True)


def test_a_launch_without_the_state_cookie_is_refused(client, bank, platform):
    platform.add_link("exam", "exam")
    started = requests.get(
        platform.start_url("lms-learner-7", [LEARNER], "exam"), allow_redirects=False, timeout=10
    )
    login = client.get(started.headers["Location"])
    fields = form_fields(requests.get(login.headers["Location"], timeout=10).text)[1]
    elsewhere = client.application.test_client()  # another browser: no state cookie
    refused = elsewhere.post("/lti/launch", data=fields)
    assert refused.status_code == 400 and "state cookie" in refused.get_data(as_text=True)
    assert elsewhere.get("/account").status_code == 302  # not signed in


def test_a_launch_signed_with_a_wrong_key_is_refused(client, bank, platform):
    platform.add_link("exam", "exam")
    platform.state.forge_with = new_private_pem()
    response, _ = launch(client, platform, "lms-learner-8", [LEARNER], "exam")
    assert response.status_code == 400
    assert "signature does not match" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None and client.get("/account").status_code == 302


def test_an_unknown_issuer_is_refused_with_a_clear_page(client, platform):
    response = client.get(
        "/lti/login",
        query_string={
            "iss": "https://lms.elsewhere.test",
            "login_hint": "x",
            "target_link_uri": f"{TOOL}/lti/launch",
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "not registered with Order Desk Academy" in text and "https://lms.elsewhere.test" in text
    assert "flask lti add-platform" in text


def test_an_unknown_client_id_is_refused_with_a_clear_page(client, platform):
    response = client.post(
        "/lti/login", data={"iss": platform.url, "login_hint": "x", "client_id": "someone-else"}
    )
    assert response.status_code == 400 and "client id &#39;someone-else&#39;" in response.get_data(
        as_text=True
    )


def test_the_jwks_publishes_the_key_deep_linking_answers_are_signed_with(client):
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0]  # never the private part


def test_an_exam_link_scores_the_first_practice_exam_submitted_after_the_launch(client, bank, platform):
    platform.add_link("exam", "exam")
    response, _ = launch(client, platform, "lms-learner-9", [LEARNER], "exam")
    assert response.headers["Location"] == "/exams/"
    exam = _start_exam(client)
    first = db.session.get(QuestionVersion, exam.version_ids[0])
    _save_exam_item(client, exam, 0, confidence="high", **_right_response(first))
    assert platform.state.scores == []  # saving an answer completes nothing
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})
    db.session.refresh(exam)
    assert [s["scoreGiven"] for s in platform.state.scores] == [round(100 * exam.score, 1)]
    assert 0 < exam.score < 1


def test_a_link_to_something_the_academy_does_not_know_says_so_and_cannot_be_replayed(client, bank, platform):
    platform.add_link("odd", "video:intro")
    response, fields = launch(client, platform, "lms-learner-10", [LEARNER], "odd")
    assert response.status_code == 400
    assert "&#39;video:intro&#39; is not one the academy knows" in response.get_data(as_text=True)
    assert "already used" in client.post("/lti/launch", data=fields).get_data(as_text=True)


def test_a_launch_for_a_client_id_no_longer_registered_names_it(client, bank, platform):
    platform.add_link("exam", "exam")
    started = requests.get(
        platform.start_url("lms-learner-11", [LEARNER], "exam"), allow_redirects=False, timeout=10
    )
    login = client.get(started.headers["Location"])
    fields = form_fields(requests.get(login.headers["Location"], timeout=10).text)[1]
    db.session.scalar(select(LtiPlatform)).client_id = "re-registered"
    db.session.commit()
    refused = client.post("/lti/launch", data=fields)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "not registered with Order Desk Academy" in text
    assert f"issuer &#39;{platform.url}&#39;, client id &#39;{CLIENT_ID}&#39;" in text


def test_a_link_without_its_own_line_item_gets_one_made_once_by_the_tool(client, bank, platform):
    platform.add_link("by-hand", "scenario:fx-split-shipment", lineitem=False)
    launch(client, platform, "lms-learner-12", [LEARNER], "by-hand")
    _play_scenario_to_the_end(client, db.session.scalar(select(ScenarioAttempt)).id)
    assert platform.state.lineitems == {
        1: {
            "scoreMaximum": 100,
            "label": "scenario:fx-split-shipment",
            "resourceId": "scenario:fx-split-shipment",
            "tag": "scenario:fx-split-shipment",
            "resourceLinkId": "by-hand",
        }
    }
    assert [(s["lineitem"], s["scoreGiven"]) for s in platform.state.scores] == [(1, 100)]
    launch(
        client, platform, "lms-learner-12", [LEARNER], "by-hand"
    )  # again: a new attempt, the same line item
    latest = db.session.scalar(select(ScenarioAttempt).order_by(ScenarioAttempt.id.desc()).limit(1))
    _play_scenario_to_the_end(client, latest.id)
    assert len(platform.state.lineitems) == 1
    assert [(s["lineitem"], s["scoreGiven"]) for s in platform.state.scores] == [(1, 100), (1, 100)]
