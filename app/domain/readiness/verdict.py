"""The readiness verdict for senior promotion: criteria, dimension levels, pass probability, next actions.

Rules (thresholds all come from the PromotionRules)
- Evidence criteria: at least `items_per_domain` distinct questions answered in every knowledge domain and
  every weighted blueprint domain; at least `scenario_runs` finished runs; each dimension's own minimum.
- Dimension levels: junior / developing / senior-ready from the dimension's score (see policy.py). The
  dimensions listed in `at_senior` must be senior-ready; every other one must not be junior.
- Scenario criteria: passed runs in `exception_types` exception types; `senior_difficulty` passed runs at
  senior difficulty; no critical error in the last `no_critical_in_last` attempts.
- Exam criterion: P(pass) >= `ready_probability`. The probability is computed and shown only when every
  blueprint domain has its minimum evidence; it comes from the IRT model once the bank's median item
  has MIN_CALIBRATION_RESPONSES calibration responses, and from first-attempt percent correct before.
- Verdict: Not enough evidence if any evidence criterion is unmet; else Ready if every criterion is met;
  else Almost if no dimension is junior, P(pass) >= `almost_probability` and at most `almost.max_unmet`
  criteria are unmet; else Not yet.
- Next actions, most useful first: fill evidence gaps, replay after a critical error, practise the weakest
  domain, do due reviews, try untried exception types, a senior-difficulty scenario, confidence practice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from ..taxonomy import EXCEPTION_NAMES
from . import promotion, scenarios
from .ability import domain_likelihood, estimate, expected_score
from .confidence import ConfidenceCalibration, calibration_index
from .evidence import BankItem, GivenAnswer, TraineeEvidence
from .exam import pass_probability, percent_correct_probability
from .irt import ItemParams
from .mastery import domain_mastery
from .profile import AbilityProfile, pool
from .promotion import CheckResult
from .promotion_rules import DimensionRule, Level, PromotionRules
from .results import (
    Criterion,
    DimensionResult,
    DomainMastery,
    NextAction,
    PassProbability,
    Readiness,
    Verdict,
)


def assess(evidence: TraineeEvidence, policy: PromotionRules, now: datetime) -> Readiness:
    """Judge one trainee against the policy at `now` (see the module rules)."""
    profile, answer_ids = _profile(evidence, policy, now)
    domains = domain_mastery(evidence.items_by_domain, policy.score_interval, profile, answer_ids)
    by_domain = {m.domain: m for m in domains}
    criteria: list[Criterion] = [_items_criterion(m, policy) for m in domains]
    criteria.append(_scenario_runs_criterion(evidence, policy))
    dimensions = []
    for rule in policy.dimensions:
        result = _dimension(rule, evidence, policy, by_domain, now)
        dimensions.append(result)
        criteria.append(_dimension_criterion(rule, result, policy))
    criteria.extend(_scenario_criteria(evidence, policy))
    exam = _pass_probability(evidence, policy, by_domain, profile)
    criteria.append(_exam_criterion(exam, policy))
    if policy.check_required:
        criteria.append(_promotion_criterion(evidence.promotion_check, policy))
    confidence = calibration_index(evidence.responses, policy.stated_confidence)
    verdict = _verdict(criteria, dimensions, exam, policy)
    return Readiness(
        verdict=verdict,
        criteria=tuple(criteria),
        dimensions=tuple(dimensions),
        domains=tuple(domains),
        pass_probability=exam,
        confidence=confidence,
        next_actions=tuple(_next_actions(evidence, policy, domains, confidence, criteria)),
        missing=tuple(c.missing for c in criteria if not c.met and c.missing),
    )


def _verdict(
    criteria: Sequence[Criterion],
    dimensions: Sequence[DimensionResult],
    exam: PassProbability | None,
    policy: PromotionRules,
) -> Verdict:
    if any(c.about_evidence and not c.met for c in criteria):
        return Verdict.NOT_ENOUGH_EVIDENCE
    unmet = [c for c in criteria if not c.met]
    if any(c.key == PROMOTION_FAILED for c in unmet):
        return Verdict.NOT_YET  # a decisive failed sitting outweighs practice
    if not unmet:
        return Verdict.READY
    no_junior = all(d.level is not Level.JUNIOR for d in dimensions)
    if no_junior and exam and exam.p >= policy.almost_probability and len(unmet) <= policy.almost_max_unmet:
        return Verdict.ALMOST
    return Verdict.NOT_YET


# Below this median count of calibration responses per bank item, item parameters are mostly the
# author's rating: validation at the real shape (bench/worlds.py) found the IRT headline worse than plain
# percent correct there, so the headline uses percent correct until the bank is calibrated.
MIN_CALIBRATION_RESPONSES = 30


def _count(n: int, noun: str) -> str:
    """'1 more scenario run', '3 more scenario runs'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


PROMOTION_KEY = "promotion.check"
PROMOTION_FAILED = "promotion.check.failed"


def _promotion_criterion(result: CheckResult | None, policy: PromotionRules) -> Criterion:
    """Passed, decisive promotion check: the knowledge evidence the decision rests on."""
    label = f"A promotion check passed at {policy.pass_mark:.0%} and decisive (classification accuracy >= {policy.check_min_accuracy:.0%})"
    if result is None:
        return Criterion(
            PROMOTION_KEY,
            label,
            False,
            "no promotion check yet",
            (),
            missing="Sit a promotion check (ask your trainer, or request one once practice reads Ready)",
        )
    verdict = promotion.outcome(result, policy.pass_mark, policy.check_min_accuracy)
    accuracy = promotion.classification_accuracy(result.credit, result.items, policy.pass_mark)
    observed = f"{result.score:.0%} on {result.items} unseen items; {verdict.label.lower()} (accuracy {accuracy:.0%})"
    if verdict is promotion.Outcome.PASSED:
        return Criterion(PROMOTION_KEY, label, True, observed, (result.check_id,))
    key = PROMOTION_FAILED if verdict is promotion.Outcome.FAILED else PROMOTION_KEY
    missing = (
        "Sit another promotion check: the last one was too close to the cut to decide"
        if verdict is promotion.Outcome.TOO_CLOSE
        else "Study the weak domains, then sit a new promotion check"
    )
    return Criterion(key, label, False, observed, (result.check_id,), missing=missing)


# --- knowledge: per-domain abilities and mastery -------------------------------------------------------


def _assessed_domains(evidence: TraineeEvidence, policy: PromotionRules) -> list[str]:
    wanted = {d for rule in policy.dimensions for d in rule.domains}
    wanted |= {d for d, weight in evidence.blueprint.items() if weight > 0}
    return sorted(wanted, key=lambda d: (len(d), d))


def _profile(
    evidence: TraineeEvidence, policy: PromotionRules, now: datetime
) -> tuple[AbilityProfile, dict[str, tuple[str, ...]]]:
    domains = _assessed_domains(evidence, policy)
    likelihoods, answer_ids = {}, {}
    for domain in domains:
        responses = evidence.responses_where(lambda item, d=domain: item.domain == d)
        answer_ids[domain] = tuple(r.answer_id for r in responses)
        cached = evidence.likelihoods.get(domain)
        likelihoods[domain] = cached or domain_likelihood(
            responses, _params(responses, evidence), now, policy.half_life_days, evidence.practice
        )
    return pool(likelihoods, domains, evidence.structure), answer_ids


def _params(responses: Sequence[GivenAnswer], evidence: TraineeEvidence) -> dict[str, ItemParams]:
    return {r.item_id: evidence.bank[r.item_id].params for r in responses}


def _items(evidence: TraineeEvidence, keep: Callable[[BankItem], bool]) -> list[ItemParams]:
    return [item.params for item in evidence.bank.values() if keep(item)]


def _items_criterion(mastery: DomainMastery, policy: PromotionRules) -> Criterion:
    n, need = mastery.ability.n, policy.items_per_domain
    return Criterion(
        key=f"evidence.items.{mastery.domain}",
        label=f"At least {need} different questions answered in {mastery.domain}",
        met=n >= need,
        observed=f"{n} of {need}",
        evidence=mastery.answer_ids,
        missing=None if n >= need else f"Answer about {need - n} more questions in {mastery.domain}",
        about_evidence=True,
    )


# --- the six dimensions ----------------------------------------------------------------------------------


def _dimension(
    rule: DimensionRule,
    evidence: TraineeEvidence,
    policy: PromotionRules,
    by_domain: dict[str, DomainMastery],
    now: datetime,
) -> DimensionResult:
    if rule.source == "domains":
        masteries = [by_domain[d] for d in rule.domains]
        ids = tuple(i for m in masteries for i in m.answer_ids)
        n = min(m.ability.n for m in masteries)
        scored = [m.mastery for m in masteries if m.mastery is not None]
        enough = n >= policy.items_per_domain and len(scored) == len(masteries)
        return _result(rule, min(scored) if enough else None, n, ids)
    if rule.source == "scenarios":
        window = policy.scenario_window
        rolling = scenarios.rolling_score(
            evidence.scenario_runs, rule.scenario_scores, window, rule.unaided_only
        )
        score = rolling.score if rolling.n >= rule.min_runs else None
        return _result(rule, score, rolling.n, rolling.run_ids)
    selected = _item_selector(rule)
    responses = evidence.responses_where(selected)
    ability = estimate(responses, _params(responses, evidence), now, policy.half_life_days, evidence.practice)
    items = _items(evidence, selected)
    score = 100 * expected_score(ability, items)[0] if items and ability.n >= rule.min_items else None
    return _result(rule, score, ability.n, tuple(r.answer_id for r in responses))


def _result(rule: DimensionRule, score: float | None, n: int, ids: tuple[str, ...]) -> DimensionResult:
    return DimensionResult(rule.name, score, None if score is None else rule.level(score), n, ids)


def _item_selector(rule: DimensionRule) -> Callable[[BankItem], bool]:
    def selected(item: BankItem) -> bool:
        return (
            item.domain in rule.item_domains
            or (rule.numeric_items and item.numeric)
            or bool(set(item.topics) & set(rule.item_topics))
        )

    return selected


def _dimension_criterion(rule: DimensionRule, result: DimensionResult, policy: PromotionRules) -> Criterion:
    name = rule.name.replace("_", " ")
    required = rule.name in policy.at_senior
    target, goal = (rule.senior, "senior-ready") if required else (rule.developing, "developing")
    label = f"{name.capitalize()} at least {goal} ({target:g})"
    if result.score is None:
        return Criterion(
            key=f"dimension.{rule.name}",
            label=label,
            met=False,
            observed=f"not enough evidence yet ({result.n} so far)",
            evidence=result.evidence,
            missing=_dimension_gap(rule, result),
            about_evidence=True,
        )
    met = result.score >= target
    return Criterion(
        key=f"dimension.{rule.name}",
        label=label,
        met=met,
        observed=f"{result.score:.0f} ({result.level})",
        evidence=result.evidence,
        missing=None if met else f"Raise {name} from {result.score:.0f} to {target:g}",
    )


def _dimension_gap(rule: DimensionRule, result: DimensionResult) -> str | None:
    """What to do to make a dimension judgeable; None when the per-domain minimums already say it."""
    name = rule.name.replace("_", " ")
    if rule.source == "domains":
        return None
    if rule.source == "scenarios":
        kind = "unaided scenario runs" if rule.unaided_only else "scenario runs"
        return f"Complete {_count(rule.min_runs - result.n, 'more ' + kind[:-1])} to judge {name}"
    return f"Answer about {rule.min_items - result.n} more {name} questions"


# --- scenarios -------------------------------------------------------------------------------------------


def _scenario_runs_criterion(evidence: TraineeEvidence, policy: PromotionRules) -> Criterion:
    n, need = len(evidence.scenario_runs), policy.scenario_runs
    return Criterion(
        key="evidence.scenario_runs",
        label=f"At least {need} scenario runs finished",
        met=n >= need,
        observed=f"{n} of {need}",
        evidence=tuple(r.run_id for r in scenarios.in_order(evidence.scenario_runs)),
        missing=None if n >= need else f"Finish {_count(need - n, 'more scenario run')}",
        about_evidence=True,
    )


def _scenario_criteria(evidence: TraineeEvidence, policy: PromotionRules) -> list[Criterion]:
    runs = evidence.scenario_runs
    covered = scenarios.passed_exception_types(runs)
    untried = sorted(set(evidence.exception_types_available) - scenarios.tried_exception_types(runs))
    need_types = policy.exception_types - len(covered)
    senior = scenarios.passed_at(runs, "senior")
    need_senior = policy.senior_difficulty - len(senior)
    last = policy.no_critical_in_last
    critical = scenarios.recent_critical_errors(runs, last)
    recent = scenarios.in_order(runs)[-last:] if last else []
    hint = f" (untried: {', '.join(EXCEPTION_NAMES.get(t, t) for t in untried)})" if untried else ""
    return [
        Criterion(
            key="scenarios.exception_types",
            label=f"A passed scenario in at least {policy.exception_types} exception types",
            met=need_types <= 0,
            observed=f"{len(covered)} of {policy.exception_types}: {', '.join(sorted(covered)) or 'none yet'}",
            evidence=tuple(dict.fromkeys(i for ids in covered.values() for i in ids)),
            missing=None
            if need_types <= 0
            else f"Pass a scenario in {_count(need_types, 'more exception type')}{hint}",
        ),
        Criterion(
            key="scenarios.senior_difficulty",
            label=f"At least {policy.senior_difficulty} scenarios passed at senior difficulty",
            met=need_senior <= 0,
            observed=f"{len(senior)} of {policy.senior_difficulty}",
            evidence=senior,
            missing=None
            if need_senior <= 0
            else f"Pass {_count(need_senior, 'more senior-difficulty scenario')}",
        ),
        Criterion(
            key="scenarios.no_critical",
            label=f"No critical error in the last {last} scenario attempts",
            met=not critical,
            observed=f"{len(critical)} of the last {len(recent)} attempts had a critical error",
            evidence=tuple(r.run_id for r in (critical or recent)),
            missing=None
            if not critical
            else f"Finish scenarios without a critical error until none is among your last {last} attempts",
        ),
    ]


# --- exam ------------------------------------------------------------------------------------------------


def _pass_probability(
    evidence: TraineeEvidence,
    policy: PromotionRules,
    by_domain: dict[str, DomainMastery],
    profile: AbilityProfile,
) -> PassProbability | None:
    weighted = [d for d, w in evidence.blueprint.items() if w > 0]
    if not weighted or any(by_domain[d].ability.n < policy.items_per_domain for d in weighted):
        return None
    items = {d: evidence.items_by_domain.get(d, []) for d in weighted}
    if not all(items.values()):
        return None
    depth = sorted(p.n for d in weighted for p in items[d])
    if depth[len(depth) // 2] < MIN_CALIBRATION_RESPONSES:
        counts = {}
        for domain in weighted:
            answers = evidence.responses_where(lambda item, d=domain: item.domain == d)
            counts[domain] = (sum(r.correct for r in answers), len(answers))
        return percent_correct_probability(
            counts, evidence.blueprint, policy.pass_mark, policy.score_interval
        )
    return pass_probability(profile, evidence.blueprint, items, policy.pass_mark, policy.score_interval)


def _exam_criterion(exam: PassProbability | None, policy: PromotionRules) -> Criterion:
    label = f"Probability of passing a blueprint exam at least {policy.ready_probability:.0%}"
    key = "exam.pass_probability"
    if exam is None:
        return Criterion(
            key=key,
            label=label,
            met=False,
            observed="not estimated until every exam domain has enough answers",
            about_evidence=True,
        )
    met = exam.p >= policy.ready_probability
    observed = (
        f"{exam.p:.0%} (expected score {exam.expected_score:.0%}, "
        f"{exam.score_low:.0%}-{exam.score_high:.0%}; pass mark {exam.pass_mark:.0%})"
    )
    weakest = None if met else "Raise your expected exam score: practise your weakest domains"
    return Criterion(key=key, label=label, met=met, observed=observed, missing=weakest)


# --- next actions ----------------------------------------------------------------------------------------


def _next_actions(
    evidence: TraineeEvidence,
    policy: PromotionRules,
    domains: Sequence[DomainMastery],
    confidence: ConfidenceCalibration,
    criteria: Sequence[Criterion],
) -> list[NextAction]:
    actions = []
    unmet = [c for c in criteria if not c.met]
    if unmet and all(c.key == PROMOTION_KEY for c in unmet):  # practice has done all it can
        actions.append(
            NextAction(
                "promotion-check",
                "Practice meets every other criterion: request a promotion "
                "check, the unseen sitting the decision rests on",
            )
        )
    thin = sorted((m for m in domains if m.ability.n < policy.items_per_domain), key=lambda m: m.ability.n)
    for m in thin[:2]:
        gap = policy.items_per_domain - m.ability.n
        actions.append(
            NextAction("practise-domain", f"Answer about {gap} more questions in {m.domain}", m.domain)
        )
    recent_critical = scenarios.recent_critical_errors(evidence.scenario_runs, policy.no_critical_in_last)
    if recent_critical:
        run = recent_critical[-1]
        errors = "; ".join(run.critical_errors)
        actions.append(
            NextAction(
                "replay-scenario", f"Replay the scenario with a critical error: {errors}", run.scenario_id
            )
        )
    actions += [
        a
        for c in criteria
        if c.key.startswith("dimension.") and not c.met and not c.about_evidence
        if (a := _dimension_action(policy.dimension(c.key.removeprefix("dimension."))))
    ]
    scored = [m for m in domains if m.mastery is not None and m.ability.n >= policy.items_per_domain]
    if scored:
        weakest = min(scored, key=lambda m: m.mastery or 0.0)
        message = f"Practise {weakest.domain}, your weakest domain (mastery {weakest.mastery:.0f}%)"
        actions.append(NextAction("practise-domain", message, weakest.domain))
    if evidence.due_reviews > 0:
        actions.append(NextAction("review", f"Do your {evidence.due_reviews} due reviews"))
    untried = sorted(
        set(evidence.exception_types_available) - scenarios.tried_exception_types(evidence.scenario_runs)
    )
    for exception_type in untried[:3]:
        actions.append(
            NextAction(
                "try-exception-type",
                f"Try a scenario on {EXCEPTION_NAMES.get(exception_type, exception_type)}",
                exception_type,
            )
        )
    if any(c.key == "scenarios.senior_difficulty" and not c.met for c in criteria):
        actions.append(NextAction("senior-scenario", "Attempt a senior-difficulty scenario"))
    if confidence.index is not None and abs(confidence.index) >= policy.confidence_flag_at:
        actions.append(NextAction("confidence", _confidence_message(confidence)))
    return actions


def _dimension_action(rule: DimensionRule) -> NextAction | None:
    """The practice that raises a dimension below its target (knowledge: the weakest-domain action)."""
    name = rule.name.replace("_", " ")
    if rule.item_domains:
        extra = " and calculation questions" if rule.numeric_items else ""
        return NextAction(
            "practise-domain",
            f"Raise {name}: practise {', '.join(rule.item_domains)}{extra}",
            rule.item_domains[0],
        )
    if rule.item_topics:
        return NextAction(
            "practise-topics",
            f"Raise {name}: practise {', '.join(rule.item_topics)}".replace("-", " "),
            ",".join(rule.item_topics),
        )
    if rule.scenario_scores:
        return NextAction("scenarios", f"Raise {name}: work scenarios you have not played yet")
    return None


def _confidence_message(confidence: ConfidenceCalibration) -> str:
    assert confidence.index is not None
    if confidence.index > 0:
        sure = next((lv for lv in confidence.levels if lv.level == "high" and lv.accuracy is not None), None)
        detail = f": right {sure.accuracy:.0%} of the times you were sure" if sure else ""
        return f"You are more confident than your answers bear out{detail}; check before you commit"
    return "You are right more often than you think; trust a worked answer"
