"""Readiness views. A trainee sees their own report; trainers see their cohorts' trainees (others 404)."""

from __future__ import annotations

import logging
import random

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.domain.readiness import citations
from app.domain.taxonomy import DIMENSION_NAMES, EXCEPTION_NAMES
from app.errors import MalformedRequest
from app.exams.forms import SubmitExamForm as StartForm
from app.extensions import db
from app.policy import Action, NotFound, own_trainee_or_403, require, trainee_or_404, trains
from app.services import appeals, cohorts, exams, notifications, promotion, promotion_round, readiness
from app.trainer.forms import ContestForm, DecideAppealForm, SignOffForm

bp = Blueprint("readiness", __name__, url_prefix="/readiness")
log = logging.getLogger(__name__)


def _shown(person) -> readiness.ShownReport:
    """The stored report (services.readiness.report_for_view: a worker recomputes it after new evidence)."""
    shown = readiness.report_for_view(person, current_app.config["CONTENT_DIR"], clock.now())
    if shown.recomputed:
        db.session.commit()
    return shown


def _report(person, form=None):
    """The stored result, marked as updating while a worker counts newer evidence; before the first
    computation, a page that says it is being computed."""
    shown = _shown(person)
    result = shown.result
    if result is None:
        return render_template("readiness/pending.html", person=person, own=person.id == current_user.id)
    latest = {c.key: citations.newest(c.evidence) for c in result.criteria}
    records = readiness.evidence_records(person, (i for ids in latest.values() for i in ids))
    policy = readiness.load_policy(current_app.config["CONTENT_DIR"])
    checks = promotion.checks_of(person.id)
    return render_template(
        "readiness/report.html",
        person=person,
        result=result,
        shown=shown,
        latest=latest,
        answers=records.answers,
        runs=records.runs,
        snapshots=readiness.snapshots(person.id),
        sign_offs=readiness.sign_offs(person.id),
        form=form,
        own=person.id == current_user.id,
        dimensions=DIMENSION_NAMES,
        exceptions=EXCEPTION_NAMES,
        checks=checks,
        open_check=promotion.open_check(person.id),
        check_results={
            c.id: summary for c in checks if (summary := promotion_round.check_summary(c, policy))
        },
        may_schedule=person.id != current_user.id and trains(current_user, person.id),
        button=StartForm(),
        policy=policy,
        appeals=appeals.verdict_appeals(person.id),
        contest_form=ContestForm(),
        decide_form=DecideAppealForm(),
        sign_off_request=notifications.open_request(person.id),
        trainer_cohort=_trainer_cohort(person),
    )


def _trainer_cohort(person):
    """The viewer's cohort that holds `person`, for links to their runs; None on one's own pages."""
    return None if person.id == current_user.id else cohorts.viewers_cohort_of(current_user, person)


def _evidence(person, key: str):
    """One criterion's evidence, a page at a time, newest first (the report lists only the newest few)."""
    result = _shown(person).result
    if result is None:  # not computed yet: the report says so
        if person.id == current_user.id:
            return redirect(url_for("readiness.own_report"))
        return redirect(url_for("readiness.trainee_report", user_id=person.id))
    criterion = next((c for c in result.criteria if c.key == key), None)
    if criterion is None:
        raise NotFound("The readiness report has no such criterion.")
    try:
        page = citations.evidence_page(criterion.evidence, request.args.get("page", 1, type=int))
    except ValueError:
        raise NotFound("There is no such page of this evidence.") from None
    records = readiness.evidence_records(person, page.ids)
    return render_template(
        "readiness/evidence.html",
        person=person,
        criterion=criterion,
        page=page,
        answers=records.answers,
        runs=records.runs,
        own=person.id == current_user.id,
        trainer_cohort=_trainer_cohort(person),
    )


@bp.post("/contest")
@require(Action.PRACTISE)
def contest():
    form = ContestForm()
    if not form.validate_on_submit():
        flash("Say why you contest the verdict: your trainer reads it.", "error")
        return redirect(url_for("readiness.own_report"))
    appeals.contest_verdict(current_user, form.note.data, clock.now())
    db.session.commit()
    log.info("verdict contested by %s", current_user.email)
    flash("Your trainer will decide on it; the decision is recorded beside the sign-offs.", "success")
    return redirect(url_for("readiness.own_report"))


@bp.post("/trainees/<int:user_id>/appeals/<int:appeal_id>/decide")
@require(Action.REVIEW_COHORTS)
def decide_appeal(user_id: int, appeal_id: int):
    person = own_trainee_or_403(current_user, user_id, "decide an appeal")
    appeal = appeals.verdict_appeal(person.id, appeal_id)
    form = DecideAppealForm()
    if not form.validate_on_submit():
        flash("Choose a decision and give the reason.", "error")
        return redirect(url_for("readiness.trainee_report", user_id=person.id))
    appeals.decide(appeal, current_user, form.decision.data, form.note.data, clock.now())
    db.session.commit()
    log.info("verdict appeal %s of %s %s by %s", appeal.id, person.email, appeal.status, current_user.email)
    flash(f"Appeal {appeal.status}; the decision is on the record.", "success")
    return redirect(url_for("readiness.trainee_report", user_id=person.id))


@bp.post("/promotion-check/request")
@require(Action.PRACTISE)
def request_check():
    if not StartForm().validate_on_submit():
        raise MalformedRequest(
            "The request was incomplete: reload the page and request the promotion check again."
        )
    promotion.request_check(current_user, clock.now())
    db.session.commit()
    log.info("promotion check requested by %s", current_user.email)
    flash("Promotion check requested: your trainer schedules it, then you can start it here.", "success")
    return redirect(url_for("readiness.own_report"))


@bp.post("/trainees/<int:user_id>/promotion-check")
@require(Action.REVIEW_COHORTS)
def schedule_check(user_id: int):
    person = own_trainee_or_403(current_user, user_id, "schedule a promotion check")
    if not StartForm().validate_on_submit():
        raise MalformedRequest(
            "The request was incomplete: reload the page and schedule the promotion check again."
        )
    promotion.schedule_check(person, current_user, clock.now())
    db.session.commit()
    log.info("promotion check for %s scheduled by %s", person.email, current_user.email)
    flash(f"Promotion check scheduled for {person.name}: it starts when they open it.", "success")
    return redirect(url_for("readiness.trainee_report", user_id=person.id))


@bp.post("/promotion-check/<int:check_id>/start")
@require(Action.PRACTISE)
def start_check(check_id: int):
    if not StartForm().validate_on_submit():
        raise MalformedRequest(
            "The request was incomplete: reload the page and start the promotion check again."
        )
    check = promotion.own_check(current_user.id, check_id)
    config = current_app.config
    exam = promotion.start_check(
        check,
        exams.load_blueprint(config["CONTENT_DIR"]),
        readiness.load_policy(config["CONTENT_DIR"]),
        clock.now(),
        random.Random(),
    )
    db.session.commit()
    log.info("promotion check %s started by %s", check.id, current_user.email)
    return redirect(url_for("exams.item", exam_id=exam.id, position=0))


@bp.get("/")
@require(Action.PRACTISE)
def own_report():
    return _report(current_user)


@bp.get("/trainees/<int:user_id>")
@require(Action.REVIEW_COHORTS)
def trainee_report(user_id: int):
    person = trainee_or_404(current_user, user_id)
    return _report(person, SignOffForm())


@bp.get("/evidence/<key>")
@require(Action.PRACTISE)
def own_evidence(key: str):
    return _evidence(current_user, key)


@bp.get("/trainees/<int:user_id>/evidence/<key>")
@require(Action.REVIEW_COHORTS)
def trainee_evidence(user_id: int, key: str):
    return _evidence(trainee_or_404(current_user, user_id), key)


@bp.post("/trainees/<int:user_id>/sign-off")
@require(Action.REVIEW_COHORTS)
def sign_off(user_id: int):
    person = own_trainee_or_403(current_user, user_id, "record a sign-off")
    form = SignOffForm()
    if not form.validate_on_submit():
        return _report(person, form), 400
    result = readiness.assess_trainee(person, current_app.config["CONTENT_DIR"], clock.now())
    readiness.record_sign_off(
        person, current_user, form.decision.data, form.comment.data, result, clock.now()
    )
    db.session.commit()
    flash(
        "Sign-off recorded with the evidence as it stands now. The computed verdict is unchanged.", "success"
    )
    return redirect(url_for("readiness.trainee_report", user_id=person.id))
