"""The one clock the web layer reads. Views call `clock.now()`; the domain never reads a clock (it is
given `now`), and tests that need time to pass replace `now` here, in one place."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)
