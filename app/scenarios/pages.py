"""The scenario player and debrief pages, rendered for a trainee's attempt or an author's play-test.

A run is anything with the attempt's play fields (`log`, `seed`, `variant`, `writeups`): a stored
ScenarioAttempt, or a play-test kept in the session (app.services.playtest). The page is the same for
both; only where its forms post (`urls`) and its breadcrumb differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import render_template

from app.domain.scenarios import Analysis, NodeKind, ScenarioSpec
from app.domain.taxonomy import DIMENSION_NAMES, EXCEPTION_NAMES
from app.models import ScenarioAttempt
from app.scenarios.forms import BackForm, DecisionForm, StartForm
from app.services import scenarios


@dataclass(frozen=True)
class RunUrls:
    """Where the pages' forms go: a decision, going back, and "Play it again" (None: no such button)."""

    decide: str
    back: str
    again: str | None


def player(
    run: Any,
    scenario: ScenarioSpec,
    fragments: dict[str, str],
    form: DecisionForm,
    urls: RunUrls,
    status: int = 200,
    **context: Any,
) -> tuple[str, int]:
    """The decision page at the run's current node, with meters, case file and the way back."""
    state = scenarios.engine.replay(scenario, run.log)
    node = scenario.node(state.node_id)
    form.step.data = len(run.log)
    form.served_at.data = f"{time.time():.3f}"
    history = scenarios.engine.trace(scenario, run.log)
    page = render_template(
        "scenarios/play.html",
        attempt=run,
        scenario=scenario,
        state=state,
        node=node,
        form=form,
        offered=scenarios.shown_choices(run, scenario, state),
        fragments=fragments,
        history=history,
        meters=[m for m in scenarios.METERS if m in state.state],
        back_form=BackForm(),
        is_writeup=node.kind == NodeKind.WRITE_UP,
        exceptions=EXCEPTION_NAMES,
        urls=urls,
        **context,
    )
    return page, status


def debrief(
    run: Any,
    scenario: ScenarioSpec,
    analysis: Analysis,
    report: scenarios.engine.Debrief,
    fragments: dict[str, str],
    urls: RunUrls | None,
    **context: Any,
) -> str:
    """The debrief of a finished run: score by dimension, critical errors, the path beside the expert's."""
    return render_template(
        "scenarios/debrief.html",
        attempt=run,
        scenario=scenario,
        report=report,
        fragments=fragments,
        dimensions=DIMENSION_NAMES,
        start_form=StartForm(),
        analysis=analysis,
        urls=urls,
        **context,
    )


def attempt_debrief(attempt: ScenarioAttempt, urls: RunUrls | None, **context: Any) -> str:
    """The debrief of a trainee's finished attempt, for the trainee or (with `trainer_view`) a trainer."""
    scenario, analysis = scenarios.parsed(attempt.version)
    return debrief(
        attempt,
        scenario,
        analysis,
        scenarios.debrief(attempt),
        scenarios.fragments_for(attempt.version, attempt.variant),
        urls,
        **context,
    )
