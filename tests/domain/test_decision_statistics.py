"""Scenario decision statistics against a small hand-counted set of runs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.decision_statistics import (
    ChoiceCount,
    CriticalErrorCount,
    EdgeTraversal,
    PathScores,
    ScenarioRun,
    choice_frequencies,
    choice_node,
    critical_error_counts,
    edge_traversals,
    scores_by_path,
)

# A credit-hold scenario: "start" is a repeatable hub that "credit/2" leads back to.
TARGETS = {
    "start/1": "credit",  # send credit the exposure
    "start/2": "release",  # release it yourself
    "credit/1": "end-approved",
    "credit/2": "start",
    "release/1": "end-fallout",
    "release/2": "end-escalated",  # nobody took it
}
RELEASED = "Released without credit's authority"
IGNORED = "Ignored credit's answer"
RUNS = [
    ScenarioRun("r1", ("start/1", "credit/1"), 90),
    ScenarioRun("r2", ("start/1", "credit/1"), 80),
    ScenarioRun("r3", ("start/2", "release/1"), 40, (RELEASED,)),
    ScenarioRun("r4", ("start/1", "credit/2", "start/2", "release/1"), 30, (RELEASED, IGNORED)),
    ScenarioRun("r5", ("start/1",), None, finished=False),
    ScenarioRun("r6", ("start/2", "release/1"), 35, (RELEASED, RELEASED)),
    ScenarioRun("r7", ("start/1", "credit/1"), 55),
]


def test_choice_frequencies_by_hand():
    # start: start/1 in r1 r2 r4 r5 r7 = 5, start/2 in r3 r4 r6 = 3 -> 8 decisions, shares 5/8 and 3/8
    #        (r4 decides twice at the hub; the unfinished r5 counts)
    # credit: credit/1 in r1 r2 r7 = 3, credit/2 in r4 = 1 -> 4 decisions
    # release: release/1 in r3 r4 r6 = 3 -> share 1
    frequencies = choice_frequencies(RUNS)
    assert list(frequencies) == ["credit", "release", "start"]
    start = frequencies["start"]
    assert start.decisions == 8
    assert start.choices == (ChoiceCount("start/1", 5, 5 / 8), ChoiceCount("start/2", 3, 3 / 8))
    assert frequencies["credit"].choices == (
        ChoiceCount("credit/1", 3, 0.75),
        ChoiceCount("credit/2", 1, 0.25),
    )
    assert frequencies["release"].choices == (ChoiceCount("release/1", 3, 1.0),)


def test_known_refs_list_untaken_choices_and_unreached_nodes():
    frequencies = choice_frequencies(RUNS, known_refs=[*TARGETS, "audit/1"])
    assert frequencies["release"].choices[1] == ChoiceCount("release/2", 0, 0.0)
    assert frequencies["audit"].decisions == 0
    assert frequencies["audit"].choices == (ChoiceCount("audit/1", 0, None),)


def test_choices_are_ordered_by_number_then_name():
    run = ScenarioRun("r", ("n/10", "n/2", "n/next", "n/1"), 50)
    assert [c.ref for c in choice_frequencies([run])["n"].choices] == ["n/1", "n/2", "n/10", "n/next"]


def test_scores_by_path_by_hand():
    # (start/1, credit/1): r1 90, r2 80, r7 55 -> mean 225/3 = 75, median 80
    # (start/2, release/1): r3 40, r6 35 -> mean 37.5, median 37.5
    # (start/1, credit/2, start/2, release/1): r4 30
    # r5 is unfinished and left out.
    assert scores_by_path(RUNS) == (
        PathScores(("start/1", "credit/1"), 3, 75.0, 80),
        PathScores(("start/2", "release/1"), 2, 37.5, 37.5),
        PathScores(("start/1", "credit/2", "start/2", "release/1"), 1, 30.0, 30),
    )


def test_critical_errors_count_runs_once_each():
    # RELEASED in r3, r4, r6 (twice in r6, counted once) = 3 of 7 runs; IGNORED in r4 = 1 of 7.
    assert critical_error_counts(RUNS) == (
        CriticalErrorCount(RELEASED, 3, 3 / 7),
        CriticalErrorCount(IGNORED, 1, 1 / 7),
    )
    tie = [ScenarioRun("a", (), 10, ("b-label",)), ScenarioRun("b", (), 10, ("a-label",))]
    assert [c.label for c in critical_error_counts(tie)] == ["a-label", "b-label"]
    assert critical_error_counts([]) == ()


def test_edge_traversals_by_hand():
    # start/1 -> credit: 5; start/2 -> release: 3; credit/1 -> end-approved: 3; credit/2 -> start: 1;
    # release/1 -> end-fallout: 3; release/2 -> end-escalated: 0.
    # The counts add up to the 2+2+2+4+1+2+2 = 15 steps of the runs.
    edges = edge_traversals(RUNS, TARGETS)
    assert edges == (
        EdgeTraversal("credit/1", "credit", "end-approved", 3),
        EdgeTraversal("credit/2", "credit", "start", 1),
        EdgeTraversal("release/1", "release", "end-fallout", 3),
        EdgeTraversal("release/2", "release", "end-escalated", 0),
        EdgeTraversal("start/1", "start", "credit", 5),
        EdgeTraversal("start/2", "start", "release", 3),
    )
    assert sum(e.count for e in edges) == 15


def test_bad_runs_are_reported():
    with pytest.raises(ValueError, match="'r9' took choice 'start/3'"):
        edge_traversals([ScenarioRun("r9", ("start/3",), 50)], TARGETS)
    with pytest.raises(ValueError, match="'r9'.*node-id/n"):
        choice_frequencies([ScenarioRun("r9", ("start",), 50)])
    with pytest.raises(ValueError, match="'r9' is finished"):
        scores_by_path([ScenarioRun("r9", ("start/1",), None)])
    with pytest.raises(ValueError, match="not 0-100"):
        scores_by_path([ScenarioRun("r9", ("start/1",), 120)])
    with pytest.raises(ValueError):
        choice_node("/1")


def test_empty_input():
    assert choice_frequencies([]) == {}
    assert scores_by_path([]) == ()
    assert all(e.count == 0 for e in edge_traversals([], TARGETS))


runs = st.lists(
    st.builds(
        ScenarioRun,
        run_id=st.text(min_size=1, max_size=3),
        path=st.lists(st.sampled_from(sorted(TARGETS)), max_size=6).map(tuple),
        score=st.floats(0, 100),
        critical=st.lists(st.sampled_from([RELEASED, IGNORED]), max_size=3).map(tuple),
        finished=st.booleans(),
    ),
    max_size=20,
)


@given(runs)
def test_shares_add_up_and_every_step_is_an_edge(sample):
    for node in choice_frequencies(sample).values():
        assert sum(c.share for c in node.choices) == pytest.approx(1)
    assert sum(e.count for e in edge_traversals(sample, TARGETS)) == sum(len(r.path) for r in sample)
    assert sum(p.runs for p in scores_by_path(sample)) == sum(r.finished for r in sample)
    for error in critical_error_counts(sample):
        assert 1 <= error.runs <= len(sample)
