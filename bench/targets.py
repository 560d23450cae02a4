"""The targets bench/results.json is judged against (issue 17 and the earlier benchmark issues).

Each key's result records `target` (field -> condition, e.g. {"ratio": ">= 0.3"}) and `met`: true when
every condition holds for the measured field, false when any misses, null for keys only reported. A
missed target keeps its measured number; nothing is rounded up to meet it.
"""

from __future__ import annotations

import operator

TARGETS: dict[str, dict[str, str]] = {
    "practice_page": {"ratio": ">= 0.30", "cpu_ms": "<= 1.2"},
    "answer_post": {"ratio": ">= 0.15", "cpu_ms": "<= 2.0"},
    "scenario_step": {"ratio": ">= 0.25", "cpu_ms": "<= 1.5"},
    "noop_signed_in": {"cpu_ms": "<= 0.4"},
    "practice_page_scale": {"ratio": "<= 1.3"},
    "answer_post_scale": {"ratio": "<= 1.3"},
    "dashboard_history_scale": {"ratio": "<= 1.3"},
    "readiness_view_scale": {"ratio": "<= 1.3"},
    "memory_and_start": {"worker_rss_mb": "<= 100", "create_app_cpu_s": "<= 0.8"},
    "content_sync": {"first_vs_bare": "<= 3", "again_vs_first": "<= 0.10"},
    "dashboard_scale": {"ratio_1m_to_100k": "<= 1.3"},
}
COMPARE = {">=": operator.ge, "<=": operator.le}


def holds(value: float, condition: str) -> bool:
    """Whether `value` satisfies a condition such as '<= 1.3'."""
    sign, bound = condition.split()
    return COMPARE[sign](value, float(bound))


def judge(key: str, result: dict) -> dict:
    """`result` with its target and whether it was met (null when the key has no target)."""
    target = TARGETS.get(key)
    met = None if target is None else all(holds(result[field], c) for field, c in target.items())
    return {**result, "target": target, "met": met}


def missed_fields(result: dict) -> list[str]:
    return [field for field, c in (result.get("target") or {}).items() if not holds(result[field], c)]
