"""Playing, scoring and debriefing a scenario, checked by hand on a tiny inline scenario."""

from __future__ import annotations

import pickle

import pytest

from app.domain.scenarios import (
    Arrived,
    AttemptState,
    BackNotAllowed,
    ChoiceNotOffered,
    CriticalErrorMade,
    FeedbackGiven,
    FunctionsInvolved,
    Scored,
    StateChanged,
    analyse,
    debrief,
    go_back,
    new_attempt,
    offered_choices,
    parse_scenario,
    replay,
    score_attempt,
    step,
)

TINY = """\
---
id: tiny
title: Tiny
exception_types: [credit-hold]
domains: [D2]
difficulty: junior
functions: [credit, sales]
state:
  hours: 0
  hold: held
rubric:
  accuracy: 50
  compliance: 30
  coordination: 20
pass_mark: 70
time_budget_hours: 2.5
---

# Sales wants it released {#start}

- Release it yourself -> end-bad
  effects: hold = released
  score: accuracy -20, compliance -30
  critical: Released without authority
  involves: sales
  feedback: Not yours to release.
- Ask credit -> review
  effects: hours + 1
  score: accuracy +10, compliance +10, coordination +5
  involves: credit
  feedback: Credit decides.
- Ship it through a side door -> end-good
  score: accuracy +20, compliance +10, coordination +10
  critical: Bypassed the hold
  feedback: A shortcut.

# Credit reviews {#review}

- Propose a partial release -> end-good
  effects: hours + 2; hold = partial
  score: accuracy +5, coordination +5
  involves: credit, sales
  feedback: Partial fits the limit.
- Wait for the full release -> end-good
  if: hours < 2
  effects: hours + 1; hold = released
  score: accuracy +10
  feedback: Full release.

# Ending: Shipped {#end-good}
outcome: good · kpi: otif = on time

Shipped.

# Ending: Audit finding {#end-bad}
outcome: bad

Found.
"""

# Complete paths and their raw (accuracy, compliance, coordination):
#   start/1            (-20, -30,  0)  critical
#   start/2 review/1   ( 15,  10, 10)
#   start/2 review/2   ( 20,  10,  5)
#   start/3            ( 20,  10, 10)  critical
# Ranges: accuracy -20..20, compliance -30..10, coordination 0..10.


@pytest.fixture
def scenario():
    parsed, problems = parse_scenario(TINY, "tiny.md")
    assert problems == []
    return parsed


@pytest.fixture
def analysis(scenario):
    return analyse(scenario)


def test_analysis_counts_paths_ranges_and_the_best_path(analysis):
    assert analysis.path_count == 4
    assert dict(analysis.dimension_ranges) == {
        "accuracy": (-20, 20),
        "compliance": (-30, 10),
        "coordination": (0, 10),
    }
    assert analysis.max_score_path == ("start/2", "review/1")
    assert analysis.max_score == pytest.approx(93.75)
    assert analysis.critical_free_path_count == 2
    assert dict(analysis.outcome_counts) == {"bad": 1, "good": 3}
    assert not analysis.truncated


def test_score_of_the_expert_path_by_hand(scenario, analysis):
    attempt = replay(scenario, ["start/2", "review/1"])
    score = score_attempt(scenario, attempt, analysis)
    # accuracy (15+20)/40 = 87.5; compliance 40/40 = 100; coordination 10/10 = 100
    assert dict(score.dimensions) == {"accuracy": 87.5, "compliance": 100.0, "coordination": 100.0}
    assert score.total == pytest.approx(0.5 * 87.5 + 0.3 * 100 + 0.2 * 100)  # 93.75
    assert score.finished and score.passed and not score.capped and score.critical_errors == ()
    assert (score.outcome, score.ending_id, score.kpis) == ("good", "end-good", (("otif", "on time"),))
    assert score.hours_used == 3 and score.over_budget
    assert score.functions_involved == ("credit", "sales")
    assert score.path == ("start/2", "review/1")


def test_score_of_another_clean_path_by_hand(scenario, analysis):
    score = score_attempt(scenario, replay(scenario, ["start/2", "review/2"]), analysis)
    # accuracy 100; compliance 100; coordination 5/10 = 50
    assert score.total == pytest.approx(50 + 30 + 10)
    assert score.passed and score.hours_used == 2 and not score.over_budget


def test_a_critical_error_caps_the_total_and_fails(scenario, analysis):
    score = score_attempt(scenario, replay(scenario, ["start/3"]), analysis)
    assert score.uncapped_total == pytest.approx(100)
    assert score.total == 40 and score.capped and not score.passed
    (error,) = score.critical_errors
    assert (error.node_id, error.ref, error.label, error.line) == (
        "start",
        "start/3",
        "Bypassed the hold",
        32,
    )


def test_the_worst_path_scores_zero(scenario, analysis):
    score = score_attempt(scenario, replay(scenario, ["start/1"]), analysis)
    assert score.total == 0 and dict(score.dimensions) == dict.fromkeys(
        ("accuracy", "compliance", "coordination"), 0
    )
    assert score.outcome == "bad" and not score.passed


def test_an_unfinished_run_gets_a_partial_picture(scenario, analysis):
    score = score_attempt(scenario, replay(scenario, ["start/2"]), analysis)
    assert not score.finished and not score.passed and score.outcome is None
    assert score.dimensions["accuracy"] == 75.0  # (10 + 20) / 40


def test_a_dimension_without_spread_scores_100(scenario, analysis):
    flat = {**analysis.dimension_ranges, "coordination": (5, 5)}
    altered = type(analysis)(analysis.path_count, analysis.max_score_path, flat, False)
    score = score_attempt(scenario, replay(scenario, ["start/2", "review/2"]), altered)
    assert score.dimensions["coordination"] == 100


def test_new_attempt_and_offered_choices(scenario):
    attempt = new_attempt(scenario)
    assert attempt == AttemptState("start", {"hours": 0, "hold": "held"}, (), False)
    assert [c.ref for c in offered_choices(scenario, attempt)] == ["start/1", "start/2", "start/3"]


def test_conditions_decide_what_is_offered(scenario):
    late = AttemptState("review", {"hours": 2, "hold": "held"})
    assert [c.ref for c in offered_choices(scenario, late)] == ["review/1"]
    with pytest.raises(ChoiceNotOffered, match="'review/2' is not offered at node 'review'"):
        step(scenario, late, "review/2")


def test_step_reports_what_changed(scenario):
    attempt, events = step(scenario, new_attempt(scenario), "start/2")
    assert attempt == AttemptState("review", {"hours": 1, "hold": "held"}, ("start/2",), False)
    assert events == [
        StateChanged("hours", 0, 1),
        Scored((("accuracy", 10), ("compliance", 10), ("coordination", 5))),
        FunctionsInvolved(("credit",)),
        FeedbackGiven("Credit decides."),
        Arrived("review", "decision", None, False),
    ]
    assert events[0].delta == 1


def test_step_into_an_ending_finishes_and_reports_the_critical_error(scenario):
    attempt, events = step(scenario, new_attempt(scenario), "start/1")
    assert attempt.finished and attempt.node_id == "end-bad"
    assert StateChanged("hold", "held", "released") in events and events[0].delta is None
    assert CriticalErrorMade("Released without authority", "start", "start/1", 21) in events
    assert events[-1] == Arrived("end-bad", "ending", "bad", True)


@pytest.mark.parametrize("ref", ["review/1", "start/9", "start", "", "../start/1", "start/2 "])
def test_a_tampered_ref_is_refused(scenario, ref):
    with pytest.raises(ChoiceNotOffered, match="is not offered at node 'start'"):
        step(scenario, new_attempt(scenario), ref)


def test_no_step_after_the_run_has_finished(scenario):
    finished = replay(scenario, ["start/1"])
    assert offered_choices(scenario, finished) == []
    with pytest.raises(ChoiceNotOffered, match="the run has finished at 'end-bad'"):
        step(scenario, finished, "start/2")


def test_replay_is_deterministic_and_matches_stepping(scenario):
    attempt = new_attempt(scenario)
    for ref in ("start/2", "review/2"):
        attempt, _ = step(scenario, attempt, ref)
    assert replay(scenario, attempt.log) == attempt == replay(scenario, list(attempt.log))


def test_replay_refuses_a_log_that_no_longer_fits(scenario):
    with pytest.raises(ChoiceNotOffered):
        replay(scenario, ["start/2", "start/1"])
    edited, _ = parse_scenario(TINY.replace("  if: hours < 2\n", "  if: hours > 2\n"), "tiny.md")
    with pytest.raises(ChoiceNotOffered, match="'review/2' is not offered"):
        replay(edited, ["start/2", "review/2"])


def test_go_back_is_refused_unless_the_scenario_allows_it(scenario):
    with pytest.raises(BackNotAllowed, match="does not allow going back"):
        go_back(scenario, replay(scenario, ["start/2"]), 0)


def test_go_back_replays_the_log_up_to_the_step_and_drops_the_rest():
    scenario, _ = parse_scenario(TINY.replace("pass_mark: 70", "pass_mark: 70\nallow_back: true"), "tiny.md")
    finished = replay(scenario, ["start/2", "review/2"])
    back = go_back(scenario, finished, 1)
    assert back == replay(scenario, ["start/2"]) and back.log == ("start/2",) and not back.finished
    assert go_back(scenario, finished, 0) == new_attempt(scenario)
    assert go_back(scenario, finished, 2) == finished
    with pytest.raises(BackNotAllowed, match="cannot go back to step 3: the run has 2 steps"):
        go_back(scenario, finished, 3)
    with pytest.raises(BackNotAllowed):
        go_back(scenario, finished, -1)


def test_debrief_sets_the_trainee_beside_the_expert(scenario, analysis):
    report = debrief(scenario, replay(scenario, ["start/2", "review/2"]), analysis)
    assert [(s.index, s.node_id, s.chosen.ref, s.diverged) for s in report.steps] == [
        (1, "start", "start/2", False),
        (2, "review", "review/2", True),
    ]
    assert dict(report.steps[1].state_after) == {"hours": 2, "hold": "released"}
    assert report.steps[1].feedback == "Full release."
    divergence = report.first_divergence
    assert divergence is report.divergences[0] and len(report.divergences) == 1
    assert (divergence.index, divergence.node_id, divergence.expert.ref) == (2, "review", "review/1")
    # Consequences from the trainee's state at that moment (hours 1, held).
    assert divergence.chosen_consequence.changes == (
        StateChanged("hours", 1, 2),
        StateChanged("hold", "held", "released"),
    )
    assert divergence.expert_consequence.changes == (
        StateChanged("hours", 1, 3),
        StateChanged("hold", "held", "partial"),
    )
    assert divergence.expert_consequence.score == (("accuracy", 5), ("coordination", 5))
    assert [(e.node_id, e.choice.text, e.feedback) for e in report.expert_path] == [
        ("start", "Ask credit", "Credit decides."),
        ("review", "Propose a partial release", "Partial fits the limit."),
    ]
    assert report.score.total == pytest.approx(90)


def test_debrief_of_a_critical_first_move(scenario, analysis):
    report = debrief(scenario, replay(scenario, ["start/1"]), analysis)
    (divergence,) = report.divergences
    assert divergence.chosen_consequence.critical == "Released without authority"
    assert divergence.expert.ref == "start/2" and divergence.expert_consequence.critical is None
    assert report.score.capped and not report.score.passed


def test_debrief_of_the_expert_path_has_no_divergence(scenario, analysis):
    report = debrief(scenario, replay(scenario, analysis.max_score_path), analysis)
    assert report.divergences == () and report.first_divergence is None


def test_results_are_read_only_and_pickle_for_caching(scenario, analysis):
    attempt = replay(scenario, ["start/2"])
    with pytest.raises(TypeError):
        attempt.state["hours"] = 5  # type: ignore[index]
    with pytest.raises(TypeError):
        scenario.initial_state["hours"] = 5  # type: ignore[index]
    for value in (scenario, analysis, attempt, score_attempt(scenario, attempt, analysis)):
        assert pickle.loads(pickle.dumps(value)) == value
    assert hash(scenario) == hash(pickle.loads(pickle.dumps(scenario)))


TIMED = (
    TINY.replace(
        "rubric:\n  accuracy: 50\n  compliance: 30\n  coordination: 20\n",
        "rubric:\n  accuracy: 40\n  compliance: 30\n  coordination: 20\n  resolution_time: 10\n",
    )
    .replace("time_budget_hours: 2.5\n", "time_budget_hours: 2.5\nseconds_per_decision: 60\n")
    .replace(
        "  score: accuracy +10, compliance +10, coordination +5\n",
        "  score: accuracy +10, compliance +10, coordination +5, resolution_time +5\n",
    )
)


def test_decisions_over_the_time_limit_cost_resolution_time():
    timed, problems = parse_scenario(TIMED, "timed.md")
    assert timed is not None, problems
    analysis = analyse(timed)
    attempt = replay(timed, ["start/2", "review/1"])
    on_time = score_attempt(timed, attempt, analysis, [30.0, 59.9])
    assert on_time.dimensions["resolution_time"] == 100.0 and on_time.late_decisions == 0
    assert (on_time.decision_limit, on_time.timed_decisions, on_time.time_penalty) == (60, 2, 0.0)
    one_late = score_attempt(timed, attempt, analysis, [30.0, 200.0])
    assert one_late.late_decisions == 1 and one_late.time_penalty == 50.0
    assert one_late.dimensions["resolution_time"] == 50.0
    assert one_late.total == pytest.approx(on_time.total - 0.1 * 50.0)
    assert score_attempt(timed, attempt, analysis).late_decisions == 0  # times unknown: no penalty


def test_without_a_limit_time_costs_nothing(scenario, analysis):
    attempt = replay(scenario, ["start/2", "review/1"])
    assert score_attempt(scenario, attempt, analysis, [999.0, 999.0]) == score_attempt(
        scenario, attempt, analysis
    )
