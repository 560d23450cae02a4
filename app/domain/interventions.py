"""Who needs a trainer now, and why: the intervention queue's rules, thresholds from the promotion policy.

Rules (each trainee can meet several; the queue shows one line per rule met):
- stalled: no activity for more than `stalled_days` days, or never practised;
- at-risk: the pass probability fell by at least `pass_drop` since last week's snapshot;
- critical-errors: at least `critical_errors` critical errors in recent scenario runs;
- overconfident: right at least `overconfidence` less often than their certainty claims. The figure is
  only present once the trainee has enough certainty answers to judge (readiness decides that).
A flag a trainer marked handled leaves the queue for `handled_days`; if it still holds then, it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.readiness.promotion_rules import InterventionRules


@dataclass(frozen=True)
class TraineeSignals:
    """What the queue looks at for one trainee."""

    last_activity: datetime | None
    pass_drop: float | None  # fall in P(pass) since last week (positive = fell); None without two snapshots
    critical_recent: int
    overconfidence: float | None


@dataclass(frozen=True)
class Flag:
    kind: str  # stalled | at-risk | critical-errors | overconfident
    reason: str


def flags(signals: TraineeSignals, rules: InterventionRules, now: datetime) -> list[Flag]:
    found = []
    last = signals.last_activity
    if last is None:
        found.append(Flag("stalled", "Never practised."))
    elif now - last > timedelta(days=rules.stalled_days):
        days = (now - last).days
        found.append(Flag("stalled", f"No activity for {days} day{'' if days == 1 else 's'}."))
    if signals.pass_drop is not None and signals.pass_drop >= rules.pass_drop:
        found.append(Flag("at-risk", f"Pass probability fell {signals.pass_drop:.0%} since last week."))
    if signals.critical_recent >= rules.critical_errors:
        found.append(
            Flag("critical-errors", f"{signals.critical_recent} critical errors in recent scenario runs.")
        )
    if signals.overconfidence is not None and signals.overconfidence >= rules.overconfidence:
        found.append(
            Flag(
                "overconfident",
                f"Right {signals.overconfidence:.0%} less often than their certainty "
                "claims: slow down on 'Certain' answers.",
            )
        )
    return found


def still_handled(handled_at: datetime | None, rules: InterventionRules, now: datetime) -> bool:
    """True while a trainer's "handled" mark keeps a flag out of the queue."""
    return handled_at is not None and now - handled_at < timedelta(days=rules.handled_days)
