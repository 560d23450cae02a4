"""The shown order of options and choices: random per serving, reproducible from its seed."""

from app.domain.exam import band
from app.domain.shuffle import shown_order, token

KEYS = ["A", "B", "C", "D"]


def test_the_same_seed_and_place_give_the_same_order():
    assert shown_order(KEYS, "s1", "3") == shown_order(KEYS, "s1", "3")


def test_orders_vary_across_servings_and_cover_every_position():
    firsts = {shown_order(KEYS, f"seed-{n}", "0")[0] for n in range(40)}
    assert firsts == set(KEYS)  # each option is shown first in some serving


def test_a_pinned_item_keeps_the_authored_order():
    assert shown_order(KEYS, "any", "0", shuffle=False) == KEYS


def test_tokens_are_opaque_and_differ_per_serving():
    assert token("s1", "start/1") != token("s2", "start/1")
    assert "start" not in token("s1", "start/1") and len(token("s1", "start/1")) == 12


def test_a_result_within_the_measurement_error_of_the_cut_is_near():
    assert band(13, 20, 0.65) == "near"  # 65% on 20 items decides nothing
    assert band(19, 20, 0.65) == "above"
    assert band(5, 20, 0.65) == "below"
    assert band(98, 150, 0.65) == "near" and band(120, 150, 0.65) == "above"
