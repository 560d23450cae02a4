"""Confidence calibration from the certainty a trainee states with each answer (low / medium / high).

Rules
- Each certainty level stands for a stated probability of being right, set in the promotion policy
  (for example low 0.40, medium 0.70, high 0.90).
- index = mean stated probability - proportion correct, over the answers that carry a certainty.
  Positive: over-confident (sure more often than right); negative: under-confident; 0: calibrated.
- Per level, the proportion correct shows where the gap is ("right 61% of the times you were sure").
- With no rated answers the index is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class RatedAnswer(Protocol):
    correct: bool
    certainty: str | None


@dataclass(frozen=True)
class LevelCalibration:
    level: str
    stated: float
    n: int
    accuracy: float | None  # None when no answer has this level


@dataclass(frozen=True)
class ConfidenceCalibration:
    index: float | None
    n: int
    levels: tuple[LevelCalibration, ...]


def calibration_index(answers: Sequence[RatedAnswer], stated: Mapping[str, float]) -> ConfidenceCalibration:
    """Over/under-confidence from `answers`; certainties outside `stated` are ignored."""
    rated = [a for a in answers if a.certainty in stated]
    levels = []
    for level, probability in stated.items():
        at_level = [a.correct for a in rated if a.certainty == level]
        accuracy = sum(at_level) / len(at_level) if at_level else None
        levels.append(LevelCalibration(level, probability, len(at_level), accuracy))
    if not rated:
        return ConfidenceCalibration(index=None, n=0, levels=tuple(levels))
    mean_stated = sum(stated[a.certainty] for a in rated if a.certainty) / len(rated)
    accuracy = sum(a.correct for a in rated) / len(rated)
    return ConfidenceCalibration(index=mean_stated - accuracy, n=len(rated), levels=tuple(levels))
