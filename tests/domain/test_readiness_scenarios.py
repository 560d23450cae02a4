"""Scenario evidence: rolling dimension scores, critical errors in the last attempts, coverage."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.readiness.evidence import ScenarioRun
from app.domain.readiness.scenarios import (
    passed_at,
    passed_exception_types,
    recent_critical_errors,
    rolling_dimensions,
    rolling_score,
)

START = datetime(2026, 11, 1)


def run(
    n, *, accuracy=80.0, compliance=60.0, aided=False, critical=(), passed=True, difficulty="junior", types=()
):
    return ScenarioRun(
        run_id=f"run-{n}",
        scenario_id=f"scenario-{n}",
        finished_at=START + timedelta(days=n),
        difficulty=difficulty,
        exception_types=types or (f"type-{n}",),
        passed=passed,
        scores={"accuracy": accuracy, "compliance": compliance},
        critical_errors=critical,
        aided=aided,
    )


def test_rolling_score_uses_the_last_runs_in_finishing_order():
    runs = [run(3, accuracy=90), run(1, accuracy=10), run(2, accuracy=70)]
    score = rolling_score(runs, ["accuracy"], window=2)
    assert score.score == pytest.approx(80)
    assert score.run_ids == ("run-2", "run-3")


def test_several_dimensions_average_per_run_and_aided_runs_can_be_left_out():
    runs = [run(1, accuracy=100, compliance=50), run(2, accuracy=20, compliance=20, aided=True)]
    assert rolling_score(runs, ["accuracy", "compliance"], window=5).score == pytest.approx((75 + 20) / 2)
    unaided = rolling_score(runs, ["accuracy", "compliance"], window=5, unaided_only=True)
    assert unaided.score == pytest.approx(75) and unaided.n == 1


def test_rolling_dimensions_reports_unscored_dimensions_as_none():
    scores = rolling_dimensions([run(1)], window=3)
    assert scores["accuracy"].score == pytest.approx(80)
    assert scores["coordination"].score is None and scores["coordination"].n == 0


def test_critical_errors_count_only_in_the_last_attempts():
    runs = [run(1, critical=("Released a credit hold",)), run(2), run(3), run(4)]
    assert recent_critical_errors(runs, last=3) == ()
    assert [r.run_id for r in recent_critical_errors(runs, last=4)] == ["run-1"]


def test_coverage_counts_passed_runs_only():
    runs = [
        run(1, types=("credit-hold", "expedite"), difficulty="senior"),
        run(2, types=("drop-ship",), passed=False, difficulty="senior"),
        run(3, types=("credit-hold",)),
    ]
    assert passed_exception_types(runs) == {"credit-hold": ("run-1", "run-3"), "expedite": ("run-1",)}
    assert passed_at(runs, "senior") == ("run-1",)


def test_a_graded_write_up_counts_in_coordination_and_customer_recovery():
    from app.domain.readiness.scenarios import with_writeups

    scores = {"accuracy": 90.0, "coordination": 80.0, "customer_recovery": 60.0}
    assert with_writeups(scores, None) == scores
    assert with_writeups(scores, 40.0) == {"accuracy": 90.0, "coordination": 60.0, "customer_recovery": 50.0}
    assert with_writeups({"accuracy": 90.0}, 70.0)["coordination"] == 70.0  # the note is the only evidence
