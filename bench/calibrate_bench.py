"""Time item calibration on 1M simulated responses, beside girth on the same data in the same run.

    python bench/calibrate_bench.py            # prints JSON; the lead merges it into bench/results.json
    python bench/calibrate_bench.py --girth-2pl   # also time girth's 2PL (about ten minutes)

Data: 10,000 trainees each answer 100 of 400 items (1,000,000 responses) drawn from a 2PL model with
N(0, 1) abilities. Keys:
- calibrate_1m_s: our calibrate_arrays, default settings (2PL: every item has ~2,500 responses);
- calibrate_1m_rasch_s: ours with discrimination fixed at 1 (like for like with girth's Rasch);
- calibrate_1m_api_s: ours through calibrate() from 1M CalibrationResponse values (the service's path);
- calibrate_1m_girth_s: girth.rasch_mml on the items x trainees matrix (missing = INVALID_RESPONSE).
  girth's 2PL (twopl_mml) needs about ten minutes here, so it is only timed with --girth-2pl.
Difficulty RMSEs against the truth show what each fit bought.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta

import girth
import numpy as np

from app.domain.readiness.calibration import (
    CalibrationResponse,
    CalibrationSettings,
    calibrate,
    calibrate_arrays,
)

SEED = 20261126
TRAINEES, ITEMS, PER_TRAINEE = 10_000, 400, 100


def simulate(seed: int = SEED) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    b = rng.normal(0, 1, ITEMS)
    a = np.clip(np.exp(rng.normal(0, 0.3, ITEMS)), 0.4, 2.5)
    rating = np.clip(np.round(3 + b / 0.7 + rng.normal(0, 0.8, ITEMS)), 1, 5)
    theta = rng.normal(0, 1, TRAINEES)
    trainee = np.repeat(np.arange(TRAINEES), PER_TRAINEE)
    item = np.argsort(rng.random((TRAINEES, ITEMS)), axis=1)[:, :PER_TRAINEE].ravel()
    correct = rng.random(len(item)) < 1 / (1 + np.exp(-a[item] * (theta[trainee] - b[item])))
    return {"b": b, "a": a, "rating": rating, "trainee": trainee, "item": item, "correct": correct}


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return round(float(np.sqrt(np.mean((estimate - truth) ** 2))), 4)


def timed(run):
    start = time.perf_counter()
    result = run()
    return result, round(time.perf_counter() - start, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--girth-2pl", action="store_true", help="also time girth.twopl_mml (slow)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.girth_2pl), indent=2))
    return 0


def measure(girth_2pl: bool = False) -> dict[str, object]:
    """Time our calibration and girth's on the same simulated 1M responses, in this process."""
    data = simulate()
    trainee, item, correct, rating = data["trainee"], data["item"], data["correct"], data["rating"]
    report: dict[str, object] = {"responses": int(len(item))}

    ours, report["calibrate_1m_s"] = timed(lambda: calibrate_arrays(trainee, item, correct, rating))
    rasch_settings = CalibrationSettings(min_responses_2pl=10**9)
    rasch, report["calibrate_1m_rasch_s"] = timed(
        lambda: calibrate_arrays(trainee, item, correct, rating, settings=rasch_settings)
    )
    start = datetime(2026, 1, 1)
    responses = [
        CalibrationResponse(int(t), f"q{j}", f"D{j % 9 + 1}", bool(y), start + timedelta(seconds=k))
        for k, (t, j, y) in enumerate(zip(trainee, item, correct, strict=True))
    ]
    ratings = {f"q{j}": int(r) for j, r in enumerate(rating)}
    _, report["calibrate_1m_api_s"] = timed(lambda: calibrate(responses, ratings))

    matrix = np.full((ITEMS, TRAINEES), girth.INVALID_RESPONSE, dtype=int)
    matrix[item, trainee] = correct
    theirs, report["calibrate_1m_girth_s"] = timed(lambda: girth.rasch_mml(matrix))
    report["girth_method"] = "girth.rasch_mml, default options"
    report["difficulty_rmse_ours"] = rmse(ours.difficulty, data["b"])
    report["difficulty_rmse_ours_rasch"] = rmse(rasch.difficulty, data["b"])
    report["difficulty_rmse_girth_rasch"] = rmse(np.asarray(theirs["Difficulty"]), data["b"])
    report["iterations_ours"] = ours.iterations
    if girth_2pl:
        two, report["calibrate_1m_girth_2pl_s"] = timed(lambda: girth.twopl_mml(matrix))
        report["difficulty_rmse_girth_2pl"] = rmse(np.asarray(two["Difficulty"]), data["b"])
    return report


if __name__ == "__main__":
    sys.exit(main())
