"""Exam blueprint parsing, largest-remainder allocation, form drawing, per-domain results, deadline."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.exam import (
    Blueprint,
    DomainResult,
    allocate,
    answer_counts,
    domain_results,
    draw_form,
    parse_blueprint,
)

ROOT = Path(__file__).resolve().parents[2]
WEIGHTS = {"D1": 12, "D2": 14, "D3": 14, "D4": 12, "D5": 9, "D6": 10, "D7": 12, "D8": 8, "D9": 9}
BLUEPRINT = Blueprint(150, timedelta(minutes=210), 10, WEIGHTS)
ALLOCATION_150 = {"D1": 18, "D2": 21, "D3": 21, "D4": 18, "D5": 14, "D6": 15, "D7": 18, "D8": 12, "D9": 13}

VALID = """\
form_length: 150
time_limit_minutes: 210
min_items_per_domain: 10
weights:
  D1: 12
  D2: 14
  D3: 14
  D4: 12
  D5: 9
  D6: 10
  D7: 12
  D8: 8
  D9: 9
"""


def domain_of(item: str) -> str:
    return item.split("-")[0]


def pool_of(sizes: dict[str, int]) -> dict[str, list[str]]:
    return {d: [f"{d}-{i:03d}" for i in range(n)] for d, n in sizes.items()}


# ---- blueprint file


def test_the_shipped_blueprint_parses() -> None:
    text = (ROOT / "content" / "blueprint.yaml").read_text(encoding="utf-8")
    blueprint, problems = parse_blueprint(text, "content/blueprint.yaml")
    assert problems == []
    assert blueprint == BLUEPRINT
    assert blueprint.domains == ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
    assert "not official" in text.lower()


def only_problem(text: str) -> tuple[int, str]:
    blueprint, problems = parse_blueprint(text, "bp.yaml")
    assert blueprint is None
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0].line, problems[0].message


def test_yaml_syntax_error_is_reported_at_yamls_line() -> None:
    line, message = only_problem(VALID.replace("  D3: 14", "  D3: [14"))
    assert message.startswith("blueprint is not valid YAML")
    assert line == 8


def test_weights_must_add_up_to_100() -> None:
    assert only_problem(VALID.replace("D9: 9", "D9: 10")) == (
        4,
        "weights add up to 101, not 100: adjust them",
    )


def test_missing_domain_in_weights() -> None:
    line, message = only_problem(VALID.replace("  D5: 9\n", ""))
    assert line == 4 and message.startswith("weights miss D5")


def test_unknown_domain_in_weights() -> None:
    line, message = only_problem(VALID.replace("  D9: 9\n", "  D9: 0\n  D10: 9\n"))
    assert (line, message) == (14, "unknown domain `D10` in weights: use D1-D9")


def test_weight_that_is_not_a_whole_number() -> None:
    line, message = only_problem(VALID.replace("D6: 10", "D6: ten"))
    assert line == 10 and "weight of D6 must be a whole percent" in message


def test_form_length_must_be_a_positive_whole_number() -> None:
    assert only_problem(VALID.replace("form_length: 150", "form_length: 0"))[0] == 1
    line, message = only_problem(VALID.replace("time_limit_minutes: 210", "time_limit_minutes: 3.5h"))
    assert line == 2 and "`time_limit_minutes` must be a whole number" in message


def test_missing_and_unknown_keys() -> None:
    assert only_problem(VALID.replace("min_items_per_domain: 10\n", ""))[1].startswith(
        "blueprint has no `min_items_per_domain`"
    )
    assert only_problem(VALID + "pass_mark: 70\n") == (
        14,
        "unknown blueprint key `pass_mark`: use form_length, time_limit_minutes, min_items_per_domain, weights",
    )


def test_repeated_key() -> None:
    assert only_problem(VALID + "form_length: 100\n") == (14, "`form_length` is set twice: keep one")


@pytest.mark.parametrize("text", ["", "just text", "- a\n- b\n", "{{{", "a: !!python/object:os.system x"])
def test_unusable_files_are_problems_not_exceptions(text: str) -> None:
    blueprint, problems = parse_blueprint(text, "bp.yaml")
    assert blueprint is None and problems


# ---- allocation


def test_allocation_for_the_default_form() -> None:
    # 150 * 9% = 13.5 for both D5 and D9: the tie goes to the earlier domain.
    assert allocate(BLUEPRINT, 150) == ALLOCATION_150


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 1000))
def test_allocation_sums_to_the_length_and_stays_within_one_of_the_quota(length: int) -> None:
    shares = allocate(BLUEPRINT, length)
    assert sum(shares.values()) == length
    for domain, weight in WEIGHTS.items():
        quota = length * weight / 100
        assert int(quota) <= shares[domain] <= int(quota) + 1


def test_zero_weight_gets_nothing_and_negative_length_is_refused() -> None:
    blueprint = Blueprint(10, timedelta(minutes=10), 1, {**WEIGHTS, "D8": 0, "D9": 17})
    assert allocate(blueprint, 7)["D8"] == 0
    with pytest.raises(ValueError):
        allocate(BLUEPRINT, -1)


# ---- drawing forms


def test_ample_pools_give_the_allocation_without_repeats() -> None:
    form = draw_form(pool_of(dict.fromkeys(WEIGHTS, 40)), BLUEPRINT, 150, set(), random.Random(3))
    assert len(form) == 150 == len(set(form))
    assert Counter(map(domain_of, form)) == ALLOCATION_150


def test_recently_seen_items_are_avoided_while_fresh_ones_remain() -> None:
    pool = pool_of(dict.fromkeys(WEIGHTS, 40))
    seen = {item for items in pool.values() for item in items[:20]}  # 20 fresh items per domain
    form = draw_form(pool, BLUEPRINT, 150, seen, random.Random(5))
    reused = Counter(domain_of(item) for item in form if item in seen)
    # Only D2 and D3 want 21 items: each has to fall back to exactly one seen item.
    assert reused == {"D2": 1, "D3": 1}
    assert Counter(map(domain_of, form)) == ALLOCATION_150


def test_a_small_domain_pool_is_made_up_from_the_others_in_proportion() -> None:
    sizes = dict.fromkeys(WEIGHTS, 40) | {"D5": 2}
    form = draw_form(pool_of(sizes), BLUEPRINT, 150, set(), random.Random(11))
    assert len(form) == 150 == len(set(form))
    # D5 is 12 short; the other weights (sum 91) share the 12 by largest remainder.
    assert Counter(map(domain_of, form)) == {
        "D1": 20,
        "D2": 23,
        "D3": 23,
        "D4": 20,
        "D5": 2,
        "D6": 16,
        "D7": 19,
        "D8": 13,
        "D9": 14,
    }


def test_a_pool_smaller_than_the_form_gives_everything_once() -> None:
    pool = pool_of({"D1": 3, "D4": 5})
    form = draw_form(pool, BLUEPRINT, 150, {"D1-000"}, random.Random(1))
    assert sorted(form) == sorted(pool["D1"] + pool["D4"])


def test_an_item_listed_under_two_domains_is_drawn_once() -> None:
    pool = {"D1": ["shared", "a1"], "D2": ["shared", "b1"]}
    form = draw_form(pool, BLUEPRINT, 4, set(), random.Random(2))
    assert sorted(form) == ["a1", "b1", "shared"]


def test_draws_are_deterministic_for_a_seed_and_ignore_pool_order() -> None:
    pool = pool_of(dict.fromkeys(WEIGHTS, 30))
    reversed_pool = {d: list(reversed(items)) for d, items in reversed(pool.items())}
    first = draw_form(pool, BLUEPRINT, 60, {"D1-001"}, random.Random(42))
    assert draw_form(reversed_pool, BLUEPRINT, 60, {"D1-001"}, random.Random(42)) == first
    assert draw_form(pool, BLUEPRINT, 60, {"D1-001"}, random.Random(43)) != first


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.fixed_dictionaries({d: st.integers(0, 25) for d in WEIGHTS}),
    length=st.integers(0, 160),
    seen_every=st.integers(1, 5),
    seed=st.integers(0, 10**6),
)
def test_forms_never_repeat_and_are_as_long_as_the_pool_allows(
    sizes: dict[str, int], length: int, seen_every: int, seed: int
) -> None:
    pool = pool_of(sizes)
    everything = [item for items in pool.values() for item in items]
    seen = set(everything[::seen_every])
    form = draw_form(pool, BLUEPRINT, length, seen, random.Random(seed))
    assert len(form) == len(set(form)) == min(length, len(everything))
    assert set(form) <= set(everything)
    # A seen item is only used when every fresh item of its domain is in the form already.
    for item in form:
        if item in seen:
            fresh = [i for i in pool[domain_of(item)] if i not in seen]
            assert set(fresh) <= set(form)


# ---- results and deadline


def test_domain_results_sum_credit_and_flag_thin_evidence() -> None:
    items = [("D1", 1.0)] * 9 + [("D1", 0.0)] * 3 + [("D2", 1.0), ("D2", 0.5), ("X9", 1.0)]
    results = domain_results(items, BLUEPRINT)
    assert results[0] == DomainResult("D1", 9.0, 12, too_few=False)
    assert results[1] == DomainResult("D2", 1.5, 2, too_few=True)
    assert results[2] == DomainResult("D3", 0.0, 0, too_few=True)
    assert [r.domain for r in results] == [*WEIGHTS, "X9"]


def test_an_answer_at_or_after_the_deadline_does_not_count() -> None:
    start = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    limit = timedelta(minutes=210)
    assert answer_counts(start, limit, start)
    assert answer_counts(start, limit, start + limit - timedelta(microseconds=1))
    assert not answer_counts(start, limit, start + limit)
    assert not answer_counts(start, limit, start + limit + timedelta(seconds=1))
