"""Parsing scenario files: the structure it builds and every problem it reports, at the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.problems import Severity
from app.domain.scenarios import NodeKind, parse_scenario
from app.domain.scenarios.conditions import AllOf, AnyOf, Comparison, ConditionError, parse_condition

FRONT = """\
---
id: tiny-hold
title: Tiny credit hold
exception_types: [credit-hold]
domains: [D2]
difficulty: junior
state:
  hours: 0
  hold_status: held
rubric:
  accuracy: 50
  compliance: 50
pass_mark: 60
---
"""  # 14 lines: the body starts on line 15

BODY = """\
# Case file

You are on the desk.

## Order SO-1
| Line | Qty |
|---|---:|
| 1 | 40 |

# Sales wants it released {#first-call}

Narrative with a list that is not a choice:

- the order is held

- Release it yourself -> end-bad
  effects: hold_status = released; hours + 0.5
  score: accuracy -20, compliance -30
  critical: Released without authority
  involves: sales
  feedback: Release authority sits with credit;
    the limit exists for this exposure.
- Ask credit -> note
  effects: hours + 1
  score: accuracy +10, compliance +10
  involves: credit, sales
  if: hold_status == held and hours < 2
  feedback: Yes.

# Write-up: Note to the warehouse {#note}
next: end-good
effects: hours + 0.5

Write the note.

- Names the order (3 points)
- Says who approved
  the release (2 points)

# Ending: Ships {#end-good}
outcome: good · kpi: otif = on time, in full; dso = unchanged

Fine.

# Ending: Audit {#end-bad}
outcome: bad

Not fine.
"""


def parse(text: str):
    return parse_scenario(text, "s.md")


def messages(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in parse(text)[1]]


def only_problem(text: str) -> tuple[int, str]:
    found = messages(text)
    assert len(found) == 1, found
    return found[0]


def test_a_valid_file_parses_without_problems():
    scenario, problems = parse(FRONT + BODY)
    assert problems == []
    assert scenario is not None
    assert scenario.id == "tiny-hold"
    assert scenario.start == "first-call"
    assert dict(scenario.initial_state) == {"hours": 0, "hold_status": "held"}
    assert scenario.critical_cap == 40 and scenario.allow_back is False
    assert [n.id for n in scenario.nodes] == ["first-call", "note", "end-good", "end-bad"]


def test_case_file_cards_and_briefing_keep_their_markdown():
    scenario, _ = parse(FRONT + BODY)
    assert scenario.briefing == "You are on the desk."
    (card,) = scenario.cards
    assert card.title == "Order SO-1"
    assert card.body.startswith("| Line | Qty |") and card.line == 19


def test_choices_get_refs_attributes_and_lines():
    scenario, _ = parse(FRONT + BODY)
    node = scenario.node("first-call")
    assert node.kind == NodeKind.DECISION and node.line == 24
    assert node.body == "Narrative with a list that is not a choice:\n\n- the order is held"
    release, ask = node.choices
    assert (release.ref, release.target, release.line) == ("first-call/1", "end-bad", 30)
    assert [str(e) for e in release.effects] == ["hold_status = released", "hours + 0.5"]
    assert release.score == (("accuracy", -20), ("compliance", -30))
    assert release.critical == "Released without authority"
    assert release.involves == ("sales",)
    assert release.feedback == "Release authority sits with credit;\nthe limit exists for this exposure."
    assert ask.ref == "first-call/2" and ask.score == (("accuracy", 10), ("compliance", 10))
    assert ask.condition_text == "hold_status == held and hours < 2"
    assert ask.offered_in({"hold_status": "held", "hours": 1})
    assert not ask.offered_in({"hold_status": "held", "hours": 2})


def test_write_up_has_a_next_choice_rubric_and_effects():
    scenario, _ = parse(FRONT + BODY)
    note = scenario.node("note")
    assert note.kind == NodeKind.WRITE_UP and note.body == "Write the note."
    (choice,) = note.choices
    assert (choice.ref, choice.target, [str(e) for e in choice.effects]) == (
        "note/next",
        "end-good",
        ["hours + 0.5"],
    )
    assert [(i.text, i.points) for i in note.rubric] == [
        ("Names the order", 3),
        ("Says who approved the release", 2),
    ]


def test_endings_read_outcome_and_kpis():
    scenario, _ = parse(FRONT + BODY)
    good = scenario.node("end-good")
    assert good.is_ending and good.outcome == "good" and good.body == "Fine."
    assert good.kpis == (("otif", "on time, in full"), ("dso", "unchanged"))
    assert scenario.node("end-bad").kpis == ()


def test_markdown_fragments_cover_everything_rendered():
    scenario, _ = parse(FRONT + BODY)
    keys = {f.key for f in scenario.markdown_fragments()}
    assert {"title", "briefing", "card/1/title", "card/1/body", "node/first-call/body",
            "choice/first-call/1/text", "choice/first-call/1/feedback", "choice/first-call/1/critical",
            "rubric/note/2", "node/end-good/title"} <= keys  # fmt: skip
    inline = {f.key: f.inline for f in scenario.markdown_fragments()}
    assert inline["choice/first-call/1/text"] and not inline["node/first-call/body"]


def test_content_hash_ignores_lines_but_not_content():
    first, _ = parse(FRONT + BODY)
    moved, _ = parse(FRONT + "\n\n" + BODY)
    edited, _ = parse(FRONT + BODY.replace("Feedback", "x").replace("Yes.", "Yes!"))
    assert first.content_hash() == moved.content_hash()
    assert first.content_hash() != edited.content_hash()
    assert first == moved


def test_start_can_be_named_in_the_front_matter():
    text = FRONT.replace("pass_mark: 60", "pass_mark: 60\nstart: note") + BODY
    scenario, problems = parse(text)
    assert problems == [] and scenario.start == "note"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("id: tiny-hold", "id: Tiny_Hold", 2, "id 'Tiny_Hold' must be lowercase kebab-case"),
        ("[credit-hold]", "[credit-hold, lost-pallet]", 4, "unknown exception type 'lost-pallet'"),
        ("domains: [D2]", "domains: [D2, D12]", 5, "unknown domain 'D12'"),
        ("difficulty: junior", "difficulty: expert", 6, "unknown difficulty 'expert'"),
        ("pass_mark: 60", "pass_mark: 60\ncustomer_tier: gold", 14, "unknown customer tier 'gold'"),
        (
            "pass_mark: 60",
            "pass_mark: 60\nfunctions: [credit, marketing]",
            14,
            "unknown function 'marketing'",
        ),
        ("  compliance: 50", "  compliance: 40", 10, "rubric weights must sum to 100, not 90"),
        ("  compliance: 50", "  charm: 50", 12, "unknown rubric dimension 'charm'"),
        ("pass_mark: 60", "pass_mark: 120", 13, "pass_mark must be between 0 and 100, not 120"),
        ("pass_mark: 60", "pass_mark: 60\ncolour: red", 14, "unknown front-matter key 'colour'"),
        ("title: Tiny credit hold\n", "", 1, "front matter is missing 'title'"),
        ("  hours: 0", "  hours: 0\n  approved: no", 9, "state approved: YAML reads False as true/false"),
        ("pass_mark: 60", "pass_mark: 60\nallow_back: maybe", 14, "allow_back must be true or false"),
        ("pass_mark: 60", "pass_mark: 60\nstart: nowhere", 14, "start: no node has the id 'nowhere'"),
        ("pass_mark: 60", "pass_mark: 60\npass_mark: 70", 14, "duplicate key 'pass_mark'"),
    ],
)
def test_front_matter_problems_are_reported_at_their_line(old, new, line, message):
    found = messages(FRONT.replace(old, new) + BODY)
    assert any(at == line and m.startswith(message) for at, m in found), found


def test_yaml_errors_carry_yamls_line_and_give_no_scenario():
    scenario, problems = parse(FRONT.replace("domains: [D2]", "domains: [D2") + BODY)
    assert scenario is None
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(6, "front matter is not valid YAML")]


def test_missing_front_matter_gives_no_scenario():
    scenario, problems = parse(BODY)
    assert scenario is None and problems[0].line == 1


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "  effects: hours + 1\n",
            "  effects: hours + 1; mood = 3\n",
            38,
            "effects: unknown variable 'mood'",
        ),
        ("  effects: hours + 1\n", "  effects: hours += 1\n", 38, "effects: cannot read 'hours += 1'"),
        ("  effects: hours + 1\n", "  effects: hold_status + 1\n", 38, "effects: 'hold_status' holds a word"),
        ("  effects: hours + 1\n", "  effects: hours = late\n", 38, "effects: 'hours' holds a number"),
        ("accuracy +10, compliance +10", "accuracy ten", 39, "score: cannot read 'accuracy ten'"),
        ("accuracy +10, compliance +10", "charm +10", 39, "score: unknown dimension 'charm'"),
        ("accuracy +10, compliance +10", "coordination +10", 39, "score: dimension 'coordination' is not in"),
        (
            "involves: credit, sales",
            "involves: credit, marketing",
            40,
            "involves: unknown function 'marketing'",
        ),
        ("if: hold_status == held and hours < 2", "if: hours = 2", 41, "if: unexpected '=' in condition"),
        ("if: hold_status == held and hours < 2", "if: mood > 2", 41, "if: unknown variable 'mood'"),
        (
            "if: hold_status == held and hours < 2",
            "if: hold_status < held",
            41,
            "if: 'hold_status' holds a word",
        ),
        ("  feedback: Yes.\n", "  feedback: Yes.\n  colour: red\n", 43, "unknown choice attribute 'colour'"),
        ("  feedback: Yes.\n", "  feedback: Yes.\n  feedback: No.\n", 43, "'feedback' given twice"),
        ("  feedback: Yes.\n", "  feedback: Yes.\nStray text.\n", 43, "text after the choices"),
        ("- Ask credit -> note", "- Ask credit ->", 37, "choice has no target node id"),
        ("  critical: Released without authority", "  critical:", 33, "critical: needs a label"),
        ("- Ask credit -> note", "- Ask credit", 37, "list item among the choices has no `-> target-id`"),
        (
            "- Release it yourself -> end-bad",
            "- Release it",
            30,
            "this looks like a choice but has no `-> target",
        ),
        ("{#first-call}", "", 24, "node heading 'Sales wants it released' has no id"),
        ("{#first-call}", "{#First_Call}", 24, "node id 'First_Call' must be lowercase kebab-case"),
        ("{#end-bad}", "{#end-good}", 59, "duplicate node id 'end-good' (first used at line 54)"),
        ("outcome: bad", "outcome: awful", 60, "unknown outcome 'awful'"),
        ("outcome: bad", "outcome: bad\nkpi: otif", 61, "cannot read KPI 'otif'"),
        ("outcome: bad", "repeatable: yes", 60, "unknown ending attribute 'repeatable'"),
        ("next: end-good\n", "", 44, "write-up 'note' needs `next: node-id`"),
        ("- Names the order (3 points)", "- Names the order", 50, "rubric item needs its points"),
        (
            "Narrative with",
            "<script>alert(1)</script>\nNarrative with",
            26,
            "raw <script> tag is not allowed",
        ),
        ("Narrative with", "<a href='javascript:go()'>x</a>", 26, "javascript: URL is not allowed"),
    ],
)
def test_body_problems_are_reported_at_their_line(old, new, line, message):
    text = FRONT + BODY
    assert old in text
    found = messages(text.replace(old, new, 1))
    assert any(at == line and m.startswith(message) for at, m in found), found


def test_a_heading_inside_a_code_fence_is_not_a_node():
    text = FRONT + BODY.replace("Narrative with", "```\n# not a node {#x}\n```\nNarrative with")
    scenario, problems = parse(text)
    assert problems == [] and not scenario.has_node("x")


def test_text_before_the_first_heading_is_an_error():
    assert only_problem(FRONT + "Stray.\n\n" + BODY) == (15, "text before the first `#` heading belongs "
                                                            "nowhere: move it under `# Case file` or into a node")  # fmt: skip


def test_a_case_file_without_cards_is_a_warning():
    text = FRONT + BODY.replace("## Order SO-1\n", "")
    (problem,) = parse(text)[1]
    assert problem.severity is Severity.WARNING and problem.line == 15


def test_a_file_with_no_nodes_is_reported():
    scenario, problems = parse(FRONT + "# Case file\n\n## A card\nText.\n")
    assert scenario is not None and scenario.nodes == ()
    assert any("the scenario has no nodes" in p.message for p in problems)


@pytest.mark.parametrize(
    "text",
    ["", "---", "---\n---\n", "---\n- a\n- b\n---\n", "---\nid: [\n---", "\ufeff---\nid: x\n---\n# T {#a}\n",
     "---\n!!python/object:os.system {}\n---\n", "---\nstate: {a: [1]}\nrubric: 5\n---\n# {#}\n- x -> \n"],
)  # fmt: skip
def test_odd_input_never_raises(text):
    scenario, problems = parse(text)
    assert problems or scenario is not None


def test_conditions_parse_and_bind_and_tighter_than_or():
    types = {"hours": float, "hold_status": str}
    condition = parse_condition("hours > 1 or hold_status == held and hours <= 0.5", types)
    assert isinstance(condition, AnyOf) and isinstance(condition.parts[1], AllOf)
    assert condition.holds({"hours": 2, "hold_status": "released"})
    assert condition.holds({"hours": 0.5, "hold_status": "held"})
    assert not condition.holds({"hours": 1, "hold_status": "held"})
    grouped = parse_condition("(hours > 1 or hold_status == held) and hours != 3", types)
    assert not grouped.holds({"hours": 3, "hold_status": "held"})
    assert parse_condition("hold_status != partial-release", types) == Comparison(
        "hold_status", "!=", "partial-release"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty condition"),
        ("hours >", "expected a number or a word after hours >"),
        ("hours > 1 hours < 2", "unexpected 'hours' in condition"),
        ("(hours > 1", "expected ')'"),
        ("hours > held", "'hours' holds a number"),
        ("__import__('os') == 1", 'unexpected "\'"'),
        ("hours.real > 1", "unexpected '.'"),
        ("3 < hours", "expected a state variable, found '3'"),
    ],
)
def test_condition_errors_say_what_is_wrong(text, message):
    with pytest.raises(ConditionError, match=None) as caught:
        parse_condition(text, {"hours": float})
    assert message in str(caught.value)


def test_the_shipped_example_parses_cleanly():
    path = Path(__file__).parents[2] / "scenarios" / "strategic-credit-hold-quarter-end.md"
    scenario, problems = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    assert problems == []
    assert scenario.order_value == 248600 and scenario.customer_tier == "strategic"
    assert sum(1 for n in scenario.nodes if n.kind == NodeKind.DECISION) >= 8
    assert {n.outcome for n in scenario.endings} == {"good", "mixed", "bad"}
    assert sum(1 for _, c in scenario.choices() if c.critical) >= 2
