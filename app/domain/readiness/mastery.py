"""Domain mastery: the one definition that the readiness report, the trainer's dashboard and the mastery
CSV all show (docs/readiness.md, "Mastery by domain").

Mastery of a domain is the trainee's expected percent correct on the domain's bank items, given the
ability estimated from their first answers (reviews and replays train memory and are not counted). A
page shows it as a whole percent once at least MIN_ANSWERS distinct questions of the domain were
answered; with fewer it shows "too little evidence", never a low number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from .results import DomainMastery

if TYPE_CHECKING:  # the model's types, for annotations only: shown_mastery is used without numpy
    from .irt import ItemParams
    from .profile import AbilityProfile

MIN_ANSWERS = 5  # distinct questions answered in a domain before its mastery is shown


def domain_mastery(
    items_by_domain: Mapping[str, Sequence[ItemParams]],
    interval: float,
    profile: AbilityProfile,
    answer_ids: Mapping[str, tuple[str, ...]],
) -> list[DomainMastery]:
    """Each profiled domain's mastery with its central `interval`; None for a domain without bank items."""
    result = []
    for domain in profile.domains:
        items = items_by_domain.get(domain, [])
        mastery: tuple[float | None, ...] = (None, None, None)
        if items:
            mean, low, high = profile.expected_score(domain, items, interval)
            mastery = (100 * mean, 100 * low, 100 * high)
        result.append(DomainMastery(domain, profile.ability(domain), *mastery, answer_ids[domain]))
    return result


def shown_mastery(mastery: float | None, answered: int) -> int | None:
    """The mastery a page shows, as a whole percent, or None ("too little evidence") while fewer than
    MIN_ANSWERS distinct questions of the domain were answered or the domain has no bank items."""
    if mastery is None or answered < MIN_ANSWERS:
        return None
    return round(mastery)
