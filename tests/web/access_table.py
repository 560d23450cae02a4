"""The route x actor table: what every actor gets from every route.

Every rule in app.url_map (except static) must appear here with its expected status per actor; the
test in test_access.py fails on a route that is missing, so a new route cannot skip authorization.
Actors: anonymous, trainee, other_trainee (another cohort), author, trainer, other_trainer (another
cohort), admin. URL parameters come from `params(world)`: records belonging to `world.trainee` and
`world.cohort`, so "other" actors show what happens with someone else's data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from random import Random

from app.authoring.starters import starter_text
from app.extensions import db
from app.models import DraftKind
from app.services import appeals, authoring, exams, practice, promotion, scenarios, tokens
from tests.content_fixtures import FIXTURES

ACTORS = ("anonymous", "trainee", "other_trainee", "author", "trainer", "other_trainer", "admin")
LOGIN = 302  # anonymous visitors are sent to sign in


def expect(default: int | tuple[int, ...] = 403, **by_actor: int | tuple[int, ...]) -> dict:
    """Expected status per actor: `default` for anyone not named; other_* follow their role unless named."""
    table = {actor: by_actor.get(actor, default) for actor in ACTORS}
    table["anonymous"] = by_actor.get("anonymous", LOGIN)
    table["other_trainee"] = by_actor.get("other_trainee", table["trainee"])
    table["other_trainer"] = by_actor.get("other_trainer", table["trainer"])
    return table


ANYONE_SIGNED_IN = expect(200)
ADMIN_ONLY = expect(403, admin=200)
OWN_TRAINEE = expect(403, trainee=200, other_trainee=404)  # trainee pages about their own records
ADMIN_POST = expect(403, admin=(200, 302))

# The JSON API authenticates bearer tokens only: a session cookie gets 401 whoever it belongs to (token
# access per actor is tested in tests/web/test_api*.py). It is exempt from CSRF for the same reason.
API_COOKIE = expect(401, anonymous=401)
CSRF_EXEMPT_BLUEPRINTS = {"api"}
API_ROUTES = [
    ("GET", "api.list_users"),
    ("POST", "api.create_user"),
    ("GET", "api.get_user"),
    ("POST", "api.deactivate_user"),
    ("GET", "api.list_cohorts"),
    ("POST", "api.create_cohort"),
    ("GET", "api.get_cohort"),
    ("PUT", "api.add_trainee"),
    ("DELETE", "api.remove_trainee"),
    ("PUT", "api.add_trainer"),
    ("DELETE", "api.remove_trainer"),
    ("GET", "api.trainee_readiness"),
    ("GET", "api.trainee_answers"),
    ("GET", "api.trainee_runs"),
    ("GET", "api.item_statistics"),
    ("GET", "api.question_statistics"),
    ("GET", "api.scenario_versions"),
    ("GET", "api.decision_statistics"),
    ("GET", "api.cohort_export"),
]

ROUTES: dict[tuple[str, str], dict] = {
    ("GET", "health.healthz"): expect(200, anonymous=200),
    ("GET", "auth.login"): expect(302, anonymous=200),
    ("POST", "auth.login"): expect(302, anonymous=200),
    ("POST", "auth.logout"): expect(302),
    ("GET", "auth.change_password"): ANYONE_SIGNED_IN,
    ("POST", "auth.change_password"): ANYONE_SIGNED_IN,
    # single sign-on is not configured in the table's app: its routes do not exist for anyone
    ("GET", "sso.start"): expect(404, anonymous=404),
    ("GET", "sso.callback"): expect(404, anonymous=404),
    ("GET", "password_reset.forgot"): expect(200, anonymous=200),
    ("POST", "password_reset.forgot"): expect(200, anonymous=200),  # no SMTP: "ask an admin", nothing sent
    ("GET", "password_reset.reset"): expect(400, anonymous=400),  # not a valid link
    ("POST", "password_reset.reset"): expect(400, anonymous=400),
    ("POST", "notifications.preferences"): expect(302),
    ("POST", "notifications.request_sign_off"): expect(403, trainee=409),  # not judged Ready
    ("GET", "home.index"): expect(302),
    ("GET", "home.account"): ANYONE_SIGNED_IN,
    ("GET", "home.trainee"): expect(403, trainee=200),
    ("GET", "home.history"): expect(403, trainee=200),
    ("GET", "home.author"): expect(403, author=200),
    ("GET", "home.trainer"): expect(403, trainer=200, admin=200),
    ("GET", "admin.index"): ADMIN_ONLY,
    ("GET", "admin.users"): ADMIN_ONLY,
    ("GET", "admin.user_new"): ADMIN_ONLY,
    ("POST", "admin.user_new"): ADMIN_POST,
    ("GET", "admin.user_edit"): ADMIN_ONLY,
    ("POST", "admin.user_edit"): ADMIN_POST,
    ("POST", "admin.user_move"): ADMIN_POST,
    ("GET", "admin.user_import"): ADMIN_ONLY,
    ("POST", "admin.user_import"): ADMIN_POST,
    ("POST", "admin.user_import_apply"): ADMIN_POST,
    ("GET", "admin.cohorts"): ADMIN_ONLY,
    ("GET", "admin.cohort_new"): ADMIN_ONLY,
    ("POST", "admin.cohort_new"): ADMIN_POST,
    ("GET", "admin.cohort_edit"): ADMIN_ONLY,
    ("POST", "admin.cohort_edit"): ADMIN_POST,
    ("POST", "admin.cohort_add_trainee"): ADMIN_POST,
    ("POST", "admin.cohort_remove_trainee"): ADMIN_POST,
    ("GET", "practice.index"): expect(403, trainee=200),
    ("POST", "practice.start_study"): expect(403, trainee=302),
    ("POST", "practice.start_review"): expect(403, trainee=409),
    ("GET", "practice.resume"): expect(403, trainee=302, other_trainee=404),
    ("GET", "practice.item"): OWN_TRAINEE,
    ("POST", "practice.item"): OWN_TRAINEE,  # empty answer: the form comes back with errors
    ("GET", "practice.summary"): OWN_TRAINEE,
    # exam routes in this order: the trainee's run saves, then submits, then reads the result
    ("GET", "exams.index"): expect(403, trainee=200),
    ("POST", "exams.start"): expect(403, trainee=302),  # no length chosen: the default form
    ("GET", "exams.resume"): expect(403, trainee=302, other_trainee=404),
    ("GET", "exams.item"): OWN_TRAINEE,
    ("POST", "exams.item"): expect(403, trainee=302, other_trainee=404),
    ("GET", "exams.confirm"): OWN_TRAINEE,
    ("POST", "exams.submit"): expect(403, trainee=302, other_trainee=404),
    ("GET", "exams.results"): OWN_TRAINEE,
    ("GET", "scenarios.index"): expect(403, trainee=200),
    ("POST", "scenarios.start"): expect(403, trainee=302),  # resumes the trainee's open attempt
    ("GET", "scenarios.play"): OWN_TRAINEE,
    ("POST", "scenarios.decide"): expect(403, trainee=400, other_trainee=404),  # no choice given
    ("POST", "scenarios.back"): expect(403, trainee=400, other_trainee=404),  # no step given
    ("GET", "scenarios.debrief"): expect(403, trainee=302, other_trainee=404),  # unfinished: back to play
    ("GET", "scenarios.reviews"): expect(403, trainee=200),
    ("GET", "scenarios.review"): expect(403, trainee=404),  # no such card for anyone in the fixture
    ("POST", "scenarios.review"): expect(403, trainee=404),
    ("GET", "trainer.cohort"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("GET", "trainer.trainee"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("POST", "trainer.handled"): expect(403, trainer=302, other_trainer=404, admin=302),
    ("GET", "trainer.promotion_round"): expect(403, trainer=200, admin=200),
    # an empty decision: back to the round with a message; only the trainee's own trainer decides
    ("POST", "trainer.round_decide"): expect(403, trainer=302, other_trainer=404, admin=403),
    ("POST", "trainer.retention"): expect(403, trainer=400, other_trainer=404, admin=400),  # empty form
    ("GET", "trainer.run"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("GET", "trainer.grading"): expect(403, trainer=200, admin=200),
    ("GET", "trainer.grade"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("POST", "trainer.grade"): expect(403, trainer=400, other_trainer=404, admin=400),  # an empty grade form
    ("GET", "trainer.export"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("GET", "trainer.items"): expect(403, author=200, trainer=200, admin=200),
    ("GET", "trainer.item"): expect(403, author=200, trainer=200, admin=200),
    ("GET", "trainer.scenario_list"): expect(403, author=200, trainer=200, admin=200),
    ("GET", "trainer.scenario_stats"): expect(403, author=200, trainer=200, admin=200),
    ("GET", "readiness.own_report"): expect(403, trainee=200),
    ("GET", "readiness.trainee_report"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("GET", "readiness.own_evidence"): expect(403, trainee=200),
    ("GET", "readiness.trainee_evidence"): expect(403, trainer=200, other_trainer=404, admin=200),
    ("POST", "readiness.sign_off"): expect(403, trainer=400, other_trainer=404, admin=403),  # empty form
    ("POST", "readiness.request_check"): expect(403, trainee=302),
    ("POST", "readiness.contest"): expect(403, trainee=302),  # empty note: back to the report with a message
    ("POST", "readiness.decide_appeal"): expect(
        403, trainer=302, other_trainer=404, admin=403
    ),  # only its trainer
    ("POST", "practice.report"): expect(403, trainee=302, other_trainee=404),
    ("GET", "authoring.reports"): expect(403, author=200),
    ("POST", "authoring.decide_report"): expect(
        403, author=302
    ),  # an empty decision: sent back with a message
    ("POST", "readiness.schedule_check"): expect(403, trainer=302, other_trainer=404, admin=403),
    # a scheduled check the fixture bank (6 items) cannot fill: the trainee is told, nothing is drawn
    ("POST", "readiness.start_check"): expect(403, trainee=409, other_trainee=404),
    # authoring, in this order: world.author's private draft is edited, previewed, submitted, withdrawn;
    # their draft in review is commented on, returned (empty comment) and approved; then a published one
    ("GET", "authoring.new_draft"): expect(403, author=200),
    ("POST", "authoring.new_draft"): expect(403, author=200),  # empty form: comes back with errors
    ("GET", "authoring.draft"): expect(403, author=200, trainer=200),  # submitted: reviewers may read it
    ("GET", "authoring.edit"): expect(403, author=200),
    ("POST", "authoring.edit"): expect(403, author=302),  # no fields: Flask-WTF keeps the saved ones
    ("POST", "authoring.preview"): expect(403, author=200),
    ("POST", "authoring.submit"): expect(403, author=302),
    ("POST", "authoring.withdraw"): expect(403, author=302),
    ("POST", "authoring.comment"): expect(403, author=200, trainer=200),  # empty comment
    ("POST", "authoring.return_draft"): expect(403, author=403, trainer=200),  # own draft; empty comment
    ("POST", "authoring.approve"): expect(403, author=403, trainer=302),  # nobody approves their own
    ("GET", "authoring.revision"): expect(403, author=200, trainer=200),
    ("POST", "authoring.retire"): expect(403, author=302, trainer=302),
    ("POST", "authoring.restore"): expect(403, author=302, trainer=302),  # the item retired just above
    ("GET", "authoring.index"): expect(403, author=302),  # /authoring: the author's home
    ("GET", "authoring.bank"): expect(403, author=200),
    ("POST", "authoring.edit_published"): expect(403, author=302),  # opens the draft it came from
    ("POST", "authoring.autosave"): expect(403, author=400),  # no JSON text
    ("GET", "authoring.review_queue"): expect(403, author=200, trainer=200),
    ("GET", "authoring.import_questions"): expect(403, author=200),
    ("POST", "authoring.import_questions"): expect(403, author=200),  # no file: comes back with errors
    # play-test of world.author's scenario draft in review: whoever may see the draft may play it
    ("GET", "authoring.playtest"): expect(403, author=200, trainer=200),
    ("POST", "authoring.playtest_decide"): expect(403, author=400, trainer=400),  # no choice: the page again
    ("POST", "authoring.playtest_back"): expect(403, author=400, trainer=400),  # no step
    ("GET", "authoring.playtest_debrief"): expect(403, author=302, trainer=302),  # not finished: the player
    ("POST", "authoring.playtest_restart"): expect(403, author=302, trainer=302),
    # LTI: login initiation and launch without an LMS's parameters are refused (400) whoever asks
    ("GET", "lti.login"): expect(400, anonymous=400),
    ("POST", "lti.login"): expect(400, anonymous=400),
    ("POST", "lti.launch"): expect(400, anonymous=400),
    ("GET", "lti.jwks"): expect(200, anonymous=200),
    ("GET", "lti.deep_link"): expect(403, trainer=404, admin=404),  # no deep-linking launch in this browser
    ("POST", "lti.deep_link"): expect(403, trainer=404, admin=404),
    # personal access tokens: anyone signed in has their own; world.trainee's token is revoked here
    ("GET", "tokens.index"): ANYONE_SIGNED_IN,
    ("POST", "tokens.index"): expect(400),  # empty form: comes back with errors, no token made
    ("POST", "tokens.revoke"): expect(404, trainee=302, other_trainee=404, admin=302),
    ("GET", "tokens.all_tokens"): ADMIN_ONLY,
    ("GET", "api-docs.openapi_json"): expect(200, anonymous=200),
    **{route: API_COOKIE for route in API_ROUTES},
}

# Routes the LTI spec makes cross-site POST targets (the LMS's browser form posts): no CSRF token can
# exist, so they are exempt, and protected by the LTI state cookie, a one-time nonce and the id_token's
# signature instead. Without those they are refused with 400 like any tokenless POST.
CSRF_EXEMPT = {
    ("POST", "lti.login"): "OIDC login initiation (LTI 1.3 / OIDC third-party initiated login)",
    ("POST", "lti.launch"): "the platform's id_token form post (LTI 1.3 launch)",
}


def records(world) -> dict[str, int]:
    """Practice records of world.trainee for the URLs below (the fixture bank must be synced)."""

    now = datetime.now(UTC)
    session = practice.start_study(world.trainee.id, [], [], False, 5, now, Random(1))
    blueprint = exams.load_blueprint(_content_dir())
    exam = exams.start_exam(world.trainee.id, 20, blueprint, now, Random(1))
    finished = scenarios.start(world.trainee.id, scenarios.scenario_by_slug("fx-split-shipment"), now)
    for ref in scenarios.parsed(finished.version)[1].max_score_path:
        scenarios.choose(finished, ref, len(finished.log), "Called the customer.", 10.0, now)
    attempt = scenarios.start(world.trainee.id, scenarios.scenario_by_slug("fx-split-shipment"), now)  # open
    check = promotion.schedule_check(world.trainee, world.trainer, now)
    last = session.planned - 1  # answered, so it can be reported; position 0 stays open for the item routes
    version = practice.session_version(session, last)
    response = (
        practice.Response((), version.answer, "high", 10.0)
        if version.type == "numeric"
        else practice.Response(tuple(version.correct_keys), None, "high", 10.0)
    )
    practice.record_answer(world.trainee.id, session, last, response, now)
    report = appeals.report_item(world.trainee, version.question_id, "ambiguous", "Two options fit.", now)
    verdict_appeal = appeals.contest_verdict(
        world.trainee, "My scenarios were graded before the update.", now
    )
    db.session.commit()
    [writeup] = finished.writeups  # the fixture scenario's expert path ends with a note for the trainer
    return {
        "session": session.id,
        "exam": exam.id,
        "attempt": attempt.id,
        "check": check.id,
        "finished": finished.id,
        "writeup": writeup.id,
        "report": report.id,
        "verdict_appeal": verdict_appeal.id,
    }


def _content_dir() -> str:

    return str(FIXTURES / "content")


def params(world, ids: dict[str, int]) -> dict[str, dict]:
    """URL arguments per endpoint, pointing at records of world.trainee / world.cohort."""
    session, exam = {"session_id": ids["session"]}, {"exam_id": ids["exam"]}
    attempt = {"attempt_id": ids["attempt"]}
    return {
        "password_reset.reset": {"token": "not-a-token"},
        "scenarios.start": {"slug": "fx-split-shipment"},
        "scenarios.review": {"version_id": 1, "node_id": "start"},
        "trainer.cohort": {"cohort_id": world.cohort.id},
        "trainer.trainee": {"cohort_id": world.cohort.id, "user_id": world.trainee.id},
        "trainer.retention": {"cohort_id": world.cohort.id},
        "trainer.round_decide": {"user_id": world.trainee.id},
        "trainer.handled": {"cohort_id": world.cohort.id, "user_id": world.trainee.id, "kind": "stalled"},
        "trainer.run": {
            "cohort_id": world.cohort.id,
            "user_id": world.trainee.id,
            "attempt_id": ids["finished"],
        },
        "trainer.grade": {"writeup_id": ids["writeup"]},
        "trainer.export": {"cohort_id": world.cohort.id, "kind": "answers"},
        "trainer.item": {"question_id": 1},
        "trainer.scenario_stats": {"version_id": 1},
        "readiness.trainee_report": {"user_id": world.trainee.id},
        "readiness.own_evidence": {"key": "evidence.scenario_runs"},
        "readiness.trainee_evidence": {"user_id": world.trainee.id, "key": "evidence.scenario_runs"},
        "readiness.sign_off": {"user_id": world.trainee.id},
        "readiness.schedule_check": {"user_id": world.trainee.id},
        "readiness.start_check": {"check_id": ids["check"]},
        "readiness.decide_appeal": {"user_id": world.trainee.id, "appeal_id": ids["verdict_appeal"]},
        "practice.report": {**session, "position": 0},
        "authoring.decide_report": {"appeal_id": ids["report"]},
        "scenarios.play": attempt,
        "scenarios.decide": attempt,
        "scenarios.back": attempt,
        "scenarios.debrief": attempt,
        "practice.resume": session,
        "practice.item": {**session, "position": 0},
        "practice.summary": session,
        "exams.resume": exam,
        "exams.item": {**exam, "position": 0},
        "exams.submit": exam,
        "exams.confirm": exam,
        "exams.results": exam,
        "lti.deep_link": {"launch_id": "lti1p3-launch-unknown"},
        "admin.user_edit": {"user_id": world.trainee.id},
        "admin.user_move": {"user_id": world.trainee.id},
        "admin.cohort_edit": {"cohort_id": world.cohort.id},
        "admin.cohort_add_trainee": {"cohort_id": world.cohort.id},
        "admin.cohort_remove_trainee": {
            "cohort_id": world.other_cohort.id,
            "user_id": world.other_trainee.id,
        },
        **authoring_params(world),
        **api_params(world),
    }


def api_params(world) -> dict[str, dict]:
    """A token of world.trainee (for the revoke page) and the API's URL arguments."""
    token, _secret = tokens.create_token(
        world.trainee, "Access table", ["users:read"], None, datetime.now(UTC)
    )
    db.session.commit()
    user, cohort = {"user_id": world.trainee.id}, {"cohort_id": world.cohort.id}
    return {
        "tokens.revoke": {"token_id": token.id},
        "api.get_user": user,
        "api.deactivate_user": user,
        "api.get_cohort": cohort,
        "api.add_trainee": {**cohort, **user},
        "api.remove_trainee": {**cohort, **user},
        "api.add_trainer": {**cohort, "user_id": world.trainer.id},
        "api.remove_trainer": {**cohort, "user_id": world.trainer.id},
        "api.trainee_readiness": user,
        "api.trainee_answers": user,
        "api.trainee_runs": user,
        "api.question_statistics": {"question_id": 1},
        "api.decision_statistics": {"version_id": 1},
        "api.cohort_export": {**cohort, "kind": "answers"},
    }


def authoring_params(world) -> dict[str, dict]:
    """Drafts of world.author: one private, one in review, one published (approved by world.trainer)."""

    now = datetime.now(UTC)

    def draft(title: str):
        return authoring.create_draft(
            world.author, DraftKind.QUESTION, title, starter_text(DraftKind.QUESTION, title), now
        )

    private, review, published = draft("Access private"), draft("Access review"), draft("Access published")
    played = authoring.create_draft(
        world.author, DraftKind.SCENARIO, "Access play", starter_text(DraftKind.SCENARIO, "Access play"), now
    )
    authoring.submit(played, world.author, now)
    authoring.submit(review, world.author, now)
    authoring.submit(published, world.author, now)
    authoring.approve(published, world.trainer, "", now)
    db.session.commit()
    own, shared = {"draft_id": private.id}, {"draft_id": review.id}
    return {
        "authoring.draft": shared,
        "authoring.edit": own,
        "authoring.preview": own,
        "authoring.submit": own,
        "authoring.withdraw": own,
        "authoring.comment": shared,
        "authoring.return_draft": shared,
        "authoring.approve": shared,
        "authoring.revision": {"draft_id": published.id, "number": 1},
        "authoring.retire": {"draft_id": published.id, "kind": "question", "slug": "access-published"},
        "authoring.restore": {"draft_id": published.id, "kind": "question", "slug": "access-published"},
        "authoring.edit_published": {"kind": "question", "slug": "access-published"},
        "authoring.autosave": own,
        **{
            f"authoring.{name}": {"draft_id": played.id}
            for name in (
                "playtest",
                "playtest_decide",
                "playtest_back",
                "playtest_debrief",
                "playtest_restart",
            )
        },
    }
