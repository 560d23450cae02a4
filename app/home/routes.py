"""Landing pages: `/` sends each person to the home of their most senior role."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from app import clock
from app.extensions import db
from app.models import Role, TraineeReadiness
from app.policy import Action, require, require_login
from app.services import accounts, authoring, exams, notifications, practice, promotion, readiness, scenarios

bp = Blueprint("home", __name__)

ROLE_HOMES = {
    Role.ADMIN: "admin.index",
    Role.TRAINER: "home.trainer",
    Role.AUTHOR: "home.author",
    Role.TRAINEE: "home.trainee",
}


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    role = current_user.primary_role
    return redirect(url_for(ROLE_HOMES[role])) if role else render_template("home/no_role.html")


@bp.get("/home/trainee")
@require(Action.PRACTISE)
def trainee():
    now = clock.now()
    readiness = db.session.get(TraineeReadiness, current_user.id)
    return render_template(
        "home/trainee.html",
        cohorts=accounts.cohorts_of_trainee(current_user),
        due=practice.review_load(current_user.id, now),
        answered=practice.answer_count(current_user.id),
        decisions=len(scenarios.due_decisions(current_user.id, now)),
        open_attempts=scenarios.open_attempts(current_user.id),
        running_exam=exams.running_exam(current_user.id, now),
        open_check=promotion.open_check(current_user.id),
        readiness=readiness,
        next_step=next(iter(((readiness.report or {}).get("result") or {}).get("next_actions") or []), None)
        if readiness
        else None,
        sign_off_request=notifications.open_request(current_user.id),
    )


HISTORY_LIMIT = 100  # per kind; the CSV exports and the API have everything


@bp.get("/home/history")
@require(Action.PRACTISE)
def history():
    """What the trainee has done: study and review sessions, scenario runs, exams, each linked."""
    return render_template(
        "home/history.html",
        sessions=practice.history(current_user.id, HISTORY_LIMIT),
        runs=scenarios.history(current_user.id, HISTORY_LIMIT),
        exams=exams.history(current_user.id, HISTORY_LIMIT),
        limit=HISTORY_LIMIT,
        cut=readiness.load_policy(current_app.config["CONTENT_DIR"]).pass_mark,
        now=clock.now(),
    )


@bp.get("/home/author")
@require(Action.AUTHOR)
def author():
    return render_template(
        "home/author.html",
        drafts=authoring.drafts_of(current_user.id),
        queue=authoring.review_queue(current_user.id),
    )


@bp.get("/home/trainer")
@require(Action.REVIEW_COHORTS)
def trainer():
    cohorts = accounts.cohorts_of_trainer(current_user)
    trainee_ids = sorted(
        {t.id for c in cohorts for t in c.trainees if t.active}
    )  # deactivated: not theirs to act on
    return render_template(
        "home/trainer.html",
        cohorts=cohorts,
        requests=promotion.pending_requests(trainee_ids),
        sign_off_requests=notifications.open_requests(trainee_ids),
    )


@bp.get("/account")
@require_login
def account():
    return render_template("home/account.html")
