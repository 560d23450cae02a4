"""The trainer's intervention queue: each rule at its threshold, read from the promotion policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.domain.interventions import TraineeSignals, flags
from app.domain.readiness.promotion_rules import InterventionRules, parse_promotion_rules
from tests.domain.test_readiness_policy import errors, line_of, replace_line

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
RULES = InterventionRules(stalled_days=7, pass_drop=0.05, critical_errors=2, overconfidence=0.15)
POLICY = Path(__file__).resolve().parents[2] / "content" / "policy" / "promotion.yaml"


def kinds(**signals) -> list[str]:
    base = {"last_activity": NOW, "pass_drop": None, "critical_recent": 0, "overconfidence": None}
    return [f.kind for f in flags(TraineeSignals(**{**base, **signals}), RULES, NOW)]


def test_an_active_steady_trainee_is_not_in_the_queue():
    assert kinds() == []


def test_stalled_after_more_than_the_policy_days_or_never_practised():
    assert kinds(last_activity=NOW - timedelta(days=7)) == []
    assert kinds(last_activity=NOW - timedelta(days=7, minutes=1)) == ["stalled"]
    [flag] = flags(TraineeSignals(None, None, 0, None), RULES, NOW)
    assert (flag.kind, flag.reason) == ("stalled", "Never practised.")
    [flag] = flags(TraineeSignals(NOW - timedelta(days=8), None, 0, None), RULES, NOW)
    assert flag.reason == "No activity for 8 days."


def test_at_risk_when_pass_probability_fell_by_the_policy_drop():
    assert kinds(pass_drop=0.049) == []
    assert kinds(pass_drop=0.05) == ["at-risk"]
    assert kinds(pass_drop=-0.3) == []  # it rose


def test_critical_errors_from_the_policy_count():
    assert kinds(critical_recent=1) == []
    assert kinds(critical_recent=2) == ["critical-errors"]


def test_overconfident_only_when_judged_and_at_the_threshold():
    assert kinds(overconfidence=None) == []  # too few certainty answers to judge
    assert kinds(overconfidence=0.14) == []
    assert kinds(overconfidence=0.15) == ["overconfident"]


def test_one_trainee_can_meet_every_rule():
    assert kinds(last_activity=None, pass_drop=0.2, critical_recent=3, overconfidence=0.3) == [
        "stalled",
        "at-risk",
        "critical-errors",
        "overconfident",
    ]


def test_the_shipped_policy_sets_the_queue_and_a_bad_value_points_at_its_line():
    text = POLICY.read_text()
    policy, _ = parse_promotion_rules(text, "promotion.yaml")
    assert policy.interventions == RULES
    line = line_of(text, "stalled_days:")
    assert errors(replace_line(text, line, "stalled_days: 0")) == [
        (line, "`interventions.stalled_days` is 0; it must be from 1 to 365")
    ]


def test_without_the_section_the_defaults_apply():
    text = POLICY.read_text().split("\ninterventions:")[0]
    policy, _ = parse_promotion_rules(text, "promotion.yaml")
    assert policy.interventions == InterventionRules()


def test_a_handled_flag_stays_out_of_the_queue_for_the_policy_days():
    from app.domain.interventions import still_handled

    assert still_handled(NOW - timedelta(days=6, hours=23), RULES, NOW)
    assert not still_handled(NOW - timedelta(days=7), RULES, NOW)
    assert not still_handled(None, RULES, NOW)
