"""Lint rules on the scenario graph: one test per rule, each checking the exact line reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.problems import Severity
from app.domain.scenarios import analysis, lint_scenario, parse_scenario
from app.domain.scenarios.__main__ import main

BASE = """\
---
id: lint-base
title: Lint base
exception_types: [credit-hold]
domains: [D2]
difficulty: junior
functions: [credit, sales]
state:
  hours: 0
  hold: held
rubric:
  accuracy: 60
  compliance: 40
pass_mark: 50
---

# Start {#start}

- Release it -> end-bad
  score: accuracy -10
  critical: Released without authority
  feedback: No.
- Ask credit -> review
  effects: hours + 1
  score: accuracy +10, compliance +10
  involves: credit
  feedback: Yes.

# Credit reviews {#review}

- Wait for credit -> end-good
  feedback: Fine.

# Ending: Good {#end-good}
outcome: good

# Ending: Bad {#end-bad}
outcome: bad
"""


def line_of(text: str, snippet: str) -> int:
    """1-based line of the first line containing `snippet`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if snippet in line)


def lint(text: str):
    scenario, problems = parse_scenario(text, "lint.md")
    assert scenario is not None and not [p for p in problems if p.is_error], problems
    return lint_scenario(scenario)


def found(text: str, fragment: str) -> list[tuple[int, Severity]]:
    return [(p.line, p.severity) for p in lint(text) if fragment in p.message]


def test_the_base_scenario_is_clean():
    assert lint(BASE) == []


def test_missing_target():
    text = BASE.replace("-> end-good", "-> end-great")
    assert found(text, "goes to 'end-great', but no node has that id") == [
        (line_of(text, "- Wait for credit"), Severity.ERROR)
    ]


def test_unreachable_node():
    text = BASE + "\n# Orphan {#orphan}\n\n- Go -> end-good\n  feedback: x\n"
    assert found(text, "'orphan' cannot be reached from the start") == [
        (line_of(text, "{#orphan}"), Severity.ERROR)
    ]


def test_unreachable_ending_in_the_graph():
    text = BASE.replace("- Release it -> end-bad", "- Release it -> end-good")
    assert found(text, "ending 'end-bad' cannot be reached") == [
        (line_of(text, "{#end-bad}"), Severity.ERROR)
    ]


def test_dead_end():
    text = BASE.replace("- Wait for credit -> end-good\n  feedback: Fine.\n", "Nothing happens.\n")
    assert found(text, "'review' has no choices and is not an ending") == [
        (line_of(text, "{#review}"), Severity.ERROR)
    ]


def test_ending_never_reached_once_conditions_apply():
    text = BASE.replace(
        "- Wait for credit -> end-good\n",
        "- Escalate -> end-bad\n  feedback: Hm.\n- Wait for credit -> end-good\n  if: hours > 5\n",
    )
    assert found(text, "ending 'end-good' is never reached") == [
        (line_of(text, "{#end-good}"), Severity.ERROR)
    ]


def test_node_reached_where_no_choice_is_offered():
    text = BASE.replace(
        "- Wait for credit -> end-good\n", "- Wait for credit -> end-good\n  if: hold == released\n"
    )
    assert found(text, "'review' can be reached in a state where none of its choices is offered") == [
        (line_of(text, "{#review}"), Severity.ERROR)
    ]


def test_cycle_through_nodes_not_marked_repeatable():
    text = BASE.replace("  feedback: Fine.\n", "  feedback: Fine.\n- Look again -> start\n  feedback: Hm.\n")
    assert found(text, "is on a cycle") == [
        (line_of(text, "{#start}"), Severity.ERROR),
        (line_of(text, "{#review}"), Severity.ERROR),
    ]
    assert "(start -> review -> start)" in next(
        p.message for p in lint(text) if "'start' is on a cycle" in p.message
    )


def test_cycle_through_repeatable_nodes_is_allowed():
    text = BASE.replace("  feedback: Fine.\n", "  feedback: Fine.\n- Look again -> start\n  feedback: Hm.\n")
    text = text.replace("{#start}\n", "{#start}\nrepeatable: yes\n").replace(
        "{#review}\n", "{#review}\nrepeatable: yes\n"
    )
    assert lint(text) == []


def test_cycle_with_no_exit():
    loop = (
        "\n# Loop A {#loop-a}\nrepeatable: yes\n\n- To B -> loop-b\n  feedback: a\n"
        "\n# Loop B {#loop-b}\nrepeatable: yes\n\n- To A -> loop-a\n  feedback: b\n"
    )
    text = (
        BASE.replace("  feedback: Fine.\n", "  feedback: Fine.\n- Wander off -> loop-a\n  feedback: Hm.\n")
        + loop
    )
    assert found(text, "has no way out") == [(line_of(text, "{#loop-a}"), Severity.ERROR)]
    assert "the cycle loop-a -> loop-b -> loop-a has no way out" in " ".join(p.message for p in lint(text))


def test_no_critical_error_anywhere():
    text = BASE.replace("  critical: Released without authority\n", "")
    assert found(text, "no choice is marked `critical:`") == [(1, Severity.ERROR)]


def test_weighted_rubric_dimension_no_choice_scores():
    text = BASE.replace("  compliance: 40\n", "  compliance: 20\n  coordination: 20\n")
    assert found(text, "'coordination' has weight 20 but no choice scores it") == [
        (line_of(text, "  coordination: 20"), Severity.ERROR)
    ]


def test_zero_weight_dimension_need_not_be_scored():
    assert lint(BASE.replace("  compliance: 40\n", "  compliance: 40\n  coordination: 0\n")) == []


def test_no_ending():
    text = BASE.split("# Ending: Good")[0]
    assert found(text, "the scenario has no ending") == [(1, Severity.ERROR)]


def test_every_path_makes_a_critical_error():
    text = BASE.replace("  involves: credit\n", "  involves: credit\n  critical: Skipped the check\n")
    assert found(text, "every path makes a critical error") == [(1, Severity.ERROR)]


def test_no_path_reaches_the_pass_mark():
    # A critical shortcut stretches the accuracy range, so the clean route scores only 60.
    text = BASE.replace(
        "- Ask credit -> review",
        "- Cut corners -> end-bad\n  score: accuracy +50\n  critical: Cut corners\n  feedback: No.\n- Ask credit -> review",
    ).replace("pass_mark: 50", "pass_mark: 70")
    assert found(text, "no path reaches the pass mark 70 (best 60.0)") == [
        (line_of(text, "pass_mark: 70"), Severity.ERROR)
    ]


def test_choice_never_offered_is_a_warning():
    text = BASE.replace(
        "- Release it -> end-bad",
        "- Wait a week -> end-bad\n  if: hours > 5\n  feedback: x\n- Release it -> end-bad",
    )
    assert found(text, "start/1 is never offered") == [(line_of(text, "- Wait a week"), Severity.WARNING)]


def test_choice_without_feedback_is_a_warning():
    text = BASE.replace("  feedback: Fine.\n", "")
    assert found(text, "review/1 has no feedback") == [(line_of(text, "- Wait for credit"), Severity.WARNING)]


def test_involving_a_function_the_front_matter_does_not_list_is_a_warning():
    text = BASE.replace("  involves: credit\n", "  involves: credit, warehouse\n")
    assert found(text, "involves 'warehouse', which the front matter's functions do not list") == [
        (line_of(text, "- Ask credit"), Severity.WARNING)
    ]


def test_truncated_analysis_is_a_warning(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(analysis, "MAX_STATES", 1)
    assert found(BASE, "path analysis stopped after 1 distinct states") == [(1, Severity.WARNING)]


def test_the_documented_full_example_is_clean():
    docs = (Path(__file__).parents[2] / "docs" / "authoring-scenarios.md").read_text(encoding="utf-8")
    example = docs.split("## Full example", 1)[1].split("```markdown\n", 1)[1].split("\n```\n", 1)[0]
    scenario, problems = parse_scenario(example + "\n", "docs-example.md")
    assert problems == [] and lint_scenario(scenario) == []
    expert = " ".join(analysis.analyse(scenario).max_score_path)
    assert f"Its expert path is `{expert}`" in docs


def test_the_checker_command_prints_problems_and_paths_and_fails_on_errors(tmp_path: Path, capsys):
    good = tmp_path / "good.md"
    good.write_text(BASE, encoding="utf-8")
    assert main([str(good)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{good}: 2 distinct paths (1 bad, 1 good); 1 without a critical error",
        "  max-score path (100.0): start/2 review/1",
        "  dimension ranges: accuracy -10..10, compliance 0..10",
    ]
    bad = tmp_path / "bad.md"
    bad.write_text(BASE.replace("-> end-good", "-> end-great"), encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:{line_of(BASE, '- Wait for credit')}: choice review/1 goes to 'end-great'" in out
    assert f"{good}: 2 distinct paths" in out
    assert main([]) == 2
