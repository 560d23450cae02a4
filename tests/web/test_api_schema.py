"""The OpenAPI document is valid 3.1 and true: schemathesis drives every operation of the API with an
admin's token on a seeded world and checks each response against the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Question, ScenarioAttempt
from config import TestConfig
from tests.web.access_table import records
from tests.web.test_api import _answers, bearer


def test_the_openapi_document_is_valid_and_describes_every_problem(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200  # public: integrators read it before they have a token
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "delete"}
    ]
    assert len(operations) == 19
    problem = spec["components"]["responses"]["UNAUTHORIZED"]
    assert (
        list(problem["content"]) == ["application/problem+json"] and "WWW-Authenticate" in problem["headers"]
    )
    for path, method, op in operations:
        assert {"400", "401", "403", "429"} <= set(op["responses"]), f"{method} {path}"
        assert op["security"][0]["bearerAuth"], f"{method} {path} names no scope"
        assert all("$ref" in r or r["description"] for r in op["responses"].values())


def _documented_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the document, read at collection time from an app that never
    touches a database (the document is built from the code alone)."""
    spec = create_app(TestConfig()).test_client().get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "delete"}
    ]


@pytest.fixture
def seeded(world, bank) -> tuple[dict[str, str], dict[str, list[int]]]:
    """An admin's token, and ids of real records for the path parameters, on a world with two cohorts,
    the fixture bank, answers, an exam, a study session and a scenario run of world.trainee. Whatever the
    run writes is emptied after each operation's test, like every other test's data."""
    ids = records(world)
    _answers(world.trainee, db.session.scalar(select(Question)), [9, 4, 1])
    real = {
        "user_id": [world.trainee.id, world.trainer.id, world.other_trainee.id],
        "cohort_id": [world.cohort.id, world.other_cohort.id],
        "question_id": list(db.session.scalars(select(Question.id))),
        "version_id": [db.session.get(ScenarioAttempt, ids["attempt"]).version_id],
    }
    return bearer(world.admin), real


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


OPERATIONS = _documented_operations()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_documented(app, seeded, method, path):
    """No 5xx, every status documented, every body as its schema says; the same examples every run.
    Half the cases point their path parameters at real records, so success bodies are checked too."""
    headers, real = seeded
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]

    @given(case=operation.as_strategy(), use_real=st.booleans(), pick=st.integers(min_value=0, max_value=50))
    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case, use_real, pick):
        if use_real:
            for name in case.path_parameters or {}:
                if real.get(name):
                    case.path_parameters[name] = real[name][pick % len(real[name])]
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
