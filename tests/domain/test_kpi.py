"""KPI formulas against hand-worked metric examples."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.kpi import (
    OrderLine,
    OrderOutcome,
    OrderTimeline,
    ServiceCase,
    average_clean_order_gap,
    average_order_cycle_time,
    dso,
    first_contact_resolution,
    line_fill_rate,
    order_fill_rate,
    otif,
    otif_by_order,
    perfect_order_index,
    perfect_order_index_from_orders,
    perfect_order_ratio,
    unit_fill_rate,
)

PERFECT = OrderOutcome(True, True, True, True)


def test_perfect_order_index_by_hand():
    # .95 x .98 = .931; x .99 = .92169; x .97 = .8940393 -> 89.40393
    assert perfect_order_index(0.95, 0.98, 0.99, 0.97) == pytest.approx(89.40393)
    assert perfect_order_index(1, 1, 1, 1) == 100
    with pytest.raises(ValueError, match="95 % is 0.95"):
        perfect_order_index(95, 0.98, 0.99, 0.97)


def test_clustered_failures_index_understates_the_ratio():
    # Ten orders; order 1 is late, short, damaged and mis-invoiced; nine are perfect.
    # Each component rate is 9/10, so the index is .9^4 x 100 = 65.61, but 9 of 10 orders were perfect: 90.
    orders = [OrderOutcome(False, False, False, False)] + [PERFECT] * 9
    assert perfect_order_index_from_orders(orders) == pytest.approx(65.61)
    assert perfect_order_ratio(orders) == pytest.approx(90.0)


def test_spread_failures_index_overstates_the_ratio():
    # Ten orders; orders 1-4 each fail a different criterion. Rates are again 9/10 each: index 65.61,
    # but only 6 of 10 orders were perfect: 60.
    orders = [
        OrderOutcome(False, True, True, True),
        OrderOutcome(True, False, True, True),
        OrderOutcome(True, True, False, True),
        OrderOutcome(True, True, True, False),
    ] + [PERFECT] * 6
    assert perfect_order_index_from_orders(orders) == pytest.approx(65.61)
    assert perfect_order_ratio(orders) == pytest.approx(60.0)


def test_otif_order_level_from_outcomes():
    # On time and in full: orders 1 and 4 of 4 -> 50
    orders = [
        PERFECT,
        OrderOutcome(True, False, True, True),
        OrderOutcome(False, True, True, True),
        OrderOutcome(True, True, False, False),  # damage and documents do not count for OTIF
    ]
    assert otif(orders) == 50.0


# Four orders, six lines:
LINES = [
    OrderLine("O1", 10, 10),  # in full, on time
    OrderLine("O1", 5, 5),  # in full, on time
    OrderLine("O2", 10, 8),  # short
    OrderLine("O2", 4, 4, on_time=False),  # in full, late
    OrderLine("O3", 6, 6, substituted=True),  # quantity met by a substitute: not filled
    OrderLine("O4", 3, 4, on_time=False),  # over-shipped: in full, late
]


def test_fill_rates_by_hand():
    # Lines in full: O1 x2, O2 second line, O4 = 4 of 6 -> 66.67
    assert line_fill_rate(LINES) == pytest.approx(400 / 6)
    # Orders with every line in full: O1 and O4 = 2 of 4 -> 50
    assert order_fill_rate(LINES) == 50.0
    # Units: ordered 10 + 5 + 10 + 4 + 6 + 3 = 38; shipped 10 + 5 + 8 + 4 + 6 + 3 (O4's 4 capped at 3) = 36
    assert unit_fill_rate(LINES) == pytest.approx(3600 / 38)


def test_otif_line_and_order_level_from_lines():
    # Lines on time and in full: the two O1 lines = 2 of 6 -> 33.33
    assert otif(LINES) == pytest.approx(200 / 6)
    # Orders with every line on time and in full: O1 only = 1 of 4 -> 25
    assert otif_by_order(LINES) == 25.0


def test_rates_over_nothing_are_none():
    assert perfect_order_ratio([]) is None
    assert perfect_order_index_from_orders([]) is None
    assert otif([]) is None
    assert otif_by_order([]) is None
    assert line_fill_rate([]) is None
    assert order_fill_rate([]) is None
    assert unit_fill_rate([]) is None
    assert first_contact_resolution([]) is None
    assert average_order_cycle_time([]) is None
    assert average_clean_order_gap([]) is None


def test_order_line_rejects_impossible_quantities():
    with pytest.raises(ValueError, match="'O9'"):
        OrderLine("O9", 0, 0)
    with pytest.raises(ValueError):
        OrderLine("O9", 5, -1)


def test_dso_by_hand():
    # Annual sales 14.6 M / 365 = 40,000 a day; receivables 1.2 M / 40,000 = 30 days
    assert dso(1_200_000, 14_600_000) == pytest.approx(30.0)
    # On a 360-day year: 14.4 M / 360 = 40,000 a day -> 30 days
    assert dso(1_200_000, 14_400_000, days_in_year=360) == pytest.approx(30.0)
    assert dso(1_000, 0) is None
    with pytest.raises(ValueError):
        dso(-1, 100)


def test_cycle_time_and_clean_order_gap_by_hand():
    # Cycle times 4, 7 and 7 days -> 18 / 3 = 6 days; holds kept orders 0, 2 and 3 days -> 5/3 = 1 day 16 h
    orders = [
        OrderTimeline(date(2025, 1, 6), date(2025, 1, 6), date(2025, 1, 10)),
        OrderTimeline(date(2025, 1, 6), date(2025, 1, 8), date(2025, 1, 13)),
        OrderTimeline(date(2025, 1, 7), date(2025, 1, 10), date(2025, 1, 14)),
    ]
    assert average_order_cycle_time(orders) == timedelta(days=6)
    assert average_clean_order_gap(orders) == timedelta(days=1, hours=16)


def test_cycle_time_with_datetimes():
    # 6 h and 3 h -> 4.5 h; clean after 2 h and 0 h -> 1 h
    orders = [
        OrderTimeline(datetime(2025, 1, 6, 8), datetime(2025, 1, 6, 10), datetime(2025, 1, 6, 14)),
        OrderTimeline(datetime(2025, 1, 6, 9), datetime(2025, 1, 6, 9), datetime(2025, 1, 6, 12)),
    ]
    assert average_order_cycle_time(orders) == timedelta(hours=4, minutes=30)
    assert average_clean_order_gap(orders) == timedelta(hours=1)


def test_order_timeline_must_run_forwards():
    with pytest.raises(ValueError, match="received <= clean <= accepted"):
        OrderTimeline(date(2025, 1, 8), date(2025, 1, 7), date(2025, 1, 9))


def test_first_contact_resolution_by_hand():
    monday = date(2025, 1, 6)
    cases = [
        ServiceCase(monday, True),  # resolved, never came back: counts
        ServiceCase(monday, True, date(2025, 1, 20)),  # back on the 10th business day after: a repeat
        ServiceCase(monday, True, date(2025, 1, 21)),  # back on the 11th: counts
        ServiceCase(monday, False),  # not resolved on first contact
        # Opened on a Saturday: Friday the 17th is the 10th business day after, a repeat.
        ServiceCase(date(2025, 1, 4), True, date(2025, 1, 17)),
    ]
    # 2 of 5 -> 40
    assert first_contact_resolution(cases) == 40.0
    # With 13 January a holiday the 21st becomes business day 10: 1 of 5 -> 20
    assert first_contact_resolution(cases, holidays=[date(2025, 1, 13)]) == 20.0
    # A 5-business-day window: the 20th (day 10) is no longer a repeat, nor is the 17th: 4 of 5 -> 80
    assert first_contact_resolution(cases, window_business_days=5) == 80.0


def test_same_day_repeat_is_a_repeat():
    monday = date(2025, 1, 6)
    assert first_contact_resolution([ServiceCase(monday, True, monday)]) == 0.0
    with pytest.raises(ValueError, match="before the case opened"):
        ServiceCase(monday, True, date(2025, 1, 3))


outcomes = st.builds(OrderOutcome, st.booleans(), st.booleans(), st.booleans(), st.booleans())


@given(st.lists(outcomes, min_size=1, max_size=40))
def test_perfect_order_ratio_within_the_frechet_bounds(orders):
    # P(all four) lies between max(0, 1 - sum of failure rates) and the lowest component rate.
    n = len(orders)
    rates = [
        sum(o.on_time for o in orders) / n,
        sum(o.in_full for o in orders) / n,
        sum(o.damage_free for o in orders) / n,
        sum(o.accurate_documents for o in orders) / n,
    ]
    ratio = perfect_order_ratio(orders)
    assert max(0.0, 1 - sum(1 - r for r in rates)) * 100 - 1e-9 <= ratio <= min(rates) * 100 + 1e-9


# Failing orders that each fail exactly one criterion (0 = perfect, 1-4 = which criterion failed).
one_failure_each = st.lists(st.integers(0, 4), min_size=1, max_size=40).map(
    lambda fails: [OrderOutcome(*(f != c for c in (1, 2, 3, 4))) for f in fails]
)
# Failures nested: an order failing criterion j also fails every criterion before it.
nested_failures = st.lists(st.integers(0, 4), min_size=1, max_size=40).map(
    lambda depth: [OrderOutcome(*(d < c for c in (1, 2, 3, 4))) for d in depth]
)


@given(one_failure_each)
def test_index_is_at_least_the_ratio_when_no_order_fails_twice(orders):
    assert perfect_order_ratio(orders) <= perfect_order_index_from_orders(orders) + 1e-9


@given(nested_failures)
def test_index_is_at_most_the_ratio_when_failures_cluster(orders):
    assert perfect_order_index_from_orders(orders) <= perfect_order_ratio(orders) + 1e-9
