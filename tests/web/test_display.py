"""How figures are shown to people."""

from app import probability


def test_probabilities_never_claim_certainty():
    assert probability(1.0) == "over 99%" and probability(0.996) == "over 99%"
    assert probability(0.0) == "under 1%" and probability(0.004) == "under 1%"
    assert probability(0.834) == "83%"
    assert probability(None) == "not shown"
