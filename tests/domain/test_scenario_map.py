"""The scenario map's layout: columns by distance from the start, flags in words, the best path, loops."""

from __future__ import annotations

from app.domain.scenario_map import BOX_HEIGHT, scenario_map
from app.domain.scenarios import analyse, parse_scenario

TEXT = """\
---
id: map-test
title: Map test
exception_types: [credit-hold]
domains: [D2]
difficulty: junior
functions: [credit]
state:
  hours: 0
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
- Ask credit -> desk
  score: accuracy +10, compliance +10
  feedback: Yes.
- Ask credit again, politely -> desk
  feedback: Same.

# Your desk {#desk}
repeatable: yes

- Wait for credit -> end-good
  score: accuracy +5
  feedback: Fine.
- Go back to the start -> start
  feedback: Round again.
- Ask a department that does not exist -> nowhere
  feedback: Typo.

# Forgotten **node** {#lost}

# Ending: Good {#end-good}
outcome: good

# Ending: Bad {#end-bad}
outcome: bad
"""


def build():
    scenario, _ = parse_scenario(TEXT, "map-test.md")
    return scenario_map(scenario, analyse(scenario))


def test_columns_follow_the_distance_from_the_start_and_boxes_never_overlap():
    m = build()
    column = {n.id: n.column for n in m.nodes}
    assert column == {"start": 0, "end-bad": 1, "desk": 1, "end-good": 2, "nowhere": 2, "lost": 3}
    assert [c.heading for c in m.columns] == ["start", "step 1", "step 2", "unreachable"]
    assert [c.x for c in m.columns] == sorted(c.x for c in m.columns)
    boxes = [(n.x, n.y, n.x + n.width, n.y + n.height) for n in m.nodes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert all(0 < n.x + n.width <= m.width and 0 < n.y + n.height <= m.height for n in m.nodes)


def test_problems_are_labelled_in_words_not_colour_alone():
    m = build()
    lost, missing, start = m.node("lost"), m.node("nowhere"), m.node("start")
    assert lost.flags == ("unreachable", "dead end") and "unreachable" in lost.caption
    assert (
        lost.title == "Forgotten node"
        and lost.line == TEXT.splitlines().index("# Forgotten **node** {#lost}") + 1
    )
    assert missing.kind == "missing" and missing.flags == ("no such node",)
    assert start.is_start and start.caption.startswith("Start · Decision") and not start.flags
    assert m.node("end-good").caption == "Ending: good"
    assert [n.id for n in m.flagged()] == ["nowhere", "lost"]


def test_the_maximum_score_path_is_numbered_on_its_edges():
    m = build()
    assert m.best_path == ("start/2", "desk/1") and m.max_score == 100.0
    best = {(e.source, e.target): e.best_steps for e in m.edges if e.best_steps}
    assert best == {("start", "desk"): (1,), ("desk", "end-good"): (2,)}
    assert {n.id for n in m.nodes if n.on_best_path} == {"start", "desk", "end-good"}


def test_choices_to_the_same_target_share_one_edge_and_loops_pass_below_the_boxes():
    m = build()
    edges = {(e.source, e.target): e for e in m.edges}
    assert (
        edges["start", "desk"].refs == ("start/2", "start/3") and edges["start", "desk"].label == "2, 3 · ★1"
    )
    assert edges["start", "end-bad"].critical and edges["start", "end-bad"].label == "1 · critical"
    back = edges["desk", "start"]
    lowest_box = max(n.y + BOX_HEIGHT for n in m.nodes)
    assert back.loop and back.label_y > lowest_box and m.height > back.label_y
    assert not edges["start", "desk"].loop and edges["desk", "nowhere"].target == "nowhere"


def test_the_same_scenario_always_gives_the_same_map_and_no_analysis_is_needed():
    assert build() == build()
    scenario, _ = parse_scenario(TEXT, "map-test.md")
    plain = scenario_map(scenario)
    assert plain.best_path == () and not any(e.best_steps for e in plain.edges)
    assert plain.node("lost").flags == ("unreachable", "dead end")
