"""Readiness for senior promotion: item calibration, abilities, pass probability, the policy and verdict.

Pure: values in, values out (no Flask, no database, no clock). The pieces, in the order data flows:
- calibration.calibrate: item parameters (2PL, Rasch until an item has enough answers) from all answers;
- ability.estimate: one trainee's ability on one domain's answers, recency-weighted, with its se;
- exam.pass_probability: P(expected score on a blueprint form >= pass mark), with a score interval;
- scenarios: rolling scenario dimension scores, critical errors, coverage;
- confidence.calibration_index: over/under-confidence from certainty answers;
- promotion_rules.parse_promotion_rules: the trainers' promotion policy (content/policy/promotion.yaml) and its linter;
- verdict.assess: the verdict, every criterion with its evidence, and next best actions;
- results: what an assessment produces (Readiness, Verdict, DomainMastery, ...), stored.py its JSON form.
The model and its validation are described in docs/readiness.md.

Import from the modules, not from this package: it imports none of them, so that code which only shows a
stored result (results, stored, mastery.shown_mastery, promotion_rules) never loads numpy and scipy,
which the model's modules (ability, calibration, exam, irt, profile, evidence, verdict) need.
"""
