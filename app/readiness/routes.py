"""Readiness views. A trainee sees their own report; trainers see their cohorts' trainees (others 404)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.domain.taxonomy import DIMENSION_NAMES, DOMAIN_NAMES, EXCEPTION_NAMES
from app.extensions import db
from app.policy import Action, require, trainee_or_404, trains
from app.services import readiness
from app.trainer.forms import SignOffForm

bp = Blueprint("readiness", __name__, url_prefix="/readiness")


def _now() -> datetime:
    return datetime.now(UTC)


def _report(person, form=None):
    now = _now()
    result = readiness.assess_trainee(person, current_app.config["CONTENT_DIR"], now)
    db.session.commit()
    records = readiness.evidence_records(person, result)
    return render_template(
        "readiness/report.html", person=person, result=result, answers=records.answers, runs=records.runs,
        snapshots=readiness.snapshots(person.id), sign_offs=readiness.sign_offs(person.id), form=form,
        own=person.id == current_user.id, domains=DOMAIN_NAMES, dimensions=DIMENSION_NAMES,
        exceptions=EXCEPTION_NAMES)


@bp.get("/")
@require(Action.PRACTISE)
def own_report():
    return _report(current_user)


@bp.get("/trainees/<int:user_id>")
@require(Action.REVIEW_COHORTS)
def trainee_report(user_id: int):
    person = trainee_or_404(current_user, user_id)
    return _report(person, SignOffForm())


@bp.post("/trainees/<int:user_id>/sign-off")
@require(Action.REVIEW_COHORTS)
def sign_off(user_id: int):
    person = trainee_or_404(current_user, user_id)
    if not trains(current_user, person.id):
        abort(403, description="Only a trainer of the trainee's cohort can record a sign-off.")
    form = SignOffForm()
    if not form.validate_on_submit():
        return _report(person, form), 400
    result = readiness.assess_trainee(person, current_app.config["CONTENT_DIR"], _now())
    readiness.record_sign_off(person, current_user, form.decision.data, form.comment.data, result, _now())
    db.session.commit()
    flash("Sign-off recorded with the evidence as it stands now. The computed verdict is unchanged.", "success")
    return redirect(url_for("readiness.trainee_report", user_id=person.id))
