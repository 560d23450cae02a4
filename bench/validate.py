"""Validate readiness on simulated cohorts drawn from a known 2PL model; writes bench/validation.json.

    python -m bench.validate                      # the reference seed (what `make validate` runs)
    python -m bench.validate --seeds 1 2 3 4      # other seeds too, to report the spread

The simulation (docs/readiness.md, "Validation", says why each choice):
- Bank: 40 items in each of D1-D9; b ~ N(0, 1), a ~ lognormal(0, 0.3); authors rate difficulty 1-5 with
  error. Trainees: ability per domain = general + domain-specific part; it grows with practice in that
  domain (a trainee-specific gain approached exponentially) and does not decay.
- Missingness: staggered starts over 60 days, a quarter drop out early, practice rate varies tenfold,
  sessions of 8-15 questions in one domain chosen by preference or to fill the least-practised domain, and
  items chosen to match the trainee's recent percent correct (adaptive, so missing at random given the
  observed answers).
- Assessment at day 120, which is also the exam date. TRUE PASS: the trainee's true expected proportion
  correct on a blueprint form (each domain's weight times the mean true 2PL probability over its 40 items,
  at the trainee's day-120 abilities) reaches the policy's `exam.pass_mark`.
- Predictions come from the app's own code path: calibrate() on all first attempts, then verdict.assess()
  per trainee with the parsed content/policy/promotion.yaml. Metrics use the trainees for whom a pass
  probability is shown (every blueprint domain has its minimum evidence).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import girth
import numpy as np
from scipy.stats import norm

from app.domain.forecast_quality import brier, ece, ece_noise_band
from app.domain.readiness.calibration import CalibrationResponse, calibrate
from app.domain.readiness.evidence import BankItem, GivenAnswer, TraineeEvidence
from app.domain.readiness.promotion_rules import PromotionRules, parse_promotion_rules
from app.domain.readiness.verdict import assess
from bench.mml import fit_mml

ROOT = Path(__file__).resolve().parent.parent
POLICY_PATH = ROOT / "content" / "policy" / "promotion.yaml"
OUT_PATH = ROOT / "bench" / "validation.json"
SEED = 20261126
# Item counts per domain on a 150-item form (content/blueprint.yaml, as agreed for the readiness layer).
BLUEPRINT = {"D1": 12, "D2": 14, "D3": 14, "D4": 12, "D5": 9, "D6": 10, "D7": 12, "D8": 8, "D9": 9}
DOMAINS = tuple(BLUEPRINT)
START = datetime(2026, 7, 1)
DAYS = 120
TARGETS = {
    "brier": ("<=", 0.10),
    "ece": ("<=", 0.05),
    "false_ready_rate": ("<=", 0.05),
}


@dataclass(frozen=True)
class Cohort:
    item_domain: np.ndarray  # domain index per item
    b: np.ndarray
    a: np.ndarray
    rating: np.ndarray
    trainee: np.ndarray  # per response
    item: np.ndarray
    correct: np.ndarray
    day: np.ndarray
    theta: np.ndarray  # the trainee's true ability when answering
    theta_now: np.ndarray  # trainees x domains, at the exam date

    @property
    def n_trainees(self) -> int:
        return self.theta_now.shape[0]


def simulate(seed: int, n_trainees: int = 1200, items_per_domain: int = 40) -> Cohort:
    rng = np.random.default_rng(seed)
    n_dom = len(DOMAINS)
    item_domain = np.repeat(np.arange(n_dom), items_per_domain)
    n_items = len(item_domain)
    b = rng.normal(0.0, 1.0, n_items)
    a = np.clip(np.exp(rng.normal(0.0, 0.3, n_items)), 0.4, 2.5)
    rating = np.clip(np.round(3 + b / 0.7 + rng.normal(0, 0.8, n_items)), 1, 5)
    by_domain = [np.flatnonzero(item_domain == d) for d in range(n_dom)]
    rated_b = (rating - 3) * 0.7  # the app's view of difficulty before calibration

    theta0 = rng.normal(-0.2, 0.8, (n_trainees, 1)) + rng.normal(0, 0.45, (n_trainees, n_dom))
    gain = rng.uniform(0.2, 1.4, n_trainees)
    start = rng.uniform(0, 60, n_trainees)
    stop = np.where(rng.random(n_trainees) < 0.25, start + rng.uniform(7, 60, n_trainees), DAYS)
    stop = np.minimum(stop, DAYS)
    rate = np.exp(rng.normal(np.log(0.2), 0.6, n_trainees))  # sessions per day
    preference = rng.dirichlet(np.full(n_dom, 1.5), n_trainees)

    rows: list[tuple[int, int, bool, float, float]] = []
    theta_now = np.empty((n_trainees, n_dom))
    for t in range(n_trainees):
        answered = np.zeros(n_items, dtype=bool)
        count = np.zeros(n_dom)
        recent: list[list[bool]] = [[] for _ in range(n_dom)]
        n_sessions = rng.poisson(rate[t] * (stop[t] - start[t]))
        for day in np.sort(rng.uniform(start[t], stop[t], n_sessions)):
            open_domains = [d for d in range(n_dom) if not answered[by_domain[d]].all()]
            if not open_domains:
                break
            if rng.random() < 0.5:
                p = preference[t, open_domains] / preference[t, open_domains].sum()
                d = open_domains[rng.choice(len(open_domains), p=p)]
            else:
                d = min(open_domains, key=lambda k: (count[k], rng.random()))
            for _ in range(rng.integers(8, 16)):
                pool = by_domain[d][~answered[by_domain[d]]]
                if len(pool) == 0:
                    break
                last = recent[d][-10:]
                target = 2.5 * ((sum(last) / len(last) if last else 0.6) - 0.6)
                w = np.cumsum(np.exp(-((rated_b[pool] - target) ** 2) / (2 * 0.8**2)))
                j = pool[min(np.searchsorted(w, rng.random() * w[-1]), len(pool) - 1)]
                theta = theta0[t, d] + gain[t] * (1 - math.exp(-count[d] / 30))
                y = rng.random() < 1 / (1 + math.exp(-a[j] * (theta - b[j])))
                rows.append((t, j, y, day, theta))
                answered[j] = True
                count[d] += 1
                recent[d].append(y)
        theta_now[t] = theta0[t] + gain[t] * (1 - np.exp(-count / 30))
    trainee, item, correct, day, theta = (np.array(col) for col in zip(*rows, strict=True))
    return Cohort(item_domain, b, a, rating, trainee, item, correct.astype(bool), day, theta, theta_now)


def true_expected_scores(cohort: Cohort) -> np.ndarray:
    """Each trainee's true expected proportion correct on a blueprint form at the exam date."""
    weights = np.array([BLUEPRINT[d] for d in DOMAINS], dtype=float)
    weights /= weights.sum()
    score = np.zeros(cohort.n_trainees)
    for d in range(len(DOMAINS)):
        items = cohort.item_domain == d
        p = 1 / (1 + np.exp(-cohort.a[items] * (cohort.theta_now[:, d : d + 1] - cohort.b[items])))
        score += weights[d] * p.mean(axis=1)
    return score


def linked_rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    """RMSE after mean/sigma linking of the estimates onto the true scale (both models fix their own)."""
    linked = (estimate - estimate.mean()) / estimate.std() * truth.std() + truth.mean()
    return float(np.sqrt(np.mean((linked - truth) ** 2)))


def girth_difficulty(cohort: Cohort) -> np.ndarray:
    """girth's 2PL marginal maximum likelihood on the items x trainees matrix (missing = INVALID)."""
    data = np.full((len(cohort.b), cohort.n_trainees), girth.INVALID_RESPONSE, dtype=int)
    data[cohort.item, cohort.trainee] = cohort.correct
    return np.asarray(girth.twopl_mml(data)["Difficulty"], dtype=float)


def per_domain_rmse(cohort: Cohort, ours: np.ndarray) -> tuple[float, float]:
    """Difficulty RMSE of ours and of a full-information 2PL MML fit per domain (bench/mml.py) on the same
    first attempts, each linked onto the true difficulties per domain (an MML fit fixes N(0, 1) per domain),
    pooled over the bank."""
    squared = {"ours": 0.0, "mml": 0.0}
    for d in range(len(DOMAINS)):
        items = np.flatnonzero(cohort.item_domain == d)
        rows = np.isin(cohort.item, items)
        local = np.searchsorted(items, cohort.item[rows])
        fit = fit_mml(cohort.trainee[rows], local, cohort.correct[rows], len(items))
        for name, estimate in (("ours", ours[items]), ("mml", fit.difficulty)):
            squared[name] += len(items) * linked_rmse(estimate, cohort.b[items]) ** 2
    n = len(cohort.b)
    return math.sqrt(squared["ours"] / n), math.sqrt(squared["mml"] / n)


def run(seed: int, policy: PromotionRules, n_trainees: int = 1200) -> dict[str, float | int]:
    clock = time.perf_counter()
    cohort = simulate(seed, n_trainees)
    item_ids = [f"q{j}" for j in range(len(cohort.b))]
    when = [START + timedelta(days=float(d)) for d in cohort.day]
    responses = [
        CalibrationResponse(int(t), item_ids[j], DOMAINS[cohort.item_domain[j]], bool(y), at)
        for t, j, y, at in zip(cohort.trainee, cohort.item, cohort.correct, when, strict=True)
    ]
    ratings = {item_ids[j]: int(r) for j, r in enumerate(cohort.rating)}
    calibration = calibrate(responses, ratings)
    params = calibration.items
    ours = np.array([params[i].difficulty for i in item_ids])
    theirs = girth_difficulty(cohort)
    ours_by_domain, mml_by_domain = per_domain_rmse(cohort, ours)

    bank = {
        item_ids[j]: BankItem(item_ids[j], DOMAINS[cohort.item_domain[j]], params[item_ids[j]])
        for j in range(len(item_ids))
    }
    now = START + timedelta(days=DAYS)
    by_trainee: list[list[GivenAnswer]] = [[] for _ in range(cohort.n_trainees)]
    for k, (t, j, y, at) in enumerate(zip(cohort.trainee, cohort.item, cohort.correct, when, strict=True)):
        by_trainee[t].append(GivenAnswer(f"a{k}", item_ids[j], bool(y), at))
    truth = true_expected_scores(cohort) >= policy.pass_mark
    weights = np.array([BLUEPRINT[d] for d in DOMAINS], dtype=float)
    shown, p_ours, p_naive, passed = [], [], [], []
    for t in range(cohort.n_trainees):
        evidence = TraineeEvidence(
            str(t),
            tuple(by_trainee[t]),
            bank,
            BLUEPRINT,
            practice=calibration.practice,
            structure=calibration.structure,
        )
        readiness = assess(evidence, policy, now)
        if readiness.pass_probability is None:
            continue
        shown.append(t)
        p_ours.append(readiness.pass_probability.p)
        passed.append(truth[t])
        p_naive.append(_naive_probability(by_trainee[t], bank, weights, policy.pass_mark))
    p, q, y = np.array(p_ours), np.array(p_naive), np.array(passed, dtype=float)
    called_ready = p >= policy.ready_probability
    return {
        "seed": seed,
        "trainees": cohort.n_trainees,
        "items": len(item_ids),
        "responses": len(responses),
        "shown": len(shown),
        "true_pass_rate": round(float(y.mean()), 4),
        "brier": round(brier(p, y), 4),
        "ece": round(ece(p, y), 4),
        "ece_noise_band90": round(ece_noise_band(p), 4),
        "naive_brier": round(brier(q, y), 4),
        "false_ready_rate": round(float(1 - y[called_ready].mean()) if called_ready.any() else 0.0, 4),
        "false_ready_fpr": round(float(called_ready[y == 0].mean()) if (y == 0).any() else 0.0, 4),
        "called_ready": int(called_ready.sum()),
        "difficulty_rmse_ours": round(linked_rmse(ours, cohort.b), 4),
        "difficulty_rmse_girth": round(linked_rmse(theirs, cohort.b), 4),
        "difficulty_rmse_ours_per_domain": round(ours_by_domain, 4),
        "difficulty_rmse_mml_per_domain": round(mml_by_domain, 4),
        "seconds": round(time.perf_counter() - clock, 1),
    }


def _naive_probability(
    responses: list[GivenAnswer], bank: dict[str, BankItem], weights: np.ndarray, pass_mark: float
) -> float:
    """The obvious predictor: blueprint-weighted percent correct, with a binomial standard error."""
    right = np.zeros(len(DOMAINS))
    total = np.zeros(len(DOMAINS))
    for r in responses:
        d = DOMAINS.index(bank[r.item_id].domain)
        total[d] += 1
        right[d] += r.correct
    share = weights / weights.sum()
    pc = float(share @ (right / np.maximum(total, 1)))
    se = float(np.sqrt(max(pc * (1 - pc), 1e-6) * (share**2 / np.maximum(total, 1)).sum()))
    return float(norm.sf((pass_mark - pc) / se))


def _policy_used(policy: PromotionRules) -> dict[str, float]:
    """The policy numbers the results depend on (the file may change after a run)."""
    return {
        "pass_mark": policy.pass_mark,
        "ready_probability": policy.ready_probability,
        "items_per_domain": policy.items_per_domain,
        "half_life_days": policy.half_life_days,
    }


def targets_met(result: dict[str, float | int]) -> dict[str, bool]:
    met = {key: result[key] <= limit for key, (_, limit) in TARGETS.items()}
    met["difficulty_rmse_ours<=girth"] = result["difficulty_rmse_ours"] <= result["difficulty_rmse_girth"]
    met["brier<naive_brier"] = result["brier"] < result["naive_brier"]
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--seeds", type=int, nargs="*", default=[], help="extra seeds for the spread")
    parser.add_argument("--trainees", type=int, default=1200)
    parser.add_argument("--out", type=Path, default=OUT_PATH)
    args = parser.parse_args(argv)
    policy, problems = parse_promotion_rules(POLICY_PATH.read_text(), str(POLICY_PATH.relative_to(ROOT)))
    if policy is None:
        print("\n".join(map(str, problems)), file=sys.stderr)
        return 2
    result = run(args.seed, policy, args.trainees)
    report: dict[str, object] = {
        **result,
        "targets_met": targets_met(result),
        "policy": _policy_used(policy),
        "girth_method": "girth.twopl_mml, default options",
        "mml_method": "bench/mml.py full-information 2PL MML (Bock-Aitkin EM) per domain, linked per domain",
    }
    print(json.dumps(report, indent=2))
    if args.seeds:
        spread = [run(seed, policy, args.trainees) for seed in args.seeds]
        for other in spread:
            print(json.dumps(other))
        report["other_seeds"] = spread
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(report["targets_met"].values()) else 1  # type: ignore[union-attr]


if __name__ == "__main__":
    sys.exit(main())
