"""Study, review and their sessions. Views validate, call app.services.practice, commit once, redirect."""

from __future__ import annotations

import logging
import random
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.domain.review import LEECH_LAPSES, describe_interval
from app.domain.taxonomy import DOMAIN_NAMES
from app.errors import MalformedRequest
from app.extensions import db
from app.forms import seconds_since
from app.policy import Action, require
from app.practice.blocks import question_block
from app.practice.forms import ReportItemForm, StartForm, StudySetupForm, answer_form_class
from app.services import appeals, practice, practice_rows
from app.services.practice import Response

bp = Blueprint("practice", __name__, url_prefix="/practice")
log = logging.getLogger(__name__)


@bp.get("/")
@require(Action.PRACTISE)
def index():
    form = StudySetupForm()
    topics = practice.topic_groups(current_app.config["CONTENT_DIR"])
    form.topics.choices = {
        f"{d} {DOMAIN_NAMES.get(d, '')}".strip(): [(t, t.replace("-", " ")) for t in ts]
        for d, ts in topics.items()
    }
    if not form.is_submitted():  # a next action's link preselects what it asks for: ?domain=D7, ?topics=a,b
        known = {t for ts in topics.values() for t in ts}
        form.domains.data = [d for d in request.args.getlist("domain") if d in DOMAIN_NAMES] or None
        form.topics.data = [t for t in request.args.get("topics", "").split(",") if t in known] or None
    return render_template(
        "practice/index.html",
        form=form,
        start_form=StartForm(),
        topics=topics,
        due=practice.review_load(current_user.id, clock.now()),
        forecast=practice.review_forecast(current_user.id, clock.now()),
        leeches=practice.leeches(current_user.id),
        leech_lapses=LEECH_LAPSES,
    )


@bp.post("/study")
@require(Action.PRACTISE)
def start_study():
    form = StudySetupForm()
    form.topics.choices = [
        (t, t) for ts in practice.topic_groups(current_app.config["CONTENT_DIR"]).values() for t in ts
    ]
    if not form.validate_on_submit():
        flash(
            "Those study settings could not be used: "
            + "; ".join(
                f"{getattr(form, name).label.text}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ),
            "error",
        )
        return redirect(url_for("practice.index"))
    session = practice.start_study(
        current_user.id,
        form.domains.data or [],
        form.topics.data or [],
        form.weakest.data,
        form.size.data,
        clock.now(),
        random.Random(),
    )
    db.session.commit()
    return redirect(url_for("practice.item", session_id=session.id, position=0))


@bp.post("/review")
@require(Action.PRACTISE)
def start_review():
    if not StartForm().validate_on_submit():
        raise MalformedRequest("Start reviews from the button on the review page.")
    session = practice.start_review(current_user.id, clock.now())
    db.session.commit()
    return redirect(url_for("practice.item", session_id=session.id, position=0))


@bp.get("/sessions/<int:session_id>")
@require(Action.PRACTISE)
def resume(session_id: int):
    session = practice.own_session(current_user.id, session_id)
    position = practice.next_position(session)
    if position is None:
        return redirect(url_for("practice.summary", session_id=session.id))
    return redirect(url_for("practice.item", session_id=session.id, position=position))


@bp.route("/sessions/<int:session_id>/items/<int:position>", methods=["GET", "POST"])
@require(Action.PRACTISE)
def item(session_id: int, position: int):
    """GET shows the question (or its feedback once answered); POST answers it, once. The hot path of
    practice: rows by Core statements (app.services.practice_rows), the session's answers read once.
    With HOT_PATH_ROWS off, the ORM implementation answers instead (the reference the tests compare)."""
    if not current_app.config.get("HOT_PATH_ROWS", True):
        return _item_reference(session_id, position)
    session = practice_rows.own_session(current_user.id, session_id)
    version = practice_rows.session_version(session, position)
    answers = practice_rows.session_answers(session)
    answer = answers.get(position)
    form = answer_form_class(version)() if answer is None else None  # an answered item shows feedback
    if request.method == "POST" and form is not None:
        if form.validate_on_submit():
            response = _submitted(form)
            practice_rows.record_answer(
                current_user.id, session, version, position, response, clock.now(), answers
            )
            db.session.commit()
            return redirect(url_for("practice.item", session_id=session_id, position=position))
    elif request.method == "POST":
        return redirect(url_for("practice.item", session_id=session_id, position=position))
    if form is not None:
        form.served_at.data = f"{time.time():.3f}"
    return render_template(
        "practice/item.html",
        session=session,
        position=position,
        version=version,
        question_block=question_block(version),
        form=form,
        answer=answer,
        answered=len(answers),
        next_position=practice_rows.next_position(session.planned, answers),
        serving_seed=session.seed,
        comes_back=_comes_back(version, answer),
        report_form=ReportItemForm() if answer is not None else None,
    )


def _submitted(form) -> Response:
    """What a validated answer form says: the options chosen, the value typed, the certainty and the time."""
    return Response(
        tuple(_chosen(form)),
        _value(form),
        form.confidence.data,
        seconds_since(form.served_at.data, time.time()),
    )


def _item_reference(session_id: int, position: int):
    """The practice item on the ORM services (app.services.practice): same rows, same pages, slower."""
    session = practice.own_session(current_user.id, session_id)
    version = practice.session_version(session, position)
    answers = practice.session_answers(session)
    form = answer_form_class(version)()
    if request.method == "POST" and position not in answers:
        if form.validate_on_submit():
            response = _submitted(form)
            practice.record_answer(current_user.id, session, position, response, clock.now())
            db.session.commit()
            return redirect(url_for("practice.item", session_id=session.id, position=position))
    elif request.method == "POST":
        return redirect(url_for("practice.item", session_id=session.id, position=position))
    form.served_at.data = f"{time.time():.3f}"
    return render_template(
        "practice/item.html",
        session=session,
        position=position,
        version=version,
        question_block=question_block(version),
        form=form,
        answer=answers.get(position),
        answered=len(answers),
        next_position=practice.next_position(session, answers),
        serving_seed=session.seed,
        comes_back=_comes_back(version, answers.get(position)),
        report_form=ReportItemForm(),
    )


@bp.post("/sessions/<int:session_id>/items/<int:position>/report")
@require(Action.PRACTISE)
def report(session_id: int, position: int):
    """Report the question at this position as wrong or ambiguous (after answering it)."""
    session = practice.own_session(current_user.id, session_id)
    version = practice.session_version(session, position)
    form = ReportItemForm()
    if form.validate_on_submit():
        appeals.report_item(current_user, version.question_id, form.reason.data, form.note.data, clock.now())
        db.session.commit()
        log.info("question %s reported by %s", version.question_id, current_user.email)
        flash("Thank you: the report is in the authors' queue, and the decision will be recorded.", "success")
    else:
        flash("The report was not sent: say what is wrong and what you noticed.", "error")
    return redirect(url_for("practice.item", session_id=session.id, position=position))


@bp.get("/sessions/<int:session_id>/summary")
@require(Action.PRACTISE)
def summary(session_id: int):
    session = practice.own_session(current_user.id, session_id)
    return render_template("practice/summary.html", session=session, summary=practice.summarise(session))


def _comes_back(version, answer) -> str | None:
    """When the item answered here returns for review, in words (None before it is answered)."""
    if answer is None:
        return None
    due = practice_rows.next_review(current_user.id, version.question_id)
    return describe_interval(clock.now(), due) if due else None


def _chosen(form) -> list[str]:
    chosen = getattr(form, "chosen", None)
    if chosen is None:
        return []
    return chosen.data if isinstance(chosen.data, list) else [chosen.data]


def _value(form) -> float | None:
    field = getattr(form, "value", None)
    return None if field is None else field.data
