"""The checker's report for one file (`python -m app.domain.scenarios`, `flask content check`): problems, then paths."""

from __future__ import annotations

from ..problems import Problem
from .analysis import analyse
from .lint import lint_scenario
from .model import ScenarioSpec
from .parser import parse_scenario


def check_text(text: str, path: str) -> tuple[ScenarioSpec | None, list[Problem], list[str]]:
    """Parse and lint one file: (scenario, every problem sorted by line, summary lines)."""
    scenario, problems = parse_scenario(text, path)
    if scenario is None:
        return None, problems, [f"{path}: not analysed (fix the front matter first)"]
    analysis = analyse(scenario)
    problems = sorted(problems + lint_scenario(scenario, analysis))
    outcomes = ", ".join(f"{count} {name}" for name, count in sorted(analysis.outcome_counts.items()))
    summary = [
        f"{path}: {analysis.path_count} distinct paths{' (truncated)' if analysis.truncated else ''}"
        f" ({outcomes or 'none complete'}); {analysis.critical_free_path_count} without a critical error",
        f"  max-score path ({analysis.max_score:.1f}): {' '.join(analysis.max_score_path) or '-'}",
    ]
    ranges = ", ".join(f"{d} {lo:g}..{hi:g}" for d, (lo, hi) in analysis.dimension_ranges.items())
    summary.append(f"  dimension ranges: {ranges or '-'}")
    return scenario, problems, summary
