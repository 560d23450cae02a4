"""bench/worlds.py's per-world summary: the targets, and the ECE noise band reported beside them."""

from __future__ import annotations

import numpy as np

from bench.worlds import summarise


def test_a_world_summary_reports_the_targets_and_whether_ece_could_be_noise():
    rng = np.random.default_rng(3)
    p = rng.beta(0.6, 0.6, 33)
    rows = [
        {
            "p": float(pi),
            "naive": float(pi),
            "truth": bool(rng.random() < pi),
            "knowledge_ready": False,
            "method": "percent-correct",
            "checked": False,
            "verdict": "not-yet",
        }
        for pi in p
    ]
    result = summarise("two-factors", rows)
    assert result["judged"] == 33 and result["false_ready"] == 0.0
    assert set(result["targets_met"]) == {"false_ready<=0.05", "brier<=naive_brier", "ece<=0.08"}
    assert result["ece_noise_band90"] > 0.05  # 33 forecasts: several points of ECE are chance
    assert result["ece_within_noise_band"] == (result["ece"] <= result["ece_noise_band90"])
