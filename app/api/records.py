"""API operations on a trainee's records, the content statistics, and a cohort's export data.

Records load through the same policy loaders as the pages: a trainee the token's person may not see
is 404 (`trainee_or_404`), a cohort they do not lead is 404 (`cohort_or_404`). The readiness report is the
stored one the pages show; like the pages, it is recomputed only when evidence arrived since.
"""

from __future__ import annotations

import dataclasses
from itertools import islice

from flask import current_app
from sqlalchemy import select

from app import clock, jobs
from app.api import schemas
from app.api.blueprint import bp, operation, viewer
from app.api.people import dated, keyset_page
from app.domain.readiness.stored import to_json
from app.domain.taxonomy import DOMAIN_NAMES
from app.errors import NotReady
from app.extensions import db
from app.models import Answer, Scenario, ScenarioAttempt, ScenarioVersion
from app.policy import Action, NotFound, cohort_or_404, get_or_404, trainee_or_404
from app.services import cohorts, readiness, statistics

RETRY_PENDING_SECONDS = 10  # a first readiness computation takes a worker well under this


@bp.route("/trainees/<int:user_id>/readiness", methods=["GET"])
@operation("readiness:read", problems=(404, 503))
@bp.response(200, schemas.ReadinessSchema)
def trainee_readiness(user_id: int):
    """A trainee's readiness report and the answers and runs its criteria cite, as on /readiness.

    The stored report: `updating` says newer evidence is being counted by a background job (read again
    shortly); before the first computation the answer is 503 with Retry-After."""
    person = trainee_or_404(viewer(), user_id)
    shown = readiness.report_for_view(person, current_app.config["CONTENT_DIR"], clock.now())
    if shown.recomputed:
        db.session.commit()
    result = shown.result
    if result is None:
        jobs.dispatch_pending()  # the refresh it queued goes out, though the answer is an error
        raise NotReady(
            "This trainee's readiness has not been computed yet; it is being worked out now. Retry shortly.",
            retry_after=RETRY_PENDING_SECONDS,
        )
    records = readiness.evidence_records(person, (i for c in result.criteria for i in c.evidence))
    exam = result.pass_probability
    return {
        "trainee_id": person.id,
        "verdict": result.verdict.value,
        "pass_probability": exam.p if exam else None,
        "computed_at": shown.computed_at,
        "updating": shown.updating,
        "report": to_json(result),
        "evidence": {
            "answers": sorted(records.answers.values(), key=lambda a: a.id),
            "runs": sorted(records.runs.values(), key=lambda r: r.id),
        },
    }


@bp.route("/trainees/<int:user_id>/answers", methods=["GET"])
@operation("attempts:read", problems=(404,))
@bp.arguments(schemas.DatedCursorArgs, location="query")
@bp.response(200, schemas.AnswerPageSchema)
def trainee_answers(args: dict, user_id: int):
    """A trainee's answers in id order, paged; `from`/`to` filter on the day answered"""
    person = trainee_or_404(viewer(), user_id)
    query = dated(select(Answer).where(Answer.user_id == person.id), Answer.answered_at, args)
    return keyset_page(query, Answer.id, args)


@bp.route("/trainees/<int:user_id>/runs", methods=["GET"])
@operation("attempts:read", problems=(404,))
@bp.arguments(schemas.DatedCursorArgs, location="query")
@bp.response(200, schemas.RunPageSchema)
def trainee_runs(args: dict, user_id: int):
    """A trainee's scenario runs in id order, paged; `from`/`to` filter on the day started"""
    person = trainee_or_404(viewer(), user_id)
    query = dated(
        select(ScenarioAttempt).where(ScenarioAttempt.user_id == person.id), ScenarioAttempt.started_at, args
    )
    return keyset_page(query, ScenarioAttempt.id, args)


# -- statistics (the /trainer/items and /trainer/scenarios pages) ------------------------------------------


def item_row(version_id: int, stats, question_id: int | None) -> dict:
    return {**to_json(stats), "version_id": version_id, "question_id": question_id}


@bp.route("/statistics/items", methods=["GET"])
@operation("statistics:read", Action.CONTENT_STATISTICS)
@bp.response(200, schemas.ItemTableSchema)
def item_statistics():
    """Item analysis of every answered question version (first attempts), and exam reliability"""
    table = statistics.item_table()
    versions = statistics.versions_with_questions(table)
    items = [
        item_row(vid, stats, versions[vid].question_id if vid in versions else None)
        for vid, stats in sorted(table.items())
    ]
    return {"items": items, "reliability": dataclasses.asdict(statistics.exam_reliability())}


@bp.route("/statistics/items/<int:question_id>", methods=["GET"])
@operation("statistics:read", Action.CONTENT_STATISTICS, problems=(404,))
@bp.response(200, schemas.QuestionStatisticsSchema)
def question_statistics(question_id: int):
    """Each version of one question with its statistics (null: not answered yet)"""
    question, versions = statistics.question_versions(question_id)
    if question is None:
        raise NotFound("There is no such question.")
    table = statistics.item_table([v.id for v in versions])
    return {
        "question_id": question.id,
        "slug": question.slug,
        "versions": [
            {
                "version_id": v.id,
                "number": v.number,
                "statistics": item_row(v.id, table[v.id], question.id) if v.id in table else None,
            }
            for v in versions
        ],
    }


def scenario_row(version: ScenarioVersion) -> dict:
    return {"version_id": version.id, "scenario_id": version.scenario_id, "title": version.title}


@bp.route("/statistics/scenarios", methods=["GET"])
@operation("statistics:read", Action.CONTENT_STATISTICS)
@bp.response(200, schemas.ScenarioListSchema)
def scenario_versions():
    """The current version of every scenario, by title"""
    found = db.session.scalars(
        select(ScenarioVersion)
        .join(Scenario, Scenario.current_version_id == ScenarioVersion.id)
        .order_by(ScenarioVersion.title)
    )
    return {"items": [scenario_row(v) for v in found]}


@bp.route("/statistics/scenarios/<int:version_id>", methods=["GET"])
@operation("statistics:read", Action.CONTENT_STATISTICS, problems=(404,))
@bp.response(200, schemas.DecisionStatisticsSchema)
def decision_statistics(version_id: int):
    """Decision statistics of one scenario version: choices per node, scores by path, critical errors"""
    version = get_or_404(ScenarioVersion, version_id, "scenario version")
    found = statistics.scenario_statistics(version)
    return {
        **scenario_row(version),
        "runs": len(found["runs"]),
        "choices": to_json(list(found["choices"].values())),  # node id -> choices, in node order
        "paths": to_json(found["paths"]),
        "critical": to_json(found["critical"]),
        "edges": to_json(found["edges"]),
    }


# -- exports (the CSV exports of /trainer/cohorts/<id>, as JSON) --------------------------------------------

EXPORTS = {
    "mastery": lambda cohort: cohorts.mastery_csv(cohort, list(DOMAIN_NAMES)),
    "answers": cohorts.answers_csv,
    "runs": cohorts.runs_csv,
}


@bp.route("/cohorts/<int:cohort_id>/exports/<any(mastery, answers, runs):kind>", methods=["GET"])
@operation("exports:read", Action.REVIEW_COHORTS, problems=(404,))
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.ExportSchema)
def cohort_export(args: dict, cohort_id: int, kind: str):
    """The rows of a cohort's CSV export (mastery, answers or runs), one object per row, paged"""
    cohort = cohort_or_404(viewer(), cohort_id)
    rows = EXPORTS[kind](cohort)
    columns = next(rows)
    start = (args["page"] - 1) * args["limit"]
    page = list(islice(rows, start, start + args["limit"] + 1))
    rows.close()
    more = len(page) > args["limit"]
    return {
        "kind": kind,
        "columns": columns,
        "page": args["page"],
        "next_page": args["page"] + 1 if more else None,
        "rows": [dict(zip(columns, row, strict=True)) for row in page[: args["limit"]]],
    }
