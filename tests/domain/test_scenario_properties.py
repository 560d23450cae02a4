"""Properties over every scenario in scenarios/ (found at test time) and fuzzing of the parser."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.scenarios import (
    Analysis,
    AttemptState,
    ScenarioSpec,
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
from app.domain.scenarios.analysis import MAX_REPEAT_VISITS
from app.domain.scenarios.model import OUTCOMES

SCENARIOS = Path(__file__).parents[2] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.md"))
MAX_WALK = 80  # hub loops may go on for ever at run time; a walk this long has shown enough


@cache
def load(path: Path) -> tuple[ScenarioSpec | None, tuple[str, ...], Analysis | None]:
    """Parse, lint and analyse once per file: (scenario, error messages, analysis)."""
    scenario, problems = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    if scenario is None:
        return None, tuple(str(p) for p in problems if p.is_error), None
    analysis = analyse(scenario)
    problems += lint_scenario(scenario, analysis)
    return scenario, tuple(str(p) for p in problems if p.is_error), analysis


def clean(path: Path) -> tuple[ScenarioSpec, Analysis]:
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


FRONT = ["---", "id: fuzz", "title: Fuzz", "exception_types: [credit-hold]", "domains: [D2]", "difficulty: senior",
         "state:", "  hours: 0", "  hold: held", "rubric:", "  accuracy: 60", "  compliance: 40", "pass_mark: 50",
         "---"]  # fmt: skip
BODY = [
    "# Case file", "## Card", "| a | b |", "# Node A {#a}", "# Node B {#b}", "repeatable: yes", "# Node C {#c}",
    "# Ending: End {#end}", "outcome: good · kpi: otif = on time", "# Ending: Bad {#bad}", "outcome: bad",
    "# Write-up: Note {#w}", "next: end", "effects: hours + 0.5", "- Go -> b", "- Go -> a", "- Go -> c",
    "- Finish -> end", "- Give up -> bad", "- Write -> w", "- Item (2 points)", "  effects: hours + 1",
    "  effects: hold = released; hours - 0.5", "  score: accuracy +10", "  score: accuracy -5, compliance +5",
    "  critical: Oops", "  if: hours < 2 or hold == held", "  if: hold != released", "  if: (hours >= 1",
    "  involves: credit", "  feedback: Why.", "    more feedback", "```", "", "text", "<script>", "- x",
]  # fmt: skip


def every_path(scenario: ScenarioSpec) -> list[tuple[str, ...]]:
    """Brute-force enumeration of complete paths, under the analysis's visit rule: the test oracle."""
    paths: list[tuple[str, ...]] = []

    def walk(attempt: AttemptState, visits: dict[str, int]) -> None:
        if attempt.finished:
            paths.append(attempt.log)
            return
        for choice in offered_choices(scenario, attempt):
            target = scenario.node(choice.target)
            seen = visits.get(target.id, 0)
            if seen < (MAX_REPEAT_VISITS if target.repeatable else 1):
                walk(step(scenario, attempt, choice.ref)[0], {**visits, target.id: seen + 1})

    if scenario.has_node(scenario.start):
        walk(new_attempt(scenario), {scenario.start: 1})
    return paths


@settings(max_examples=300, deadline=None)
@given(
    front=st.lists(st.sampled_from(FRONT), max_size=14) | st.just(FRONT),
    body=st.lists(st.sampled_from(BODY), max_size=50),
)
def test_shuffled_scenario_lines_never_raise_and_the_analysis_matches_brute_force(
    front: list[str], body: list[str]
):
    scenario, _ = parse_scenario("\n".join([*front, *body]), "fuzz.md")
    if scenario is None:
        return
    analysis = analyse(scenario)
    lint_scenario(scenario, analysis)
    paths = every_path(scenario)
    assert analysis.path_count == len(paths)
    if not paths:
        return
    raws = [score_attempt(scenario, replay(scenario, p), analysis).raw for p in paths]
    for dimension, (low, high) in analysis.dimension_ranges.items():
        assert low == pytest.approx(min(r[dimension] for r in raws))
        assert high == pytest.approx(max(r[dimension] for r in raws))
    totals = [score_attempt(scenario, replay(scenario, p), analysis).total for p in paths]
    attempt = replay(scenario, analysis.max_score_path)
    assert attempt.finished
    assert analysis.max_score == pytest.approx(max(totals))
    assert score_attempt(scenario, attempt, analysis).total == pytest.approx(analysis.max_score)
    debrief(scenario, attempt, analysis)
