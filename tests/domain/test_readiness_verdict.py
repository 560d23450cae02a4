"""Verdicts for constructed trainee histories: Ready, Almost, Not yet, Not enough evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from app.domain.readiness.ability import domain_likelihood
from app.domain.readiness.evidence import BankItem, GivenAnswer, ScenarioRun, TraineeEvidence
from app.domain.readiness.irt import ItemParams
from app.domain.readiness.promotion import CheckResult, Outcome, classification_accuracy, outcome
from app.domain.readiness.promotion_rules import Level, parse_promotion_rules
from app.domain.readiness.verdict import Verdict, assess

NOW = datetime(2026, 11, 26, 9, 0)
BLUEPRINT = {"D1": 12, "D2": 14, "D3": 14, "D4": 12, "D5": 9, "D6": 10, "D7": 12, "D8": 8, "D9": 9}
TYPES = ("credit-hold", "expedite", "drop-ship", "edi-mismatch", "returns-rma", "duplicate-order",
         "backorder-allocation", "retailer-chargeback", "atp-ctp-promise")  # fmt: skip

# The test's own policy, so that trainers editing content/policy/promotion.yaml do not break these tests.
POLICY_TEXT = """
evidence: {half_life_days: 60, items_per_domain: 20, scenario_runs: 8}
exam: {pass_mark: 0.65, ready_probability: 0.80, almost_probability: 0.60, score_interval: 0.80}
dimensions:
  knowledge: {domains: [D1, D2, D3, D4, D5, D6, D7, D8], developing: 60, senior: 72}
  exception_judgement: {scenario_scores: [accuracy, compliance], unaided_only: true, min_runs: 4,
                        developing: 60, senior: 75}
  coordination: {scenario_scores: [coordination], min_runs: 4, developing: 60, senior: 75}
  metrics_literacy: {item_domains: [D7], numeric_items: true, min_items: 15, developing: 60, senior: 72}
  customer_recovery: {scenario_scores: [customer_recovery], min_runs: 4, developing: 55, senior: 70}
  root_cause: {item_topics: [root-cause], min_items: 8, developing: 55, senior: 70}
senior_ready: {at_senior: [knowledge, exception_judgement, coordination, metrics_literacy]}
scenarios: {window: 5, exception_types: 8, senior_difficulty: 2, no_critical_in_last: 3}
almost: {max_unmet: 2}
confidence:
  stated: {low: 0.4, medium: 0.7, high: 0.9}
  flag_at: 0.15
"""
POLICY, _PROBLEMS = parse_promotion_rules(POLICY_TEXT, "test-policy.yaml")


def make_bank() -> dict[str, BankItem]:
    bank = {}
    for domain in BLUEPRINT:
        for k, b in enumerate(np.linspace(-1.5, 1.5, 30)):
            item_id = f"{domain}-{k}"
            topics = ("root-cause",) if domain == "D7" and k < 10 else ()
            params = ItemParams(difficulty=float(b), discrimination=1.0, se=0.05, n=500)
            bank[item_id] = BankItem(
                item_id, domain, params, numeric=domain == "D7" and k >= 20, topics=topics
            )
    return bank


BANK = make_bank()


def answers(per_domain: dict[str, int], wrong_every: int) -> tuple[GivenAnswer, ...]:
    """`per_domain[d]` answers in domain d over the last weeks, every `wrong_every`-th one wrong."""
    out = []
    for domain, count in per_domain.items():
        for k in range(count):
            out.append(
                GivenAnswer(
                    answer_id=f"a-{domain}-{k}",
                    item_id=f"{domain}-{k}",
                    correct=(k + 1) % wrong_every != 0,
                    answered_at=NOW - timedelta(days=30 - k),
                    certainty="high" if k % 2 else "medium",
                )
            )
    return tuple(out)


def scenario_runs(score=85.0, coordination=85.0, senior=2, critical_run=None, types=TYPES[:8]):
    runs = []
    for n, exception_type in enumerate(types):
        runs.append(
            ScenarioRun(
                run_id=f"run-{n}",
                scenario_id=f"scenario-{exception_type}",
                finished_at=NOW - timedelta(days=20 - n),
                difficulty="senior" if n < senior else "intermediate",
                exception_types=(exception_type,),
                passed=n != critical_run,
                scores={
                    "accuracy": score,
                    "compliance": score,
                    "coordination": coordination,
                    "customer_recovery": score,
                    "resolution_time": score,
                },  # fmt: skip
                critical_errors=("Released a credit hold without authority",) if n == critical_run else (),
            )
        )
    return tuple(runs)


def evidence(responses, runs, due_reviews=0) -> TraineeEvidence:
    return TraineeEvidence(
        trainee_id="t-1",
        responses=responses,
        bank=BANK,
        blueprint=BLUEPRINT,
        scenario_runs=runs,
        due_reviews=due_reviews,
        exception_types_available=TYPES,
    )


STRONG = answers({d: 25 for d in BLUEPRINT}, wrong_every=12)


def criterion(readiness, key):
    return next(c for c in readiness.criteria if c.key == key)


def test_test_policy_is_valid():
    assert POLICY is not None, _PROBLEMS


PASSED_CHECK = CheckResult("check:1", 68, 80, NOW)  # 85%: far above the 65% cut


def test_ready_when_every_criterion_is_met():
    readiness = assess(replace(evidence(STRONG, scenario_runs()), promotion_check=PASSED_CHECK), POLICY, NOW)
    assert readiness.verdict is Verdict.READY, [c for c in readiness.criteria if not c.met]
    assert readiness.verdict.label == "Ready"
    assert all(c.met for c in readiness.criteria)
    assert readiness.missing == ()
    assert readiness.pass_probability is not None and readiness.pass_probability.p >= 0.8
    levels = {d.name: d.level for d in readiness.dimensions}
    assert levels["knowledge"] is Level.SENIOR_READY
    # Evidence ids are passed through for linking.
    d4 = criterion(readiness, "evidence.items.D4")
    assert d4.evidence[:2] == ("a-D4-0", "a-D4-1") and len(d4.evidence) == 25
    assert criterion(readiness, "scenarios.senior_difficulty").evidence == ("run-0", "run-1")


def test_almost_when_one_criterion_is_short_and_nothing_is_junior():
    readiness = assess(
        replace(evidence(STRONG, scenario_runs(senior=1)), promotion_check=PASSED_CHECK), POLICY, NOW
    )
    assert readiness.verdict is Verdict.ALMOST
    unmet = [c.key for c in readiness.criteria if not c.met]
    assert unmet == ["scenarios.senior_difficulty"]
    assert readiness.missing == ("Pass 1 more senior-difficulty scenario",)
    assert any(a.kind == "senior-scenario" for a in readiness.next_actions)


def test_when_only_the_promotion_check_is_missing_the_first_action_asks_for_one():
    readiness = assess(evidence(STRONG, scenario_runs()), POLICY, NOW)
    assert [c.key for c in readiness.criteria if not c.met] == ["promotion.check"]
    assert readiness.next_actions[0].kind == "promotion-check"


def test_not_yet_when_a_dimension_is_junior():
    readiness = assess(evidence(STRONG, scenario_runs(coordination=40.0)), POLICY, NOW)
    assert readiness.verdict is Verdict.NOT_YET
    coordination = next(d for d in readiness.dimensions if d.name == "coordination")
    assert coordination.level is Level.JUNIOR
    assert coordination.evidence == ("run-3", "run-4", "run-5", "run-6", "run-7")
    assert criterion(readiness, "dimension.coordination").missing == "Raise coordination from 40 to 75"
    assert ("scenarios", "Raise coordination: work scenarios you have not played yet") in [
        (a.kind, a.message) for a in readiness.next_actions
    ]


def test_a_dimension_below_target_gets_an_action_that_practises_its_own_evidence():
    weak_d7 = tuple(r for r in STRONG if not r.item_id.startswith("D7-")) + answers({"D7": 25}, wrong_every=2)
    readiness = assess(evidence(weak_d7, scenario_runs()), POLICY, NOW)
    assert not criterion(readiness, "dimension.metrics_literacy").met
    assert any(
        a.kind == "practise-domain" and a.target == "D7" and a.message.startswith("Raise metrics literacy")
        for a in readiness.next_actions
    )


def test_not_yet_after_a_recent_critical_error():
    readiness = assess(evidence(STRONG, scenario_runs(critical_run=6)), POLICY, NOW)
    no_critical = criterion(readiness, "scenarios.no_critical")
    assert not no_critical.met and no_critical.evidence == ("run-6",)
    assert readiness.verdict in (Verdict.ALMOST, Verdict.NOT_YET)
    assert readiness.next_actions[0].kind == "replay-scenario"


def test_not_enough_evidence_says_what_is_missing():
    thin = answers({d: (10 if d == "D4" else 25) for d in BLUEPRINT}, wrong_every=12)
    readiness = assess(evidence(thin, scenario_runs(), due_reviews=12), POLICY, NOW)
    assert readiness.verdict is Verdict.NOT_ENOUGH_EVIDENCE
    assert readiness.pass_probability is None
    assert "Answer about 10 more questions in D4" in readiness.missing
    exam = criterion(readiness, "exam.pass_probability")
    assert not exam.met and exam.about_evidence
    kinds = [(a.kind, a.target) for a in readiness.next_actions]
    assert kinds[0] == ("practise-domain", "D4")
    assert ("review", None) in kinds
    assert ("try-exception-type", "atp-ctp-promise") in kinds


def test_weak_answers_mean_not_yet_with_a_low_pass_probability():
    weak = answers({d: 25 for d in BLUEPRINT}, wrong_every=2)
    readiness = assess(evidence(weak, scenario_runs()), POLICY, NOW)
    assert readiness.verdict is Verdict.NOT_YET
    assert readiness.pass_probability.p < 0.2
    knowledge = next(d for d in readiness.dimensions if d.name == "knowledge")
    assert knowledge.level is Level.JUNIOR
    weakest = next(a for a in readiness.next_actions if a.kind == "practise-domain")
    assert weakest.target in BLUEPRINT


def test_confidence_flag_for_an_overconfident_trainee():
    weak = answers({d: 25 for d in BLUEPRINT}, wrong_every=2)
    readiness = assess(evidence(weak, scenario_runs()), POLICY, NOW)
    high = next(lv for lv in readiness.confidence.levels if lv.level == "high")
    assert high.status == "over" and readiness.confidence.index > 0.15
    assert any(a.kind == "confidence" for a in readiness.next_actions)


def test_a_cached_domain_summary_gives_the_same_readiness():
    base = evidence(STRONG, scenario_runs())
    d4 = base.responses_where(lambda item: item.domain == "D4")
    params = {r.item_id: BANK[r.item_id].params for r in d4}
    cached = domain_likelihood(d4, params, NOW, POLICY.half_life_days, base.practice)
    with_cache = replace(base, likelihoods={"D4": cached})
    fresh, reused = assess(base, POLICY, NOW), assess(with_cache, POLICY, NOW)
    assert reused.pass_probability == fresh.pass_probability
    assert reused.verdict is fresh.verdict


def test_practice_alone_never_reads_ready_the_decision_rests_on_a_promotion_check():
    practice_only = assess(evidence(STRONG, scenario_runs()), POLICY, NOW)
    assert practice_only.verdict is Verdict.ALMOST
    assert [c.key for c in practice_only.criteria if not c.met] == ["promotion.check"]
    assert "Sit a promotion check" in practice_only.missing[0]


def test_a_decisive_failed_check_reads_not_yet_and_a_close_one_asks_for_more_evidence():
    failed = replace(evidence(STRONG, scenario_runs()), promotion_check=CheckResult("check:2", 36, 80, NOW))
    assert assess(failed, POLICY, NOW).verdict is Verdict.NOT_YET
    close = replace(evidence(STRONG, scenario_runs()), promotion_check=CheckResult("check:3", 53, 80, NOW))
    result = assess(close, POLICY, NOW)
    assert result.verdict is Verdict.ALMOST and "too close to the cut" in result.missing[0]
    check = next(c for c in result.criteria if c.key == "promotion.check")
    assert check.evidence == ("check:3",)  # the report cites the sitting it used


def test_classification_accuracy_follows_the_distance_from_the_cut_in_standard_errors():
    assert classification_accuracy(52, 80, 0.65) == 0.5  # exactly at the cut: a coin toss
    # 75% on 80 items: SE = sqrt(.75 x .25 / 80) = 0.0484, z = 0.10 / 0.0484 = 2.07, Phi(z) = 0.981
    assert abs(classification_accuracy(60, 80, 0.65) - 0.9805) < 0.001
    assert outcome(CheckResult("c", 60, 80, NOW), 0.65, 0.90) is Outcome.PASSED
    assert outcome(CheckResult("c", 55, 80, NOW), 0.65, 0.90) is Outcome.TOO_CLOSE
    assert (
        outcome(CheckResult("c", 80, 80, NOW), 0.65, 0.90) is Outcome.PASSED
    )  # floored SE: not division by 0


def test_a_thinly_calibrated_bank_gives_the_headline_from_percent_correct():
    thin = {k: replace(item, params=replace(item.params, n=5)) for k, item in BANK.items()}
    readiness = assess(replace(evidence(STRONG, scenario_runs()), bank=thin), POLICY, NOW)
    calibrated = assess(evidence(STRONG, scenario_runs()), POLICY, NOW)
    assert readiness.pass_probability.method == "percent-correct"
    assert calibrated.pass_probability.method == "irt"
    # STRONG answers 24 of 25 right in every domain: far above a 65% cut either way
    assert readiness.pass_probability.p > 0.99 and readiness.pass_probability.sitting_items == 100


def test_percent_correct_probability_by_hand():
    from app.domain.readiness.exam import percent_correct_probability

    # one domain, 49 right of 98: overall (49+1)/(98+2) = .5, p = (49 + 2 x .5)/100 = .5,
    # estimate var .25/100, sitting var .25/100
    result = percent_correct_probability({"D1": (49, 98)}, {"D1": 100}, 0.5)
    # z = (0.5 - 0.005 - 0.5) / sqrt(.25/100 + .25/100) = -0.005 / 0.070711 = -0.0707 -> P = 0.5282
    assert abs(result.p - 0.5282) < 1e-3 and result.method == "percent-correct"


def test_a_stored_result_reads_back_the_same():
    from app.domain.readiness.stored import readiness_from_json, to_json

    for result in (
        assess(replace(evidence(STRONG, scenario_runs()), promotion_check=PASSED_CHECK), POLICY, NOW),
        assess(evidence(answers({d: 10 for d in BLUEPRINT}, wrong_every=3), scenario_runs()), POLICY, NOW),
    ):
        stored = to_json(result)
        import json

        assert readiness_from_json(json.loads(json.dumps(stored))) == result
    with pytest.raises(ValueError):
        readiness_from_json({**stored, "surprise": 1})
