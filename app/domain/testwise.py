"""No-knowledge strategies: how a test-wise trainee answers without reading for meaning.

Each strategy sees only what a trainee sees on screen (the options or choices in the order shown, and
their text) and picks by surface features. `make validate` plays them through the app's own serving and
scoring code (bench/testwise.py); a test plays the scenario strategies over every shipped scenario. A
bank where any of them scores well has a cue to remove, not a trainee to promote.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .scenarios import Analysis, ScenarioSpec, new_attempt, offered_choices, score_attempt, step
from .scenarios.variants import PLACEHOLDER, fill

_MARKUP = re.compile(r"[*_`\[\]()#>|]")


def visible_length(markdown: str) -> int:
    """Characters a reader sees: Markdown punctuation and runs of spaces do not count, and a variant's
    `{{figure}}` counts as a figure of typical width, not as its name."""
    return len(" ".join(_MARKUP.sub("", PLACEHOLDER.sub("000,000", markdown)).split()))


@dataclass(frozen=True)
class Shown:
    """One option or choice as displayed: its stable id and its text."""

    id: str
    text: str


# A question strategy gets the item type and the options in shown order, and returns the ids it picks.
QuestionStrategy = Callable[[str, Sequence[Shown], random.Random], list[str]]


def longest(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    """The longest option (first shown on a tie); for true/false, False; for multiple, all but the shortest."""
    if kind == "true-false":
        return always_false(kind, shown, rng)
    if kind == "multiple":
        return all_but_shortest(kind, shown, rng)
    return [max(shown, key=lambda o: visible_length(o.text)).id]


def shortest(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    """The shortest option: the counter-cue of a bank that over-corrected its long keys."""
    if kind == "multiple":
        return [min(shown, key=lambda o: visible_length(o.text)).id]
    if kind == "true-false":
        return [next(o.id for o in shown if o.text.strip().lower() == "true")]
    return [min(shown, key=lambda o: visible_length(o.text)).id]


def first_shown(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    return [shown[0].id]


def at_random(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    if kind == "multiple":
        picked = [o.id for o in shown if rng.random() < 0.5]
        return picked or [rng.choice(shown).id]
    return [rng.choice(shown).id]


def all_but_shortest(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    if kind != "multiple":
        return longest(kind, shown, rng)
    shortest = min(shown, key=lambda o: visible_length(o.text))
    return [o.id for o in shown if o is not shortest]


def always_false(kind: str, shown: Sequence[Shown], rng: random.Random) -> list[str]:
    if kind != "true-false":
        return longest(kind, shown, rng)
    return [next(o.id for o in shown if o.text.strip().lower() == "false")]


QUESTION_STRATEGIES: dict[str, QuestionStrategy] = {
    "longest": longest,
    "shortest": shortest,
    "first": first_shown,
    "random": at_random,
    "all-but-shortest": all_but_shortest,
    "always-false": always_false,
}


# A scenario strategy gets the choices in shown order and returns the ref it takes.
ScenarioStrategy = Callable[[Sequence[Shown], random.Random], str]


def longest_choice(shown: Sequence[Shown], rng: random.Random) -> str:
    return max(shown, key=lambda c: visible_length(c.text)).id


def first_choice(shown: Sequence[Shown], rng: random.Random) -> str:
    return shown[0].id


def random_choice(shown: Sequence[Shown], rng: random.Random) -> str:
    return rng.choice(shown).id


SCENARIO_STRATEGIES: dict[str, ScenarioStrategy] = {
    "longest-choice": longest_choice,
    "first-choice": first_choice,
    "random-choice": random_choice,
}

MAX_STEPS = 200  # a bot that loops in a repeatable hub gives up here, unfinished


@dataclass(frozen=True)
class BotRun:
    log: tuple[str, ...]
    finished: bool
    passed: bool
    total: float


def play_scenario(
    scenario: ScenarioSpec,
    analysis: Analysis,
    strategy: ScenarioStrategy,
    order: Callable[[list[Shown]], list[Shown]],
    rng: random.Random,
) -> BotRun:
    """Play one run with `strategy`; `order` puts the offered choices in the order a trainee sees, with the
    figures of one variant filled in when the scenario has variants (what the page shows)."""
    values = scenario.variants.draw(f"bot-{rng.random()}") if scenario.variants else {}
    attempt = new_attempt(scenario)
    for _ in range(MAX_STEPS):
        offered = offered_choices(scenario, attempt)
        if attempt.finished or not offered:
            break
        shown = order([Shown(c.ref, fill(c.text, values)) for c in offered])
        attempt, _ = step(scenario, attempt, strategy(shown, rng))
    score = score_attempt(scenario, attempt, analysis)
    return BotRun(attempt.log, attempt.finished, score.passed, score.total)
