"""The promotion policy file and its linter: every problem points at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.problems import Severity
from app.domain.readiness.promotion_rules import DIMENSION_NAMES, Level, parse_promotion_rules

POLICY_FILE = Path(__file__).resolve().parents[2] / "content" / "policy" / "promotion.yaml"
PATH = "content/policy/promotion.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    return POLICY_FILE.read_text()


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `fragment`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    lines[line - 1] = indent + new
    return "\n".join(lines) + "\n"


def errors(text: str) -> list[tuple[int, str]]:
    policy, problems = parse_promotion_rules(text, PATH)
    assert policy is None
    return [(p.line, p.message) for p in problems if p.severity is Severity.ERROR]


def test_the_shipped_policy_is_clean(text):
    policy, problems = parse_promotion_rules(text, PATH)
    assert problems == []
    assert policy is not None
    assert [d.name for d in policy.dimensions] == list(DIMENSION_NAMES)
    assert set(policy.at_senior) == {"knowledge", "exception_judgement", "coordination", "metrics_literacy"}
    assert 0 < policy.almost_probability <= policy.ready_probability < 1


def test_levels_follow_the_thresholds(text):
    policy, _ = parse_promotion_rules(text, PATH)
    rule = policy.dimension("coordination")
    assert rule.level(rule.senior) is Level.SENIOR_READY
    assert rule.level(rule.developing) is Level.DEVELOPING
    assert rule.level(rule.developing - 0.1) is Level.JUNIOR


def test_a_setting_out_of_range_is_reported_on_its_line(text):
    line = line_of(text, "ready_probability:")
    found = errors(replace_line(text, line, "ready_probability: 1.5"))
    assert found == [(line, "`exam.ready_probability` is 1.5; it must be from 0.5 to 0.999")]


def test_senior_must_be_above_developing(text):
    line = line_of(text, "senior: ", occurrence=2)  # exception_judgement
    found = errors(replace_line(text, line, "senior: 50"))
    assert found == [(line, "`dimensions.exception_judgement.senior` (50) must be above `developing` (60)")]


def test_a_typo_is_an_unknown_setting(text):
    line = line_of(text, "half_life_days:")
    found = errors(replace_line(text, line, "half_life_dayz: 60"))
    assert (line, "`evidence.half_life_days` is missing") not in found  # reported where the section is
    assert any(n == line and "unknown setting `evidence.half_life_dayz`" in m for n, m in found)
    assert (line_of(text, "evidence:"), "`evidence.half_life_days` is missing") in found


def test_an_unknown_domain_points_at_the_list(text):
    line = line_of(text, "domains: [D1")
    found = errors(replace_line(text, line, "domains: [D1, D2, D3, D4, D5, D6, D7, D10]"))
    assert found == [
        (
            line,
            "`dimensions.knowledge.domains`: unknown domain `D10`; use one of D1, D2, D3, D4, D5, D6, D7, D8, D9",
        )
    ]


def test_min_runs_cannot_exceed_the_rolling_window(text):
    line = line_of(text, "min_runs:")
    found = errors(replace_line(text, line, "min_runs: 9"))
    assert found == [
        (
            line,
            "`dimensions.exception_judgement.min_runs` (9) exceeds `scenarios.window` (5): "
            "a rolling score never holds that many runs",
        )
    ]


def test_a_dimension_needs_exactly_one_source(text):
    line = line_of(text, "scenario_scores: [coordination]")
    found = errors(replace_line(text, line, "scenario_scores: [coordination]\n    item_domains: [D9]"))
    dimension_line = line_of(text, "  coordination:")
    assert len(found) == 1
    assert found[0][0] == dimension_line
    assert "needs exactly one source" in found[0][1]


def test_almost_cannot_ask_more_than_ready(text):
    line = line_of(text, "almost_probability:")
    found = errors(replace_line(text, line, "almost_probability: 0.9"))
    assert found == [(line, "`exam.almost_probability` (0.9) is above `exam.ready_probability` (0.8)")]


def test_a_key_given_twice_is_reported_at_the_second(text):
    line = line_of(text, "scenario_runs:")
    found = errors(replace_line(text, line, "scenario_runs: 8\n  scenario_runs: 9"))
    assert found == [(line + 1, "`evidence.scenario_runs` is given twice; keep one")]


def test_stated_confidence_must_rise(text):
    line = line_of(text, "high: 0.90")
    found = errors(replace_line(text, line, "high: 0.50"))
    assert found == [(line_of(text, "stated:"), "`confidence.stated` must rise from low to medium to high")]


def test_missing_section_and_broken_yaml():
    assert (1, "`exam` is missing") in errors(
        "evidence: {half_life_days: 60, items_per_domain: 20, scenario_runs: 8}\n"
    )
    found = errors("exam:\n  pass_mark: [0.6\n")
    assert len(found) == 1 and found[0][0] == 3
    assert found[0][1].startswith("not valid YAML") and "started on line 2" in found[0][1]
    assert errors("") == [(1, "the policy is empty")]
    assert errors("- just a list\n") == [(1, "the file must be a mapping of settings (`key: value` lines)")]
