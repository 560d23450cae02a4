"""How figures are shown to people."""

from app.display import probability


def test_probabilities_never_claim_certainty():
    assert probability(1.0) == "over 99%" and probability(0.996) == "over 99%"
    assert probability(0.0) == "under 1%" and probability(0.004) == "under 1%"
    assert probability(0.834) == "83%"
    assert probability(None) == "not shown"


def test_numbers_read_as_a_desk_writes_them():
    from app.display import plural, with_unit

    assert with_unit(23040.0, "$") == "$23,040" and with_unit(65.7, "%") == "65.7%"
    assert with_unit(135.0, "units") == "135 units" and with_unit(50.0, None) == "50"
    assert (
        plural(1, "point") == "1 point"
        and plural(3, "run") == "3 runs"
        and plural(2.5, "point") == "2.5 points"
    )
