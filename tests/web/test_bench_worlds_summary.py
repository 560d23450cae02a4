"""bench/worlds.py's per-world summary: the targets, and the ECE noise band reported beside them."""

from __future__ import annotations

import numpy as np

from bench.worlds import summarise, summarise_calibration


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


def test_a_world_summary_says_how_far_and_which_way_the_headline_score_misses():
    rng = np.random.default_rng(5)
    true_score = rng.uniform(0.55, 0.8, 40)
    rows = [
        {
            "p": 0.5,
            "naive": 0.5,
            "truth": bool(t >= 0.65),
            "true_score": float(t),
            "expected_score": float(t - 0.03 + rng.normal(0, 0.02)),  # pessimistic by 0.03
            "score_sd": 0.02,
            "knowledge_ready": False,
            "method": "percent-correct",
            "checked": False,
            "verdict": "not-yet",
        }
        for t in true_score
    ]
    result = summarise("model", rows)
    assert -0.04 < result["score_bias"] < -0.02
    assert result["score_z_mean"] < -1  # a shift of 1.5 of its own standard deviations
    assert 0.7 < result["score_z_sd"] < 1.3  # its spread is honest


def test_item_calibration_errors_pool_over_cohorts_per_domain():
    cohort = {"items": 4, "sse_b_ours": 0.16, "sse_b_mml_2pl": 1.0, "sse_b_mml_1pl": 0.64}
    entries = [{"domain": "D1", **cohort}, {"domain": "D1", **cohort}, {"domain": "D2", **cohort}]
    result = summarise_calibration(entries)
    assert result["D1"]["items"] == 8 and result["all"]["items"] == 12
    assert result["D1"]["rmse_b_ours"] == 0.2 and result["all"]["rmse_b_mml_2pl"] == 0.5
    assert "D3" not in result
