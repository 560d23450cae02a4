"""Confidence calibration from the certainty a trainee states with each answer (low / medium / high).

Certainty-based marking (Gardner-Medwin; Moodle's CBM) scores low 1 / 0, medium 2 / -2, high 3 / -6
for right / wrong. A trainee maximises the expected mark by choosing low when the chance of being right
is below 67%, medium between 67% and 80%, and high above 80%. So each level has a window of accuracy
that matches it, and calibration is judged level by level against those windows.

Rules
- A level is judged only with at least `MIN_PER_LEVEL` answers at it (fewer say nothing either way).
- A judged level is "over" when its accuracy is below its window (sure more often than right), "under"
  when above it (right more often than the level claimed), else "within".
- index = the answer-weighted mean gap over judged levels: (window's lower bound - accuracy) for an
  "over" level, -(accuracy - upper bound) for an "under" one, 0 within. Positive: over-confident;
  negative: under-confident; None when no level has enough answers.
- `stated` (from the promotion policy) names the levels in use; answers at other certainties are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

WINDOWS = {"low": (0.0, 2 / 3), "medium": (2 / 3, 0.8), "high": (0.8, 1.0)}
MIN_PER_LEVEL = 10


class RatedAnswer(Protocol):
    correct: bool
    certainty: str | None


@dataclass(frozen=True)
class LevelCalibration:
    level: str
    stated: float
    n: int
    accuracy: float | None  # None when no answer has this level
    window: tuple[float, float] = (0.0, 1.0)
    status: str | None = None  # over | under | within, or None with fewer than MIN_PER_LEVEL answers


@dataclass(frozen=True)
class ConfidenceCalibration:
    index: float | None
    n: int
    levels: tuple[LevelCalibration, ...]


def calibration_index(answers: Sequence[RatedAnswer], stated: Mapping[str, float]) -> ConfidenceCalibration:
    """Over/under-confidence from `answers` (see the module rules)."""
    rated = [a for a in answers if a.certainty in stated]
    levels, weighted_gap, judged = [], 0.0, 0
    for level, probability in stated.items():
        at_level = [a.correct for a in rated if a.certainty == level]
        n = len(at_level)
        accuracy = sum(at_level) / n if n else None
        low, high = WINDOWS.get(level, (0.0, 1.0))
        status = None
        if accuracy is not None and n >= MIN_PER_LEVEL:
            if accuracy < low:
                status, gap = "over", low - accuracy
            elif accuracy > high:
                status, gap = "under", -(accuracy - high)
            else:
                status, gap = "within", 0.0
            weighted_gap += n * gap
            judged += n
        levels.append(LevelCalibration(level, probability, n, accuracy, (low, high), status))
    index = weighted_gap / judged if judged else None
    return ConfidenceCalibration(index=index, n=len(rated), levels=tuple(levels))
