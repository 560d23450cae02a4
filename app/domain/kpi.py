"""Order-management KPI formulas (the "KPI formulas" of the domain reference), to check metric questions.

Rates come back as percentages (0-100); a rate over nothing (no orders, no lines) is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class OrderOutcome:
    """How one order did against the four perfect-order criteria."""

    on_time: bool  # against the chosen date: request (strictest), original commit or latest schedule
    in_full: bool  # complete: every line in full, no substitution or backorder
    damage_free: bool
    accurate_documents: bool

    @property
    def perfect(self) -> bool:
        return self.on_time and self.in_full and self.damage_free and self.accurate_documents


@dataclass(frozen=True)
class OrderLine:
    """One order line as shipped (measured at first shipment for the usual fill rates)."""

    order_id: str
    units_ordered: float
    units_shipped: float  # of the item ordered, or of an accepted substitute
    on_time: bool = True
    substituted: bool = False

    def __post_init__(self) -> None:
        if self.units_ordered <= 0 or self.units_shipped < 0:
            raise ValueError(
                f"order {self.order_id!r}: a line needs units ordered > 0 and units shipped >= 0, "
                f"got {self.units_ordered} and {self.units_shipped}"
            )

    @property
    def in_full(self) -> bool:
        """Filled completely: the full quantity of the item ordered, not a substitute."""
        return self.units_shipped >= self.units_ordered and not self.substituted


@dataclass(frozen=True)
class OrderTimeline:
    """When an order was received, became clean (free of all holds) and was accepted by the customer."""

    received: date
    clean: date  # equal to `received` for an order that never sat on a hold
    accepted: date

    def __post_init__(self) -> None:
        if not self.received <= self.clean <= self.accepted:
            raise ValueError(
                f"order times must run received <= clean <= accepted, got {self.received}, "
                f"{self.clean}, {self.accepted}"
            )


@dataclass(frozen=True)
class ServiceCase:
    """A customer-service case: its first contact, and the customer's next contact on the same issue."""

    opened: date
    resolved_on_first_contact: bool
    next_contact: date | None = None

    def __post_init__(self) -> None:
        if self.next_contact is not None and self.next_contact < self.opened:
            raise ValueError(f"next contact {self.next_contact} is before the case opened on {self.opened}")


class OnTimeInFull(Protocol):
    """Anything OTIF can be measured on: an `OrderOutcome` (order level) or an `OrderLine` (line level)."""

    @property
    def on_time(self) -> bool: ...

    @property
    def in_full(self) -> bool: ...


def perfect_order_index(
    on_time: float, in_full: float, damage_free: float, accurate_documents: float
) -> float:
    """APQC perfect order index: the product of the four component rates x 100.

    On-time rate x complete (in-full) rate x damage-free rate x accurate-documents rate, each a
    fraction (95 % is 0.95). Multiplying treats the criteria as independent: it understates
    the true share of perfect orders when failures cluster on the same orders (one late order is also
    short and mis-invoiced) and overstates it when each failing order fails one criterion only.
    `perfect_order_ratio` counts perfect orders directly.
    """
    rates = {
        "on_time": on_time,
        "in_full": in_full,
        "damage_free": damage_free,
        "accurate_documents": accurate_documents,
    }
    for name, rate in rates.items():
        if not 0 <= rate <= 1:
            raise ValueError(f"{name} rate {rate} is not a fraction from 0 to 1 (95 % is 0.95)")
    return on_time * in_full * damage_free * accurate_documents * 100


def perfect_order_index_from_orders(orders: Sequence[OrderOutcome]) -> float | None:
    """`perfect_order_index` of the four component rates measured on `orders`."""
    if not orders:
        return None
    n = len(orders)
    return perfect_order_index(
        sum(o.on_time for o in orders) / n,
        sum(o.in_full for o in orders) / n,
        sum(o.damage_free for o in orders) / n,
        sum(o.accurate_documents for o in orders) / n,
    )


def perfect_order_ratio(orders: Sequence[OrderOutcome]) -> float | None:
    """SCOR-style perfect order ratio: orders perfect on every criterion / all orders x 100."""
    return _percent(sum(o.perfect for o in orders), len(orders))


def otif(records: Sequence[OnTimeInFull]) -> float | None:
    """On time in full: records both on time and in full / all records x 100.

    Pass `OrderOutcome`s for the order level or `OrderLine`s for the line level; `otif_by_order`
    derives the order level from lines.
    """
    return _percent(sum(r.on_time and r.in_full for r in records), len(records))


def otif_by_order(lines: Iterable[OrderLine]) -> float | None:
    """Order-level OTIF from lines: an order counts when every one of its lines is on time and in full."""
    orders = _group_by_order(lines)
    return _percent(
        sum(all(line.on_time and line.in_full for line in ls) for ls in orders.values()), len(orders)
    )


def line_fill_rate(lines: Sequence[OrderLine]) -> float | None:
    """Lines filled completely (full quantity, no substitute) / lines x 100."""
    return _percent(sum(line.in_full for line in lines), len(lines))


def order_fill_rate(lines: Iterable[OrderLine]) -> float | None:
    """Orders filled completely, with no substitution or backorder on any line / orders x 100."""
    orders = _group_by_order(lines)
    return _percent(sum(all(line.in_full for line in ls) for ls in orders.values()), len(orders))


def unit_fill_rate(lines: Sequence[OrderLine]) -> float | None:
    """Units shipped / units ordered x 100.

    A line's over-shipment is capped at its ordered quantity, so surplus on one line cannot hide a
    shortage on another.
    """
    ordered = sum(line.units_ordered for line in lines)
    if not ordered:
        return None
    return sum(min(line.units_shipped, line.units_ordered) for line in lines) / ordered * 100


def dso(accounts_receivable: float, annual_sales: float, days_in_year: int = 365) -> float | None:
    """Days sales outstanding: accounts receivable / (annual sales / 365). None when there were no sales."""
    if accounts_receivable < 0 or annual_sales < 0:
        raise ValueError(
            f"receivables ({accounts_receivable}) and annual sales ({annual_sales}) cannot be negative"
        )
    if annual_sales == 0:
        return None
    return accounts_receivable / (annual_sales / days_in_year)


def average_order_cycle_time(orders: Sequence[OrderTimeline]) -> timedelta | None:
    """Order fulfilment cycle time: mean of (customer acceptance - order receipt).

    Works with dates or datetimes; the result is exact to the microsecond.
    """
    return _mean_timedelta([o.accepted - o.received for o in orders])


def average_clean_order_gap(orders: Sequence[OrderTimeline]) -> timedelta | None:
    """Mean of (clean order date - order receipt): how long holds kept orders from being worked."""
    return _mean_timedelta([o.clean - o.received for o in orders])


def first_contact_resolution(
    cases: Sequence[ServiceCase], *, window_business_days: int = 10, holidays: Iterable[date] = ()
) -> float | None:
    """Cases resolved on first contact with no repeat within 10 business days / cases x 100.

    A next contact is a repeat when it falls on one of the `window_business_days` business days
    (Monday-Friday, less `holidays`) after the opening day, or on the opening day itself: a case
    opened on Monday 6 January 2025 is repeated by a contact up to Monday 20 January, not by one on
    the 21st.
    """
    holiday_days = np.array([np.datetime64(d, "D") for d in holidays], dtype="datetime64[D]")

    def repeated(case: ServiceCase) -> bool:
        if case.next_contact is None:
            return False
        opened = np.datetime64(case.opened, "D")
        after = np.busday_count(opened + 1, np.datetime64(case.next_contact, "D") + 1, holidays=holiday_days)
        return bool(after <= window_business_days)

    return _percent(sum(c.resolved_on_first_contact and not repeated(c) for c in cases), len(cases))


def _percent(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def _mean_timedelta(spans: list[timedelta]) -> timedelta | None:
    return sum(spans, timedelta()) / len(spans) if spans else None


def _group_by_order(lines: Iterable[OrderLine]) -> dict[str, list[OrderLine]]:
    orders: dict[str, list[OrderLine]] = {}
    for line in lines:
        orders.setdefault(line.order_id, []).append(line)
    return orders
