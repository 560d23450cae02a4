"""The one rule for showing domain mastery (app/domain/readiness/mastery.py)."""

from app.domain.readiness.mastery import MIN_ANSWERS, shown_mastery


def test_mastery_is_shown_as_a_whole_percent_once_there_is_enough_evidence():
    assert shown_mastery(73.6, MIN_ANSWERS) == 74
    assert shown_mastery(73.4, 40) == 73


def test_too_few_answers_or_no_bank_items_show_nothing_rather_than_a_low_number():
    assert shown_mastery(12.0, MIN_ANSWERS - 1) is None
    assert shown_mastery(None, 40) is None
