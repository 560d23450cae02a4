"""Trainer views. Trainers see only the cohorts they lead (others 404); admins see every cohort."""

from __future__ import annotations

import csv
import io
import logging

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from app import clock
from app.domain.taxonomy import DIMENSION_NAMES, DOMAIN_NAMES, SCENARIO_READINESS_DIMENSIONS
from app.extensions import db
from app.models import ScenarioAttempt, ScenarioVersion
from app.policy import (
    Action,
    NotFound,
    cohort_or_404,
    get_or_404,
    own_or_404,
    own_trainee_or_403,
    require,
    trainee_or_404,
)
from app.scenarios import pages
from app.services import cohorts, exams, readiness, scenarios, statistics
from app.services import promotion_round as decisions
from app.trainer.forms import HandledForm, RetentionForm, RoundDecisionForm, grade_form_class

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
log = logging.getLogger(__name__)
DOMAINS = list(DOMAIN_NAMES)


@bp.get("/cohorts/<int:cohort_id>")
@require(Action.REVIEW_COHORTS)
def cohort(cohort_id: int):
    group = cohort_or_404(current_user, cohort_id)
    return _cohort_page(group, RetentionForm(percent=round(100 * group.retention_target)))


def _cohort_page(group, retention_form: RetentionForm) -> str:
    now = clock.now()
    rows = cohorts.dashboard_rows(group, now)
    verdict = request.args.get("verdict") or None
    if verdict:
        rows = [r for r in rows if (r.readiness.verdict if r.readiness else None) == verdict]
    sort = request.args.get("sort", "name")
    rows.sort(key=cohorts.SORTS.get(sort, cohorts.SORTS["name"]))
    trend, drops = cohorts.weekly_trend(group)
    rules = readiness.load_policy(current_app.config["CONTENT_DIR"]).interventions
    handled = cohorts.recently_handled(group, now, rules)
    return render_template(
        "trainer/cohort.html",
        cohort=group,
        rows=rows,
        sort=sort,
        verdict=verdict,
        now=now,
        dimensions=DIMENSION_NAMES,
        snapshots=trend,
        scenario_dimensions=SCENARIO_READINESS_DIMENSIONS,
        interventions=cohorts.interventions(rows, now, drops, rules, handled),
        handled=handled,
        handle_form=HandledForm(),
        retention_form=retention_form,
    )


@bp.post("/cohorts/<int:cohort_id>/retention")
@require(Action.REVIEW_COHORTS)
def retention(cohort_id: int):
    """Set the cohort's retention target. A trainer of the cohort or an admin; other trainers get 404. An
    out-of-range value re-renders the page with the error beside the field and the value typed (400)."""
    group = cohort_or_404(current_user, cohort_id)
    form = RetentionForm()
    if not form.validate_on_submit():
        return _cohort_page(group, form), 400
    before = cohorts.set_retention(group, form.percent.data / 100, current_user, clock.now())
    db.session.commit()
    log.info(
        "retention target of cohort %s set from %.2f to %.2f by %s",
        group.id,
        before,
        group.retention_target,
        current_user.email,
    )
    flash(
        f"Retention target set to {form.percent.data}%: reviews answered from now on are scheduled for it.",
        "success",
    )
    return redirect(url_for("trainer.cohort", cohort_id=group.id) + "#ret-h")


@bp.get("/promotion-round")
@require(Action.REVIEW_COHORTS)
def promotion_round():
    """Every trainee of the viewer's cohorts who is Ready or asked for a sign-off, decided from this page."""
    policy = readiness.load_policy(current_app.config["CONTENT_DIR"])
    rows = decisions.round_rows(current_user, policy, clock.now())
    return render_template(
        "trainer/promotion_round.html",
        rows=rows,
        to_decide=sum(not r.decided for r in rows),
        policy=policy,
        form=RoundDecisionForm(),
    )


@bp.post("/promotion-round/trainees/<int:user_id>")
@require(Action.REVIEW_COHORTS)
def round_decide(user_id: int):
    """Sign off or decline one trainee, then back to the round at their row. Only a trainer of the trainee's
    cohort decides (an admin gets 403, a trainer of another cohort 404), as on the readiness report."""
    person = own_trainee_or_403(current_user, user_id, "record a sign-off")
    back = url_for("trainer.promotion_round") + f"#row-{person.id}"
    form = RoundDecisionForm()
    if not form.validate_on_submit():
        flash(
            f"Nothing recorded for {person.name}: " + " ".join(e for es in form.errors.values() for e in es),
            "error",
        )
        return redirect(back)
    now = clock.now()
    result = readiness.assess_trainee(person, current_app.config["CONTENT_DIR"], now)
    comment = (form.comment.data or "").strip() or decisions.DEFAULT_SIGN_OFF_NOTE
    readiness.record_sign_off(person, current_user, form.decision.data, comment, result, now)
    db.session.commit()
    log.info("promotion round: %s %s by %s", person.email, form.decision.data, current_user.email)
    said = (
        "signed off for the senior desk"
        if form.decision.data == "recommend"
        else "declined, with your reason"
    )
    flash(f"{person.name} {said}. The computed verdict is unchanged.", "success")
    return redirect(back)


@bp.post("/cohorts/<int:cohort_id>/trainees/<int:user_id>/interventions/<kind>")
@require(Action.REVIEW_COHORTS)
def handled(cohort_id: int, user_id: int, kind: str):
    """Mark a flag in the queue handled, with what was done: it leaves the queue for the policy's days."""
    group = cohort_or_404(current_user, cohort_id)
    person = trainee_or_404(current_user, user_id)
    form = HandledForm()
    if not form.validate_on_submit():
        flash("Not marked: " + " ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("trainer.cohort", cohort_id=group.id) + "#int-h")
    cohorts.mark_handled(group, person, kind, form.note.data, current_user, clock.now())
    db.session.commit()
    flash(f"Marked handled for {person.name}: it leaves the queue for now, and the note is kept.", "success")
    return redirect(url_for("trainer.cohort", cohort_id=group.id) + "#int-h")


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:user_id>")
@require(Action.REVIEW_COHORTS)
def trainee(cohort_id: int, user_id: int):
    group = cohort_or_404(current_user, cohort_id)
    person = trainee_or_404(current_user, user_id)
    if person not in group.trainees or not person.active:  # deactivated: gone from the cohort's pages
        raise NotFound("There is no such trainee in this cohort.")
    row = next(r for r in cohorts.dashboard_rows(group, clock.now()) if r.user.id == person.id)
    answers, runs = cohorts.drill_down(person.id, answers=50)
    return render_template(
        "trainer/trainee.html",
        cohort=group,
        person=person,
        row=row,
        answers=answers,
        runs=runs,
        exams=exams.history(person.id, 20),
        now=clock.now(),
        cut=readiness.load_policy(current_app.config["CONTENT_DIR"]).pass_mark,
        dimensions=DIMENSION_NAMES,
    )


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:user_id>/runs/<int:attempt_id>")
@require(Action.REVIEW_COHORTS)
def run(cohort_id: int, user_id: int, attempt_id: int):
    """A trainee's finished scenario run as they see its debrief, read-only, from the drill-down."""
    group = cohort_or_404(current_user, cohort_id)
    person = trainee_or_404(current_user, user_id)
    attempt = own_or_404(ScenarioAttempt, attempt_id, person.id, "finished run of this trainee")
    if person not in group.trainees or not attempt.finished:
        raise NotFound("There is no such finished run of this trainee.")
    return pages.attempt_debrief(attempt, None, trainer_view={"cohort": group, "person": person})


@bp.get("/grading")
@require(Action.REVIEW_COHORTS)
def grading():
    """The queue, filtered by trainee or scenario; the filter choices come from the whole queue."""
    everything = cohorts.ungraded_writeups(current_user)
    trainee_id = request.args.get("trainee", type=int)
    scenario_id = request.args.get("scenario", type=int)
    shown = [
        q
        for q in everything
        if (trainee_id is None or q.trainee.id == trainee_id)
        and (scenario_id is None or q.writeup.attempt.scenario_id == scenario_id)
    ]
    trainees = sorted({(q.trainee.id, q.trainee.name) for q in everything}, key=lambda t: t[1])
    scenario_choices = sorted(
        {(q.writeup.attempt.scenario_id, q.writeup.attempt.version.title) for q in everything},
        key=lambda s: s[1],
    )
    return render_template(
        "trainer/grading.html",
        queue=shown,
        total=len(everything),
        trainees=trainees,
        scenario_choices=scenario_choices,
        trainee_id=trainee_id,
        scenario_id=scenario_id,
    )


@bp.route("/grading/<int:writeup_id>", methods=["GET", "POST"])
@require(Action.REVIEW_COHORTS)
def grade(writeup_id: int):
    writeup = cohorts.writeup_for(current_user, writeup_id)
    scenario = scenarios.model_of(writeup.attempt.version)
    node = scenario.node(writeup.node_id)
    maxima = [item.points for item in node.rubric]
    form = grade_form_class(maxima)(comment=writeup.comment)
    if request.method == "GET" and writeup.criterion_points:
        for field, points in zip(form.criterion_fields(), writeup.criterion_points, strict=False):
            field.data = points
    if form.validate_on_submit():
        points = [field.data for field in form.criterion_fields()]
        cohorts.grade(writeup, current_user, points, maxima, form.comment.data or "", clock.now())
        db.session.commit()
        log.info("write-up %s graded %g/%g by %s", writeup.id, sum(points), sum(maxima), current_user.email)
        flash("Grade saved; the trainee sees it on their debrief.", "success")
        return redirect(url_for("trainer.grading"))
    status = 400 if request.method == "POST" else 200  # the comment and points typed are kept
    return render_template(
        "trainer/grade.html",
        writeup=writeup,
        form=form,
        node=node,
        fragments=scenarios.fragments_for(writeup.attempt.version, writeup.attempt.variant),
    ), status


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe (OWASP
    CSV injection advice). Numbers stay numbers."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _csv_response(rows, filename: str) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([spreadsheet_safe(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/cohorts/<int:cohort_id>/export/<kind>.csv")
@require(Action.REVIEW_COHORTS)
def export(cohort_id: int, kind: str):
    group = cohort_or_404(current_user, cohort_id)
    producers = {
        "mastery": lambda: cohorts.mastery_csv(group, DOMAINS),
        "answers": lambda: cohorts.answers_csv(group),
        "runs": lambda: cohorts.runs_csv(group),
        "verdicts": lambda: cohorts.verdicts_csv(group),
    }
    if kind not in producers:
        raise NotFound(f"There is no {kind} export: choose one of {', '.join(sorted(producers))}.")
    return _csv_response(producers[kind](), f"{group.name.lower().replace(' ', '-')}-{kind}.csv")


@bp.get("/items")
@require(Action.CONTENT_STATISTICS)
def items():
    """Item analysis of every answered question version; flagged ones first."""
    table = statistics.item_table()
    versions = statistics.versions_with_questions(table)
    rows = sorted(table.items(), key=lambda kv: (not kv[1].flags and not kv[1].suggest_retire, -kv[1].count))
    return render_template(
        "trainer/items.html", rows=rows, versions=versions, reliability=statistics.exam_reliability()
    )


@bp.get("/items/<int:question_id>")
@require(Action.CONTENT_STATISTICS)
def item(question_id: int):
    question, versions = statistics.question_versions(question_id)
    if question is None:
        raise NotFound("There is no such question.")
    table = statistics.item_table([v.id for v in versions])
    return render_template("trainer/item.html", question=question, versions=versions, table=table)


@bp.get("/scenarios/<int:version_id>")
@require(Action.CONTENT_STATISTICS)
def scenario_stats(version_id: int):
    version = get_or_404(ScenarioVersion, version_id, "scenario version")
    return render_template(
        "trainer/scenario_stats.html",
        version=version,
        fragments=scenarios.fragments_labelled(version),
        **statistics.scenario_statistics(version),
    )


@bp.get("/scenarios")
@require(Action.CONTENT_STATISTICS)
def scenario_list():
    return render_template("trainer/scenarios.html", versions=scenarios.current_versions())
