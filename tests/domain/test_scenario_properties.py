"""Properties over every scenario in scenarios/ (found at test time) and fuzzing of the parser."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.scenarios import (
    Analysis,
    Scenario,
    analyse,
    debrief,
    lint_scenario,
    new_attempt,
    offered_choices,
    parse_scenario,
    replay,
    score_attempt,
    step,
)
from app.domain.scenarios.model import OUTCOMES

SCENARIOS = Path(__file__).parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.md"))
MAX_WALK = 80  # hub loops may go on for ever at run time; a walk this long has shown enough


@cache
def load(path: Path) -> tuple[Scenario | None, tuple[str, ...], Analysis | None]:
    """Parse, lint and analyse once per file: (scenario, error messages, analysis)."""
    scenario, problems = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    if scenario is None:
        return None, tuple(str(p) for p in problems if p.is_error), None
    analysis = analyse(scenario)
    problems += lint_scenario(scenario, analysis)
    return scenario, tuple(str(p) for p in problems if p.is_error), analysis


def clean(path: Path) -> tuple[Scenario, Analysis]:
    scenario, errors, analysis = load(path)
    if errors or scenario is None or analysis is None:
        pytest.skip(f"{path.name} has errors (see test_every_scenario_is_free_of_errors)")
    return scenario, analysis


def test_the_shipped_example_is_among_the_files():
    assert SCENARIOS / "strategic-credit-hold-quarter-end.md" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_scenario_is_free_of_errors(path: Path):
    _, errors, _ = load(path)
    assert errors == (), "\n".join(errors)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_expert_path_finishes_with_the_best_score(path: Path):
    scenario, analysis = clean(path)
    expert = replay(scenario, analysis.max_score_path)
    assert expert.finished
    score = score_attempt(scenario, expert, analysis)
    assert score.total == pytest.approx(analysis.max_score)
    assert analysis.truncated or score.passed


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_walks_stay_inside_the_rules(path: Path, data: st.DataObject):
    scenario, analysis = clean(path)
    attempt = new_attempt(scenario)
    visits = {attempt.node_id: 1}
    while not attempt.finished and len(attempt.log) < MAX_WALK:
        choices = offered_choices(scenario, attempt)
        assert choices, f"stuck at {attempt.node_id!r} with state {dict(attempt.state)}"
        choice = data.draw(st.sampled_from(choices), label=attempt.node_id)
        attempt, events = step(scenario, attempt, choice.ref)
        assert events[-1].node_id == attempt.node_id
        visits[attempt.node_id] = visits.get(attempt.node_id, 0) + 1
        node = scenario.node(attempt.node_id)
        assert visits[node.id] == 1 or node.repeatable, f"revisited {node.id!r}, which is not repeatable"
    assert attempt.finished or len(attempt.log) == MAX_WALK
    if attempt.finished:
        assert scenario.node(attempt.node_id).outcome in OUTCOMES
    assert replay(scenario, attempt.log) == attempt
    score = score_attempt(scenario, attempt, analysis)
    assert all(0 <= value <= 100 for value in score.dimensions.values())
    assert 0 <= score.total <= 100
    assert score.total <= score.uncapped_total + 1e-9
    if score.critical_errors:
        assert score.total <= scenario.critical_cap and not score.passed
    if attempt.finished and not analysis.truncated:
        assert score.total <= analysis.max_score + 1e-9
    report = debrief(scenario, attempt, analysis)
    assert len(report.steps) == len(attempt.log)
    assert all(d.chosen.ref != d.expert.ref for d in report.divergences)


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_parsing_arbitrary_text_never_raises(text: str):
    scenario, problems = parse_scenario(text, "fuzz.md")
    assert scenario is not None or problems


LINES = [
    "---", "id: fuzz", "title: Fuzz", "exception_types: [credit-hold]", "domains: [D2]", "difficulty: senior",
    "state:", "  hours: 0", "  hold: held", "rubric:", "  accuracy: 100", "pass_mark: 50", "start: b",
    "# Case file", "## Card", "| a | b |", "# Node A {#a}", "# Node B {#b}", "repeatable: yes",
    "# Ending: End {#end}", "outcome: good · kpi: otif = on time", "# Write-up: Note {#w}", "next: end",
    "- Go -> b", "- Go -> a", "- Finish -> end", "- Write -> w", "- Item (2 points)", "  effects: hours + 1",
    "  effects: hold = released; hours - 0.5", "  score: accuracy +10", "  score: accuracy -5",
    "  critical: Oops", "  if: hours < 2 or hold == held", "  if: (hours >= 1", "  involves: credit",
    "  feedback: Why.", "    more feedback", "```", "", "text", "<script>", "- x",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), max_size=40))
def test_parsing_shuffled_scenario_lines_never_raises_and_the_result_can_be_played(lines: list[str]):
    scenario, _ = parse_scenario("\n".join(["---", *lines]), "fuzz.md")
    if scenario is None:
        return
    analysis = analyse(scenario)
    lint_scenario(scenario, analysis)
    attempt = replay(scenario, analysis.max_score_path)
    score = score_attempt(scenario, attempt, analysis)
    assert 0 <= score.total <= 100
    debrief(scenario, attempt, analysis)
