"""The optional `---` YAML block at the top of a question file: the file-wide domain, topics and reference."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from ..problems import Problem
from ..yaml_source import load_with_nodes
from .syntax import HEADING
from .types import DOMAINS, FRONT_MATTER_KEYS, TOPIC_PATTERN


@dataclass(frozen=True)
class Defaults:
    """File-wide defaults from the front matter; `broken` when it had errors."""

    domain: str | None = None
    topics: tuple[str, ...] = ()
    reference: str | None = None
    broken: bool = False


def _yaml_error(exc: Exception, first_line: int) -> tuple[int, str]:
    """(file line, message) for a YAML failure; `first_line` is the file line of YAML line 0."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        what = exc.problem or exc.context or "syntax error"
        return line, f"front matter is not valid YAML ({what}): check the indentation, colons and quotes"
    return first_line, f"front matter is not valid YAML ({exc}): check the indentation, colons and quotes"


def _key_lines(node: yaml.Node | None, first_line: int) -> dict[str, list[int]]:
    """File lines of each top-level key (a list, so a repeated key is visible)."""
    lines: dict[str, list[int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            lines.setdefault(str(key_node.value), []).append(first_line + key_node.start_mark.line)
    return lines


def parse_front_matter(lines: list[str], path: str, problems: list[Problem]) -> tuple[Defaults, int]:
    """Read the optional `---` YAML block at the top; return the defaults and the first body index."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != "---":
        return Defaults(), 0
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problems.append(Problem(path, start + 1, "front matter is not closed: end it with a line `---`"))
        # Without the closing line nobody knows where the YAML ends; resume at the first question.
        body = next((i for i in range(start + 1, len(lines)) if HEADING.match(lines[i])), len(lines))
        return Defaults(broken=True), body
    first_line = start + 2  # file line of the first YAML line
    found: list[Problem] = []
    try:
        data, node = load_with_nodes("\n".join(lines[start + 1 : end]))
    except Exception as exc:  # PyYAML raises more than YAMLError on hostile input (bad dates, recursion)
        line, message = _yaml_error(exc, first_line)
        problems.append(Problem(path, line, message))
        return Defaults(broken=True), end + 1
    defaults = _check_front_matter(data, _key_lines(node, first_line), path, start + 1, found)
    problems.extend(found)
    return (Defaults(broken=True) if found else defaults), end + 1


def _check_front_matter(
    data: Any, key_lines: dict[str, list[int]], path: str, fence_line: int, problems: list[Problem]
) -> Defaults:
    """The defaults the front matter sets; each problem is added at the line of its key."""
    if data is None:
        return Defaults()
    if not isinstance(data, dict):
        problems.append(
            Problem(
                path, fence_line + 1, "front matter must be `key: value` lines (domain, topics, reference)"
            )
        )
        return Defaults()
    _check_keys(key_lines, path, problems)

    def report(key: str, message: str) -> None:
        problems.append(Problem(path, key_lines.get(key, [fence_line])[0], message))

    return Defaults(
        _front_domain(data.get("domain"), report),
        _front_topics(data.get("topics"), report),
        _front_reference(data.get("reference"), report),
    )


def _check_keys(key_lines: dict[str, list[int]], path: str, problems: list[Problem]) -> None:
    """Each key once, and only the three known ones."""
    for key, key_at in key_lines.items():
        if len(key_at) > 1:
            problems.append(Problem(path, key_at[1], f"`{key}` is set twice in the front matter: keep one"))
        if key not in FRONT_MATTER_KEYS:
            problems.append(
                Problem(path, key_at[0], f"unknown front matter key `{key}`: use domain, topics or reference")
            )


def _front_domain(domain: Any, report: Callable[[str, str], None]) -> str | None:
    if domain is None:
        return None
    if not isinstance(domain, str) or domain.upper() not in DOMAINS:
        report("domain", unknown_domain(domain))
        return None
    return domain.upper()


def _front_topics(raw_topics: Any, report: Callable[[str, str], None]) -> tuple[str, ...]:
    """A YAML list of words, or one comma-separated string of them."""
    if isinstance(raw_topics, str):
        raw_topics = [t.strip() for t in raw_topics.split(",") if t.strip()]
    if raw_topics is None:
        return ()
    if not (isinstance(raw_topics, list) and all(isinstance(t, str) for t in raw_topics)):
        report("topics", "topics must be a list of words, like `topics: [credit-check, escalation]`")
        return ()
    topics = tuple(raw_topics)
    for message in topic_problems(topics):
        report("topics", message)
    return topics


def _front_reference(reference: Any, report: Callable[[str, str], None]) -> str | None:
    if reference is not None and not isinstance(reference, str):
        report("reference", "reference must be text: put it in quotes")
        return None
    return reference.strip() if reference else None


def unknown_domain(value: object) -> str:
    return f"unknown domain `{value}`: use one of D1-D9 (the taxonomy in docs/authoring-questions.md)"


def topic_problems(topics: Iterable[str]) -> list[str]:
    return [
        f"topic `{t}` is not kebab-case: use lowercase words joined by hyphens, like `credit-check`"
        for t in topics
        if not TOPIC_PATTERN.fullmatch(t)
    ]
