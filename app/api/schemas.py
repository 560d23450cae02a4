"""Marshmallow schemas of the JSON API: they validate requests and are the source of the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.auth.forms import MIN_PASSWORD_LENGTH
from app.models import Role
from app.security import MAX_ID

MAX_LIMIT = 200
RecordId = validate.Range(min=1, max=MAX_ID)  # what the <int:...> converter accepts
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="holds a NUL character, which no field accepts; remove it.")


class Text(fields.String):
    """A string field that refuses NUL characters (PostgreSQL cannot store them; the pages refuse them too,
    see app/security.py). The rule is in the OpenAPI document as a pattern."""

    def __init__(self, *args, validate: list | None = None, **kwargs):
        super().__init__(*args, validate=[NO_NUL, *(validate or [])], **kwargs)


class ProblemSchema(Schema):
    type = fields.String(required=True, metadata={"description": "'about:blank': the status says what kind"})
    title = fields.String(required=True, metadata={"description": "the HTTP status phrase"})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "what was wrong and what to do"})
    request_id = fields.String(allow_none=True, metadata={"description": "quote it when reporting a problem"})
    errors = fields.Dict(metadata={"description": "invalid fields: location -> field -> messages"})


# -- paging and dates ---------------------------------------------------------------------------------------


class CursorArgs(Schema):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"records per page, 1-{MAX_LIMIT}"},
    )
    cursor = fields.Integer(
        validate=validate.Range(min=0, max=MAX_ID),
        metadata={"description": "next_cursor of the previous page; absent: the first page"},
    )


class DatedCursorArgs(CursorArgs):
    date_from = fields.Date(data_key="from", metadata={"description": "ISO date: on or after this day (UTC)"})
    date_to = fields.Date(data_key="to", metadata={"description": "ISO date: on or before this day (UTC)"})


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class PageSchema(Schema):
    next_cursor = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "pass as cursor for the next page; null: this was the last"},
    )


# -- people and cohorts -------------------------------------------------------------------------------------


class UserArgs(DatedCursorArgs):
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    active = fields.Boolean()


class UserSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(validate=validate.OneOf([r.value for r in Role])), required=True)
    active = fields.Boolean(required=True, metadata={"description": "false: deactivated, cannot sign in"})
    created_at = fields.DateTime(required=True)


class UserDetailSchema(UserSchema):
    trainee_in = fields.List(
        fields.Integer(), required=True, metadata={"description": "cohort ids (as trainee)"}
    )
    trains = fields.List(fields.Integer(), required=True, metadata={"description": "cohort ids (as trainer)"})


class UserPageSchema(PageSchema):
    items = fields.List(fields.Nested(UserSchema), required=True)


class UserCreateSchema(Schema):
    email = fields.String(
        required=True,
        validate=[
            validate.Length(max=254),
            validate.Regexp(
                r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$",
                error="Enter an e-mail address like name@company.com.",
            ),
        ],
    )
    name = Text(required=True, validate=[validate.Length(min=1, max=120)])
    roles = fields.List(
        fields.String(validate=validate.OneOf([r.value for r in Role])),
        required=True,
        validate=validate.Length(min=1, max=4),
    )
    cohort_id = fields.Integer(validate=RecordId, metadata={"description": "a cohort to join as trainee"})
    password = Text(
        validate=[validate.Length(min=MIN_PASSWORD_LENGTH, max=200)],
        load_only=True,
        metadata={
            "description": "initial password; absent: the person cannot sign in until an admin sets one"
        },
    )


class CohortSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    trainer_ids = fields.List(fields.Integer(), required=True)
    trainee_ids = fields.List(fields.Integer(), required=True)


class CohortListSchema(Schema):
    items = fields.List(fields.Nested(CohortSchema), required=True)


class CohortCreateSchema(Schema):
    name = Text(required=True, validate=[validate.Length(min=1, max=120)])
    trainer_ids = fields.List(
        fields.Integer(validate=RecordId), load_default=list, validate=validate.Length(max=50)
    )


# -- a trainee's records ------------------------------------------------------------------------------------


class AnswerSchema(Schema):
    id = fields.Integer(required=True)
    question_id = fields.Integer(required=True)
    question_version_id = fields.Integer(required=True)
    domain = fields.String(required=True)
    mode = fields.String(required=True, metadata={"description": "study, review or exam"})
    chosen = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "option keys picked; matching items: `prompt=answer` keys such as `p1=a3`; "
            "short-answer items: the text typed"
        },
    )
    value = fields.Float(allow_none=True, metadata={"description": "numeric items: the number given"})
    confidence = fields.String(allow_none=True)
    correct = fields.Boolean(required=True)
    credit = fields.Float(required=True)
    seconds = fields.Float(allow_none=True)
    first_attempt = fields.Boolean(required=True)
    session_id = fields.Integer(allow_none=True)
    exam_id = fields.Integer(allow_none=True)
    answered_at = fields.DateTime(required=True)


class AnswerPageSchema(PageSchema):
    items = fields.List(fields.Nested(AnswerSchema), required=True)


class RunSchema(Schema):
    id = fields.Integer(required=True)
    scenario_id = fields.Integer(required=True)
    version_id = fields.Integer(required=True)
    path = fields.List(
        fields.String(),
        required=True,
        attribute="log",
        metadata={"description": "choice refs in the order taken"},
    )
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    total = fields.Float(allow_none=True, metadata={"description": "0-100, when finished"})
    passed = fields.Boolean(allow_none=True)
    outcome = fields.String(allow_none=True)
    critical_errors = fields.List(fields.String(), required=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)


class RunPageSchema(PageSchema):
    items = fields.List(fields.Nested(RunSchema), required=True)


class EvidenceSchema(Schema):
    answers = fields.List(fields.Nested(AnswerSchema), required=True)
    runs = fields.List(fields.Nested(RunSchema), required=True)


class ReadinessSchema(Schema):
    trainee_id = fields.Integer(required=True)
    verdict = fields.String(required=True)
    pass_probability = fields.Float(allow_none=True)
    computed_at = fields.DateTime(
        allow_none=True, metadata={"description": "when the stored report was computed (UTC)"}
    )
    updating = fields.Boolean(
        required=True,
        metadata={
            "description": "newer evidence arrived and a background job is counting it: read again shortly"
        },
    )
    report = fields.Dict(
        required=True,
        metadata={
            "description": "the stored report the readiness page shows: verdict, criteria (each met or not, "
            "with the ids of its evidence, e.g. answer:12 or run:3), dimensions, domains, "
            "pass_probability, confidence, next_actions, missing"
        },
    )
    evidence = fields.Nested(
        EvidenceSchema, required=True, metadata={"description": "the answers and runs the criteria cite"}
    )


# -- statistics ---------------------------------------------------------------------------------------------


class OptionRateSchema(Schema):
    key = fields.String(required=True)
    correct = fields.Boolean(required=True)
    count = fields.Integer(required=True)
    rate = fields.Float(required=True)


class ItemStatisticsSchema(Schema):
    version_id = fields.Integer(required=True)
    question_id = fields.Integer(allow_none=True)
    count = fields.Integer(required=True, metadata={"description": "attempts the item was presented in"})
    facility = fields.Float(required=True)
    sd = fields.Float(allow_none=True)
    discrimination = fields.Float(allow_none=True)
    discriminative_efficiency = fields.Float(allow_none=True)
    median_seconds = fields.Float(allow_none=True)
    options = fields.List(fields.Nested(OptionRateSchema), required=True)
    flags = fields.List(fields.String(), required=True)
    suggest_retire = fields.Boolean(required=True)


class ReliabilitySchema(Schema):
    sittings = fields.Integer(required=True)
    sections = fields.Integer(required=True)
    alpha = fields.Float(allow_none=True)
    sem_items = fields.Float(allow_none=True)
    mean_items = fields.Float(allow_none=True)


class ItemTableSchema(Schema):
    items = fields.List(fields.Nested(ItemStatisticsSchema), required=True)
    reliability = fields.Nested(ReliabilitySchema, required=True)


class QuestionVersionStatisticsSchema(Schema):
    version_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    statistics = fields.Nested(ItemStatisticsSchema, allow_none=True, required=True)


class QuestionStatisticsSchema(Schema):
    question_id = fields.Integer(required=True)
    slug = fields.String(required=True)
    versions = fields.List(fields.Nested(QuestionVersionStatisticsSchema), required=True)


class ScenarioVersionSchema(Schema):
    version_id = fields.Integer(required=True)
    scenario_id = fields.Integer(required=True)
    title = fields.String(required=True)


class ScenarioListSchema(Schema):
    items = fields.List(fields.Nested(ScenarioVersionSchema), required=True)


class ChoiceCountSchema(Schema):
    ref = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(allow_none=True)


class NodeChoicesSchema(Schema):
    node_id = fields.String(required=True)
    decisions = fields.Integer(required=True)
    choices = fields.List(fields.Nested(ChoiceCountSchema), required=True)


class PathScoresSchema(Schema):
    path = fields.List(fields.String(), required=True)
    runs = fields.Integer(required=True)
    mean = fields.Float(required=True)
    median = fields.Float(required=True)


class CriticalErrorCountSchema(Schema):
    label = fields.String(required=True)
    runs = fields.Integer(required=True, metadata={"description": "runs that incurred it at least once"})
    share = fields.Float(required=True)


class EdgeTraversalSchema(Schema):
    ref = fields.String(required=True)
    source = fields.String(required=True)
    target = fields.String(required=True)
    count = fields.Integer(required=True)


class DecisionStatisticsSchema(ScenarioVersionSchema):
    runs = fields.Integer(required=True)
    choices = fields.List(fields.Nested(NodeChoicesSchema), required=True)
    paths = fields.List(fields.Nested(PathScoresSchema), required=True, metadata={"description": "top ten"})
    critical = fields.List(fields.Nested(CriticalErrorCountSchema), required=True)
    edges = fields.List(fields.Nested(EdgeTraversalSchema), required=True)


# -- exports ------------------------------------------------------------------------------------------------


class ExportSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["mastery", "answers", "runs"]))
    columns = fields.List(fields.String(), required=True, metadata={"description": "the CSV export's header"})
    rows = fields.List(
        fields.Dict(keys=fields.String()),
        required=True,
        metadata={"description": "one object per CSV row, keyed by column"},
    )
    page = fields.Integer(required=True)
    next_page = fields.Integer(required=True, allow_none=True)
