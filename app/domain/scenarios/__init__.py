"""Branching exception-handling scenarios: parse, lint, analyse, play, score and debrief (pure).

Typical use: `parse_scenario` then `lint_scenario` at sync; `analyse` once per content version
(cache it by `ScenarioSpec.content_hash()`); `new_attempt` / `offered_choices` / `step` while playing,
storing only the log of refs; `replay` to rebuild an attempt; `score_attempt` and `debrief` at the end.
"""

from .analysis import Analysis, analyse, dimension_score
from .debrief import Consequence, Debrief, DebriefStep, Divergence, ExpertStep, debrief
from .engine import (
    Arrived,
    AttemptState,
    BackNotAllowed,
    ChoiceNotOffered,
    CriticalErrorMade,
    Event,
    FeedbackGiven,
    FunctionsInvolved,
    Scored,
    StateChanged,
    Step,
    go_back,
    new_attempt,
    offered_choices,
    replay,
    step,
    trace,
)
from .lint import lint_scenario
from .model import Card, Choice, Effect, Fragment, Node, NodeKind, RubricItem, ScenarioSpec
from .parser import parse_scenario
from .report import check_text
from .scoring import CriticalError, ScenarioScore, score_attempt

__all__ = [
    "Analysis", "Arrived", "AttemptState", "BackNotAllowed", "Card", "Choice", "ChoiceNotOffered",
    "Consequence", "CriticalError", "CriticalErrorMade", "Debrief", "DebriefStep", "Divergence", "Effect",
    "Event", "ExpertStep", "FeedbackGiven", "Fragment", "FunctionsInvolved", "Node", "NodeKind",
    "RubricItem", "ScenarioSpec", "ScenarioScore", "Scored", "StateChanged", "Step",
    "analyse", "check_text", "debrief", "dimension_score", "go_back", "lint_scenario",
    "new_attempt", "offered_choices", "parse_scenario", "replay", "score_attempt", "step", "trace",
]  # fmt: skip
