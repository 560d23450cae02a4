"""E-mail through a real SMTP server (aiosmtpd, started by these tests on a free 127.0.0.1 port): password
reset, the weekly digest, intervention alerts, sign-off requests, opting out, and no SMTP at all."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from flask import g

from app.extensions import db
from app.models import SignOff, SignOffRequest, TraineeReadiness, User
from app.services import password_reset
from config import ProductionConfig
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD

PUBLIC_URL = "https://academy.example.test"
NEW_PASSWORD = "a-brand-new-password"


class Inbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in [a.addr_spec for a in m["To"].addresses]]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server for the whole session; each test empties its inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture
def inbox(app, smtp_server):
    """The app configured to send through the test server (plain SMTP, no login), links to PUBLIC_URL."""
    controller, box = smtp_server
    box.messages.clear()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "PUBLIC_URL")}
    app.config.update(
        SMTP_HOST=controller.hostname, SMTP_PORT=controller.port, SMTP_STARTTLS=False, PUBLIC_URL=PUBLIC_URL
    )
    yield box
    app.config.update(saved)


def _as(client):
    """Requests here share the test's app context: the user and CSRF token cached in `g` for one client must
    go before another client's request (as in test_sessions_end.py)."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return client


def _link(text: str) -> str:
    match = re.search(re.escape(PUBLIC_URL) + r"(/\S+)", text)
    assert match, f"no link to {PUBLIC_URL} in:\n{text}"
    return match.group(1)


def _ask_for_reset(client, address: str):
    _as(client)
    return client.post(
        "/password/forgot", data={"email": address, "csrf_token": csrf_token(client, "/password/forgot")}
    )


def _reset_link(client, inbox, user) -> str:
    _ask_for_reset(client, user.email)
    [message] = inbox.to(user.email)
    return _link(Inbox.text(message))


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    _as(client)
    return client.post(
        path, data={"new_password": password, "confirm": password, "csrf_token": csrf_token(client, "/login")}
    )


# -- password reset ------------------------------------------------------------------------------------------


def test_login_page_offers_a_reset_and_the_mail_brings_a_link_that_sets_a_new_password(client, world, inbox):
    assert "Forgot password?" in client.get("/login").get_data(as_text=True)
    response = _ask_for_reset(client, "  Trainee@Example.test ")
    assert response.status_code == 200
    assert "we have sent it a link" in response.get_data(as_text=True)
    [message] = inbox.to(world.trainee.email)
    assert message["Subject"] == "Set a new password for Order Desk Academy"
    text = Inbox.text(message)
    assert "Hello Tess Trainee" in text and "within 60 minutes" in text
    path = _link(text)
    assert path.startswith("/password/reset/")

    page = client.get(path)
    assert page.status_code == 200 and "Set a new password" in page.get_data(as_text=True)
    response = _set_password(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert login(client, world.trainee.email, PASSWORD).status_code == 200  # the old one is refused
    assert login(client, world.trainee.email, NEW_PASSWORD).status_code == 302


def test_a_forged_host_header_does_not_reach_the_link(client, world, inbox):
    form = client.get("/password/forgot", base_url="http://evil.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post(
        "/password/forgot",
        base_url="http://evil.example",
        data={"email": world.trainee.email, "csrf_token": token},
    )
    [message] = inbox.to(world.trainee.email)
    assert f"{PUBLIC_URL}/password/reset/" in Inbox.text(message) and "evil.example" not in Inbox.text(
        message
    )


def test_production_with_smtp_requires_the_sites_address(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("SMTP_HOST", "smtp.example.test")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        ProductionConfig()
    monkeypatch.setenv("PUBLIC_URL", "https://academy.example.test/")
    assert ProductionConfig().PUBLIC_URL == "https://academy.example.test"


def test_a_new_password_must_follow_the_usual_rules(client, world, inbox):
    path = _reset_link(client, inbox, world.trainee)
    response = _set_password(client, path, "short")
    assert response.status_code == 200 and "Use at least 10 characters." in response.get_data(as_text=True)
    assert login(client, world.trainee.email, PASSWORD).status_code == 302  # nothing changed


def test_a_reset_ends_every_earlier_session(app, world, inbox):
    elsewhere = app.test_client()
    assert login(elsewhere, world.trainee.email).status_code == 302
    assert elsewhere.get("/account").status_code == 200
    resetter = app.test_client()
    _set_password(resetter, _reset_link(resetter, inbox, world.trainee))
    assert _as(elsewhere).get("/account").status_code == 302  # signed out: back to the sign-in page


def test_the_link_works_once(client, world, inbox):
    path = _reset_link(client, inbox, world.trainee)
    assert _set_password(client, path).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)
    assert _set_password(client, path, "yet-another-password").status_code == 400
    assert login(client, world.trainee.email, NEW_PASSWORD).status_code == 302


def test_the_link_expires_after_an_hour(client, world, inbox):
    now = datetime.now(UTC)
    settings = password_reset.ResetSettings.from_config(client.application.config)
    fresh = password_reset.make_token(world.trainee, now - timedelta(minutes=59), settings)
    stale = password_reset.make_token(world.trainee, now - timedelta(minutes=61), settings)
    assert client.get(f"/password/reset/{fresh}").status_code == 200
    response = client.get(f"/password/reset/{stale}")
    assert response.status_code == 400 and "works once, for an hour" in response.get_data(as_text=True)


def test_a_link_signed_with_another_secret_key_opens_no_account(client, world):
    """The service takes its settings as values: a link signed under another SECRET_KEY (another
    deployment, or a rotated key) is refused, while the same link under the right key works."""
    settings = password_reset.ResetSettings.from_config(client.application.config)
    now = datetime.now(UTC)
    token = password_reset.make_token(world.trainee, now, settings)
    other = password_reset.ResetSettings("another-deployments-secret", settings.max_age)
    assert password_reset.user_for_token(token, now, other) is None
    assert password_reset.user_for_token(token, now, settings) == world.trainee


def test_a_link_stops_working_once_the_password_changed_another_way(app, client, world, inbox):
    path = _reset_link(client, inbox, world.trainee)
    signed_in = _as(app.test_client())
    login(signed_in, world.trainee.email)
    signed_in.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "changed-on-the-page",
            "confirm": "changed-on-the-page",
            "csrf_token": csrf_token(signed_in, "/account/password"),
        },
    )
    assert _as(client).get(path).status_code == 400


def test_a_forged_or_altered_link_is_refused(client, world, inbox):
    path = _reset_link(client, inbox, world.trainee)
    token = path.rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/password/reset/{altered}").status_code == 400
    assert client.get("/password/reset/anything").status_code == 400


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, world, inbox):
    known = _ask_for_reset(client, world.trainee.email)
    unknown = _ask_for_reset(client, "nobody@example.test")

    def page(response, address):
        return CSRF.sub("", response.get_data(as_text=True)).replace(address, "ADDRESS")

    assert known.status_code == unknown.status_code == 200
    assert page(known, world.trainee.email) == page(unknown, "nobody@example.test")
    assert len(inbox.messages) == 1 and not inbox.to("nobody@example.test")


CSRF = re.compile(r'name="csrf_token"[^>]*>|"csrf-token" content="[^"]*"')


def test_a_deactivated_account_gets_no_link(client, world, inbox):
    world.trainee.active = False
    db.session.commit()
    assert _ask_for_reset(client, world.trainee.email).status_code == 200
    assert inbox.messages == []


def test_the_request_form_is_rate_limited_per_address_entered(app, client, world, inbox):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per minute"
    try:
        address = "limited@example.test"
        assert [_ask_for_reset(client, address).status_code for _ in range(3)] == [200, 200, 429]
        assert (
            _ask_for_reset(client, world.trainee.email).status_code == 200
        )  # another address is not held up
    finally:
        app.config["PASSWORD_RESET_RATE_LIMIT"] = "1000 per minute"


# -- without SMTP --------------------------------------------------------------------------------------------


def test_without_smtp_nothing_is_sent_and_the_pages_say_whom_to_ask(app, client, world, smtp_server, caplog):
    _controller, box = smtp_server
    box.messages.clear()
    assert not app.config["SMTP_HOST"]
    login_page = client.get("/login").get_data(as_text=True)
    assert "Ask an admin of the academy to set one for you." in login_page
    assert "Forgot password?" not in login_page  # no link to a page that could only say the same
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "does not send e-mail" in page and 'name="email"' not in page
    response = client.post(
        "/password/forgot", data={"email": world.trainee.email, "csrf_token": csrf_token(client, "/login")}
    )
    assert "Ask an admin of the academy" in response.get_data(as_text=True)

    app.config["PUBLIC_URL"] = PUBLIC_URL
    try:
        result = app.test_cli_runner().invoke(args=["mail", "digest"])
    finally:
        app.config["PUBLIC_URL"] = ""
    assert "SMTP_HOST is not set: nothing will be sent" in result.output
    assert box.messages == []
    assert "mail not sent (SMTP_HOST is not set)" in caplog.text


def test_a_refusing_server_is_logged_and_the_page_still_answers(app, client, world, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())  # nothing listens there
    try:
        assert _ask_for_reset(client, world.trainee.email).status_code == 200
    finally:
        app.config["SMTP_HOST"] = ""
    assert "could not be sent" in caplog.text


# -- weekly digest -------------------------------------------------------------------------------------------


def test_the_weekly_digest_tells_each_trainee_what_is_due_and_the_next_step(app, world, inbox):
    db.session.add(
        TraineeReadiness(
            user_id=world.trainee.id,
            verdict="almost",
            pass_probability=0.62,
            computed_at=datetime.now(UTC),
            stale=False,
        )
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert result.exit_code == 0 and "Digest: 2 sent, 0 turned off." in result.output
    [message] = inbox.to(world.trainee.email)
    text = Inbox.text(message)
    assert message["Subject"] == "Your week: 0 reviews due"
    assert "Hello Tess," in text
    assert "- Reviews due today: 0" in text
    assert "- Readiness for senior: Almost ready, probability of passing a blueprint form 62%" in text
    assert "Next step: Answer your first practice questions" in text
    assert f"{PUBLIC_URL}/home/trainee" in text and f"{PUBLIC_URL}/account" in text
    assert "not assessed yet" in Inbox.text(inbox.to(world.other_trainee.email)[0])
    assert not inbox.to(world.trainer.email)  # trainers get alerts, not digests


def test_a_trainee_who_turned_the_digest_off_gets_none(app, client, world, inbox, signed_in):
    signed_in(world.other_trainee)
    page = client.get("/account").get_data(as_text=True)
    assert "Weekly digest" in page and "Intervention alerts" not in page
    response = client.post("/account/mail", data={"csrf_token": csrf_token(client, "/account")})  # unticked
    assert response.status_code == 302
    assert db.session.get(User, world.other_trainee.id).mail_digest is False
    result = app.test_cli_runner().invoke(args=["mail", "digest"])
    assert "Digest: 1 sent, 1 turned off." in result.output
    assert inbox.to(world.trainee.email) and not inbox.to(world.other_trainee.email)


def test_the_commands_need_the_sites_address_for_their_links(app, world, inbox):
    app.config["PUBLIC_URL"] = ""
    result = app.test_cli_runner().invoke(args=["mail", "alerts"])
    assert result.exit_code != 0 and "Set PUBLIC_URL" in result.output
    assert inbox.messages == []


# -- intervention alerts -------------------------------------------------------------------------------------


def test_trainers_get_their_cohorts_intervention_queue(app, world, inbox):
    result = app.test_cli_runner().invoke(args=["mail", "alerts"])
    assert result.exit_code == 0 and "Alerts: 2 sent" in result.output
    [message] = inbox.to(world.trainer.email)
    text = Inbox.text(message)
    assert message["Subject"] == "Cohort A: 1 intervention waiting"
    assert "1 trainee in Cohort A may need you" in text
    assert "- Tess Trainee: Never practised." in text
    assert "Otto Other" not in text  # another cohort's trainee
    assert f"{PUBLIC_URL}/trainer/cohorts/{world.cohort.id}" in text


def test_a_trainer_who_turned_alerts_off_gets_none(app, client, world, inbox, signed_in):
    signed_in(world.other_trainer)
    page = client.get("/account").get_data(as_text=True)
    assert "Intervention alerts" in page and "Weekly digest" not in page
    client.post(
        "/account/mail", data={"sign_off_requests": "y", "csrf_token": csrf_token(client, "/account")}
    )
    trainer = db.session.get(User, world.other_trainer.id)
    assert (trainer.mail_alerts, trainer.mail_sign_off_requests) == (False, True)
    app.test_cli_runner().invoke(args=["mail", "alerts"])
    assert inbox.to(world.trainer.email) and not inbox.to(world.other_trainer.email)


# -- sign-off requests ---------------------------------------------------------------------------------------


def _ready(trainee) -> None:
    db.session.add(
        TraineeReadiness(
            user_id=trainee.id,
            verdict="ready",
            pass_probability=0.91,
            stale=False,
            computed_at=datetime.now(UTC),
        )
    )
    db.session.commit()


def test_a_ready_trainee_asks_for_sign_off_and_the_cohorts_trainers_are_mailed(
    app, client, world, inbox, signed_in
):
    _ready(world.trainee)
    signed_in(world.trainee)
    home = client.get("/home/trainee").get_data(as_text=True)
    assert "Ask for sign-off" in home
    response = client.post("/sign-off/request", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert response.status_code == 302
    assert "1 trainer(s) e-mailed" in client.get("/home/trainee").get_data(as_text=True)
    [message] = inbox.to(world.trainer.email)
    assert message["Subject"] == "Tess Trainee asks for your promotion sign-off"
    text = Inbox.text(message)
    assert "judged Ready for promotion (probability of passing a blueprint form 91%)" in text
    assert f"{PUBLIC_URL}/readiness/trainees/{world.trainee.id}" in text
    assert not inbox.to(world.other_trainer.email)  # not their cohort

    again = client.post("/sign-off/request", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert again.status_code == 409 and "already asked" in again.get_data(as_text=True)

    trainer = _as(app.test_client())
    login(trainer, world.trainer.email)
    assert "Sign-offs requested (1)" in trainer.get("/home/trainer").get_data(as_text=True)
    report = trainer.get(f"/readiness/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "Tess Trainee asked for a sign-off on" in report
    other = _as(app.test_client())
    login(other, world.other_trainer.email)
    assert "Sign-offs requested" not in other.get("/home/trainer").get_data(as_text=True)

    db.session.add(
        SignOff(
            trainee_id=world.trainee.id,
            trainer_id=world.trainer.id,
            decision="recommend",
            comment="Ready.",
            verdict="ready",
            evidence={},
            created_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    assert "Sign-offs requested" not in _as(trainer).get("/home/trainer").get_data(as_text=True)


def test_only_a_ready_trainee_can_ask(client, world, inbox, signed_in):
    signed_in(world.trainee)
    assert "Ask for sign-off" not in client.get("/home/trainee").get_data(as_text=True)
    response = client.post("/sign-off/request", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert response.status_code == 409 and "Only a trainee judged Ready" in response.get_data(as_text=True)
    assert db.session.query(SignOffRequest).count() == 0 and inbox.messages == []


def test_a_trainer_who_turned_sign_off_mail_off_still_sees_the_request(client, world, inbox, signed_in):
    world.trainer.mail_sign_off_requests = False
    db.session.commit()
    _ready(world.trainee)
    signed_in(world.trainee)
    client.post("/sign-off/request", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert "no e-mail was sent" in client.get("/home/trainee").get_data(as_text=True)
    assert inbox.messages == []
    assert db.session.query(SignOffRequest).one().trainee_id == world.trainee.id


def test_with_redis_a_reset_mail_leaves_in_a_job_and_is_retried_until_smtp_answers(
    app, client, world, inbox, redis_url, monkeypatch
):
    import time
    import uuid

    from app import jobs
    from tests.web.conftest import BurstWorker

    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"test-{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "JOBS_RETRY_DELAYS", [1])
    queue = jobs.queue()
    working_port = app.config["SMTP_PORT"]
    assert _ask_for_reset(client, world.trainee.email).status_code in (200, 302)
    assert inbox.to(world.trainee.email) == [] and queue.count == 1  # the page did not wait for SMTP

    app.config["SMTP_PORT"] = _free_port()  # the SMTP server is down: nothing listens there
    BurstWorker([queue], connection=queue.connection).work(burst=True)
    assert inbox.to(world.trainee.email) == [] and queue.scheduled_job_registry.count == 1  # kept for a retry

    app.config["SMTP_PORT"] = working_port
    time.sleep(1.2)
    BurstWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=True)
    [message] = inbox.to(world.trainee.email)
    assert "/password/reset/" in Inbox.text(message)
