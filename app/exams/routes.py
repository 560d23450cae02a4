"""Exam views: start, answer items in any order, flag, submit, read the result."""

from __future__ import annotations

import random
import time

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import clock
from app.domain.exam import band
from app.domain.readiness.promotion import CheckResult, classification_accuracy, outcome
from app.errors import MalformedRequest
from app.exams.forms import StartExamForm, SubmitExamForm, exam_item_form_class
from app.extensions import db
from app.forms import seconds_since
from app.models import Exam
from app.policy import Action, require
from app.services import exams, readiness

bp = Blueprint("exams", __name__, url_prefix="/exams")


def _blueprint():
    return exams.load_blueprint(current_app.config["CONTENT_DIR"])


def _start_form() -> StartExamForm:
    blueprint = _blueprint()
    form = StartExamForm()
    form.length.choices = [
        SelectChoice(
            n,
            f"{n} items, {int(exams.time_limit_for(blueprint, n).total_seconds() // 60)} minutes"
            + (" (full CSCP-like form)" if n == blueprint.form_length else ""),
        )
        for n in sorted({*exams.FORM_LENGTHS, blueprint.form_length})
    ]
    return form


@bp.get("/")
@require(Action.PRACTISE)
def index():
    cut = readiness.load_policy(current_app.config["CONTENT_DIR"]).pass_mark
    return render_template(
        "exams/index.html", form=_start_form(), exams=exams.history(current_user.id), now=clock.now(), cut=cut
    )


@bp.post("/")
@require(Action.PRACTISE)
def start():
    form = _start_form()
    if not form.validate_on_submit():
        raise MalformedRequest("Pick one of the offered form lengths.")
    now = clock.now()
    running = exams.running_exam(current_user.id, now)
    exam = exams.start_exam(current_user.id, form.length.data, _blueprint(), now, random.Random())
    db.session.commit()
    if running is not None:
        flash("You already have an exam running: finish or submit it before starting another.", "warning")
        return redirect(url_for("exams.resume", exam_id=exam.id))
    if exam.reused:
        flash(
            f"{exam.reused} of the {len(exam.version_ids)} items are ones you answered in the last 14 days: "
            "the bank had too few unseen items for this form. Read the result with that in mind.",
            "warning",
        )
    return redirect(url_for("exams.item", exam_id=exam.id, position=0))


@bp.get("/<int:exam_id>")
@require(Action.PRACTISE)
def resume(exam_id: int):
    exam = exams.own_exam(current_user.id, exam_id)
    if exam.closed or not exams.accepts_answers(exam, clock.now()):
        return redirect(url_for("exams.results", exam_id=exam.id))
    position = next(iter(exams.unanswered_positions(exam)), 0)
    return redirect(url_for("exams.item", exam_id=exam.id, position=position))


@bp.route("/<int:exam_id>/items/<int:position>", methods=["GET", "POST"])
@require(Action.PRACTISE)
def item(exam_id: int, position: int):
    exam = exams.own_exam(current_user.id, exam_id)
    now = clock.now()
    if request.method == "GET" and (exam.closed or not exams.accepts_answers(exam, now)):
        return redirect(url_for("exams.results", exam_id=exam.id))
    version = exams.version_at(exam, position)
    saved = exams.responses_by_position(exam)
    form = exam_item_form_class(version)()
    if form.validate_on_submit():
        chosen = _chosen(form)
        value = form.value.data if hasattr(form, "value") else None
        exams.save_response(
            exam,
            position,
            chosen,
            value,
            form.confidence.data or None,
            form.flagged.data,
            seconds_since(form.served_at.data, time.time()),
            now,
        )
        db.session.commit()
        if request.headers.get("X-Autosave"):
            return "", 204  # exam.js saves each selection as it is made
        if form.goto.data == "submit":
            return redirect(url_for("exams.confirm", exam_id=exam.id))
        return redirect(
            url_for("exams.item", exam_id=exam.id, position=_target(form.goto.data, position, exam))
        )
    if request.headers.get("X-Autosave"):
        return {"errors": form.errors}, 400
    if request.method == "GET" and position in saved:
        response = saved[position]
        form.confidence.data, form.flagged.data = response.confidence, response.flagged
        if hasattr(form, "value"):
            form.value.data = response.value
        else:
            form.chosen.data = (
                response.chosen
                if version.type in ("multiple", "matching")
                else (response.chosen or [None])[0]
            )
    form.served_at.data = f"{time.time():.3f}"
    return render_template(
        "exams/item.html",
        exam=exam,
        position=position,
        version=version,
        form=form,
        saved=saved,
        submit_form=SubmitExamForm(),
        serving_seed=exam.seed,
    )


@bp.get("/<int:exam_id>/confirm")
@require(Action.PRACTISE)
def confirm(exam_id: int):
    """The last step before submitting: which items are unanswered or flagged, each a link back."""
    exam = exams.own_exam(current_user.id, exam_id)
    if exam.closed or not exams.accepts_answers(exam, clock.now()):
        return redirect(url_for("exams.results", exam_id=exam.id))
    total = len(exam.version_ids)
    unanswered = exams.unanswered_positions(exam)
    flagged = [p for p, r in sorted(exams.responses_by_position(exam).items()) if r.flagged]
    return render_template(
        "exams/confirm.html",
        exam=exam,
        total=total,
        unanswered=unanswered,
        flagged=flagged,
        submit_form=SubmitExamForm(),
    )


@bp.post("/<int:exam_id>/submit")
@require(Action.PRACTISE)
def submit(exam_id: int):
    exam = exams.own_exam(current_user.id, exam_id)
    if not SubmitExamForm().validate_on_submit():
        raise MalformedRequest("The exam could not be submitted: reload it and press Submit again.")
    exams.submit(exam, clock.now())
    db.session.commit()
    return redirect(url_for("exams.results", exam_id=exam.id))


@bp.get("/<int:exam_id>/results")
@require(Action.PRACTISE)
def results(exam_id: int):
    exam = exams.own_exam(current_user.id, exam_id)
    now = clock.now()
    exams.close_if_expired(exam, now)
    db.session.commit()
    if not exam.closed:
        return redirect(url_for("exams.item", exam_id=exam.id, position=0))
    blueprint = _blueprint()
    result = exams.result(exam, blueprint)
    policy = readiness.load_policy(current_app.config["CONTENT_DIR"])
    cut = policy.pass_mark
    shown = readiness.report_for_view(current_user, current_app.config["CONTENT_DIR"], now)
    if shown.recomputed:
        db.session.commit()
    exam_now = shown.result.pass_probability if shown.result else None  # None until first computed
    after = exam_now.p if exam_now else None
    flagged = {r.position for r in exam.responses if r.flagged}
    check = None
    if exam.kind == "promotion":
        found = CheckResult(f"check:{exam.id}", result.correct, result.total, exam.submitted_at)
        check = (
            outcome(found, cut, policy.check_min_accuracy),
            classification_accuracy(found.credit, found.items, cut),
            policy.check_min_accuracy,
        )
    return render_template(
        "exams/results.html",
        exam=exam,
        result=result,
        cut=cut,
        bands={d.domain: band(d.correct, d.total, cut) for d in result.domains},
        overall=band(result.correct, result.total, cut),
        wrong=[p for p, _, a in result.items if not (a and a.correct)],
        flagged=sorted(flagged),
        check=check,
        readiness_after=None if shown.updating else after,
        readiness_updating=shown.updating,  # a worker is counting this exam in: not shown until it has
        blueprint=blueprint,
        serving_seed=exam.seed,
    )


def _chosen(form) -> list[str]:
    data = form.chosen.data if hasattr(form, "chosen") else None
    if not data:
        return []
    return data if isinstance(data, list) else [data]


def _target(goto: str | None, position: int, exam: Exam) -> int:
    """Where to go after saving: an item number from the navigator, else the next item (or stay on the last)."""
    if goto and goto.isdigit() and int(goto) < len(exam.version_ids):
        return int(goto)
    if goto == "prev":
        return max(0, position - 1)
    return min(position + 1, len(exam.version_ids) - 1)
