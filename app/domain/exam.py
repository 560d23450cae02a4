"""Practice exams: the blueprint (content/blueprint.yaml), drawing a form, per-domain results, deadline."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml

from .problems import Problem
from .questions import DOMAINS
from .yaml_source import load_with_nodes

REQUIRED_KEYS = ("form_length", "time_limit_minutes", "min_items_per_domain", "weights")
WEIGHT_TOTAL = 100


@dataclass(frozen=True)
class Blueprint:
    form_length: int  # items on a default form
    time_limit: timedelta  # for the default form
    min_items_per_domain: int  # fewer items than this: the domain result is too imprecise
    weights: Mapping[str, int]  # domain -> percent of the form, summing to 100, in D1-D9 order

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self.weights)


@dataclass(frozen=True)
class DomainResult:
    domain: str
    correct: float  # sum of credit (partial credit counts its fraction)
    total: int  # items answered in this domain
    too_few: bool  # total < blueprint.min_items_per_domain: do not read much into it


# --------------------------------------------------------------------------------------------------
# Parsing


def parse_blueprint(text: str, path: str) -> tuple[Blueprint | None, list[Problem]]:
    """Read a blueprint file; return it (None if anything is wrong) and every problem, each at its line."""
    problems: list[Problem] = []
    try:
        data, node = load_with_nodes(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return None, [
            Problem(
                path,
                mark.line + 1 if mark else 1,
                f"blueprint is not valid YAML ({exc.problem or exc.context}): check the "
                "indentation and colons",
            )
        ]
    except Exception as exc:  # PyYAML raises more than YAMLError on hostile input
        return None, [Problem(path, 1, f"blueprint is not valid YAML ({exc})")]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 1, "blueprint must be `key: value` lines: " + ", ".join(REQUIRED_KEYS))]
    entries = _entries(node, path, problems)
    for key, (key_line, _) in entries.items():
        if key not in REQUIRED_KEYS:
            problems.append(
                Problem(path, key_line, f"unknown blueprint key `{key}`: use " + ", ".join(REQUIRED_KEYS))
            )
    for key in REQUIRED_KEYS:
        if key not in entries:
            problems.append(
                Problem(path, 1, f"blueprint has no `{key}`: add it (see content/blueprint.yaml)")
            )
    length = _count(data, entries, "form_length", 1, path, problems)
    minutes = _count(data, entries, "time_limit_minutes", 1, path, problems)
    minimum = _count(data, entries, "min_items_per_domain", 0, path, problems)
    weights = _weights(data.get("weights"), entries.get("weights"), node, path, problems)
    if problems or length is None or minutes is None or minimum is None or weights is None:
        return None, sorted(problems, key=lambda p: p.line)
    return Blueprint(length, timedelta(minutes=minutes), minimum, weights), []


def _entries(node: yaml.MappingNode, path: str, problems: list[Problem]) -> dict[str, tuple[int, int]]:
    """key -> (key line, value line), 1-based; a repeated key is reported."""
    entries: dict[str, tuple[int, int]] = {}
    for key_node, value_node in node.value:
        key, line = str(key_node.value), key_node.start_mark.line + 1
        if key in entries:
            problems.append(Problem(path, line, f"`{key}` is set twice: keep one"))
            continue
        entries[key] = (line, value_node.start_mark.line + 1)
    return entries


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(
    data: dict[Any, Any],
    entries: dict[str, tuple[int, int]],
    key: str,
    least: int,
    path: str,
    problems: list[Problem],
) -> int | None:
    if key not in entries:
        return None
    value = data.get(key)
    if not _is_int(value) or value < least:
        problems.append(
            Problem(
                path, entries[key][1], f"`{key}` must be a whole number of at least {least}, not `{value}`"
            )
        )
        return None
    return value


def _weights(
    value: Any, at: tuple[int, int] | None, root: yaml.MappingNode, path: str, problems: list[Problem]
) -> dict[str, int] | None:
    """Weights per domain: every domain D1-D9 listed, whole percentages, adding up to 100."""
    if at is None:
        return None
    node = next(v for k, v in root.value if str(k.value) == "weights")
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
        problems.append(
            Problem(
                path,
                at[0],
                "`weights` must list each domain with its percent, like `D1: 12` on its own indented line",
            )
        )
        return None
    before = len(problems)
    lines = _entries(node, path, problems)
    for domain, (key_line, value_line) in lines.items():
        if domain not in DOMAINS:
            problems.append(Problem(path, key_line, f"unknown domain `{domain}` in weights: use D1-D9"))
        elif not _is_int(value.get(domain)) or value[domain] < 0:
            problems.append(
                Problem(
                    path,
                    value_line,
                    f"weight of {domain} must be a whole percent (0 or more), not `{value.get(domain)}`",
                )
            )
    missing = [d for d in DOMAINS if d not in lines]
    if missing:
        problems.append(
            Problem(
                path,
                at[0],
                f"weights miss {', '.join(missing)}: list every domain D1-D9, 0 for one that is not examined",
            )
        )
    if len(problems) > before:
        return None
    total = sum(value[d] for d in DOMAINS)
    if total != WEIGHT_TOTAL:
        problems.append(Problem(path, at[0], f"weights add up to {total}, not {WEIGHT_TOTAL}: adjust them"))
        return None
    return {d: value[d] for d in DOMAINS}


# --------------------------------------------------------------------------------------------------
# Forms


def allocate(blueprint: Blueprint, length: int) -> dict[str, int]:
    """Items per domain for a form of `length`, by the largest-remainder method.

    Each domain first gets floor(length * weight / total); the items left over go one each to the
    domains with the largest remainders, ties to the larger weight, then to the earlier domain (D1
    before D9). The counts always add up to `length`; a 0-weight domain gets nothing.
    """
    if length < 0:
        raise ValueError(f"a form cannot have {length} items")
    return _largest_remainder(blueprint.weights, length)


def _largest_remainder(weights: Mapping[str, int], seats: int) -> dict[str, int]:
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("the weights add up to nothing: cannot share items out")
    shares = {d: seats * w // total for d, w in weights.items()}
    order = list(weights)
    by_remainder = sorted(order, key=lambda d: (-(seats * weights[d] % total), -weights[d], order.index(d)))
    for domain in by_remainder[: seats - sum(shares.values())]:
        shares[domain] += 1
    return shares


def draw_form(
    pool: Mapping[str, Sequence[str]],
    blueprint: Blueprint,
    length: int,
    recently_seen: Collection[str],
    rng: random.Random,
    sets: Mapping[str, str] | None = None,
) -> list[str]:
    """Draw `length` distinct item ids for a practice exam, shuffled.

    Rules, in order:
    1. Each domain gets its `allocate` share.
    2. Within a domain, items not recently seen come first (in random order), then recently seen ones.
    3. When a domain's pool (seen or not) is smaller than its share, the missing items are shared out
       over the domains that still have items, in proportion to their weights (largest remainder),
       repeatedly until the form is full or every pool is used up; the form is then shorter.
    4. An id listed under several domains appears once. Domains with weight 0 are not drawn from.
    5. At most one item of each set (`sets` maps an id to its set name): siblings share a case and
       could give each other away. An item skipped for its set is never drawn.
    The result is the same for the same arguments and a `rng` seeded the same way (pools are sorted
    before shuffling, so their order does not matter).
    """
    seen = set(recently_seen)
    queues = {d: _queue(pool.get(d, ()), seen, rng) for d, w in blueprint.weights.items() if w > 0}
    taken: list[str] = []
    chosen: set[str] = set()
    set_of = dict(sets or {})
    wanted = allocate(blueprint, length)
    while True:
        for domain, count in wanted.items():
            _take(queues.get(domain, []), count, taken, chosen, set_of)
        missing = length - len(taken)
        open_domains = {d: blueprint.weights[d] for d, q in queues.items() if _remaining(q, chosen)}
        if missing <= 0 or not open_domains:
            break
        wanted = _largest_remainder(open_domains, missing)
    rng.shuffle(taken)
    return taken


def _queue(items: Iterable[str], seen: set[str], rng: random.Random) -> list[str]:
    """Draw order for one domain: fresh items shuffled, then recently seen ones shuffled."""
    unique = sorted(set(items))
    fresh = [i for i in unique if i not in seen]
    stale = [i for i in unique if i in seen]
    rng.shuffle(fresh)
    rng.shuffle(stale)
    return fresh + stale


def _take(
    queue: list[str], count: int, taken: list[str], chosen: set[str], set_of: Mapping[str, str]
) -> None:
    while count > 0 and queue:
        item = queue.pop(0)
        if item in chosen:
            continue
        chosen.add(item)
        if item in set_of:
            name = f"set:{set_of[item]}"
            if name in chosen:
                continue
            chosen.add(name)
        taken.append(item)
        count -= 1


def _remaining(queue: list[str], chosen: set[str]) -> bool:
    return any(item not in chosen for item in queue)


# --------------------------------------------------------------------------------------------------
# Results and timing


def domain_results(items: Iterable[tuple[str, float]], blueprint: Blueprint) -> list[DomainResult]:
    """Per-domain correct/total from (domain, credit) pairs, one result per blueprint domain in order
    (including those with no items), then any other domain met in `items`, sorted.

    `too_few` marks a result built on fewer than `min_items_per_domain` items: per-area scores from
    few items are imprecise and the report must say so.
    """
    correct: dict[str, float] = dict.fromkeys(blueprint.domains, 0.0)
    total: dict[str, int] = dict.fromkeys(blueprint.domains, 0)
    extra: set[str] = set()
    for domain, credit in items:
        if domain not in correct:
            extra.add(domain)
        correct[domain] = correct.get(domain, 0.0) + credit
        total[domain] = total.get(domain, 0) + 1
    order = list(blueprint.domains) + sorted(extra)
    return [DomainResult(d, correct[d], total[d], total[d] < blueprint.min_items_per_domain) for d in order]


def answer_counts(started_at: datetime, time_limit: timedelta, answered_at: datetime) -> bool:
    """Whether an answer counts: it must reach the server strictly before started_at + time_limit.

    The deadline is the server's; an answer at the deadline or after it does not count, whatever the
    browser's timer said.
    """
    return answered_at < started_at + time_limit


def band(correct: float, total: int, cut: float) -> str:
    """Where a score stands against the cut, honest about few items: "above", "below" or "near".

    "near" when the score is within 1.96 standard errors of the cut (binomial SE at the cut for
    `total` items): with that many items the result cannot tell which side the trainee is on.
    """
    if total <= 0:
        return "near"
    margin = 1.96 * math.sqrt(cut * (1 - cut) / total)
    proportion = correct / total
    if proportion >= cut + margin:
        return "above"
    if proportion <= cut - margin:
        return "below"
    return "near"


@dataclass(frozen=True)
class CheckDraw:
    """A promotion-check form, or the shortfall that stopped it: domain -> (needed, available)."""

    items: list[str]
    shortfall: dict[str, tuple[int, int]]


def draw_check_form(
    pool: Mapping[str, Sequence[str]],
    exposure: Mapping[str, int],
    blueprint: Blueprint,
    length: int,
    rng: random.Random,
    sets: Mapping[str, str] | None = None,
) -> CheckDraw:
    """Draw a secure form from `pool` (domain -> items the trainee has never been served).

    Rules: each domain gets exactly its `allocate` share (no spill-over: a check keeps the blueprint);
    within a domain the least exposed items come first (`exposure`: how many earlier checks used the item),
    ties in random order; at most one item per set. A domain that cannot fill its share makes no form:
    the shortfall is returned instead, so the app can say so rather than reuse items.
    """
    set_of = dict(sets or {})
    items: list[str] = []
    shortfall: dict[str, tuple[int, int]] = {}
    for domain, count in allocate(blueprint, length).items():
        candidates = sorted(set(pool.get(domain, ())))
        rng.shuffle(candidates)
        candidates.sort(key=lambda item: exposure.get(item, 0))
        chosen: set[str] = set()
        taken = []
        for item in candidates:
            name = set_of.get(item)
            if name and name in chosen:
                continue
            if name:
                chosen.add(name)
            taken.append(item)
        if len(taken) < count:
            shortfall[domain] = (count, len(taken))
        items += taken[:count]
    if shortfall:
        return CheckDraw([], shortfall)
    rng.shuffle(items)
    return CheckDraw(items, {})
