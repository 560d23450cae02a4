"""Readiness for senior promotion: item calibration, abilities, pass probability, the policy and verdict.

Pure: values in, values out (no Flask, no database, no clock). The pieces, in the order data flows:
- calibration.calibrate: item parameters (2PL, Rasch until an item has enough answers) from all answers;
- ability.estimate: one trainee's ability on one domain's answers, recency-weighted, with its se;
- exam.pass_probability: P(expected score on a blueprint form >= pass mark), with a score interval;
- scenarios: rolling scenario dimension scores, critical errors, coverage;
- confidence.calibration_index: over/under-confidence from certainty answers;
- promotion_rules.parse_promotion_rules: the trainers' promotion policy (content/policy/promotion.yaml) and its linter;
- verdict.assess: the verdict, every criterion with its evidence, and next best actions.
The model and its validation are described in docs/readiness.md.
"""

from .ability import Ability, estimate
from .calibration import CalibrationResponse, calibrate
from .confidence import ConfidenceCalibration, calibration_index
from .evidence import BankItem, GivenAnswer, ScenarioRun, TraineeEvidence
from .exam import PassProbability, pass_probability
from .irt import ItemParams
from .promotion_rules import Level, PromotionRules, parse_promotion_rules
from .verdict import Criterion, NextAction, Readiness, Verdict, assess

__all__ = [
    "Ability",
    "BankItem",
    "CalibrationResponse",
    "ConfidenceCalibration",
    "Criterion",
    "ItemParams",
    "Level",
    "NextAction",
    "PassProbability",
    "PromotionRules",
    "Readiness",
    "GivenAnswer",
    "ScenarioRun",
    "TraineeEvidence",
    "Verdict",
    "assess",
    "calibrate",
    "calibration_index",
    "estimate",
    "parse_promotion_rules",
    "pass_probability",
]
