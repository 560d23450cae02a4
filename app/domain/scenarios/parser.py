"""Parse a scenario Markdown file (docs/authoring-scenarios.md) into a ScenarioSpec plus every problem found.

The parser never raises: each problem is reported at its 1-based line and parsing carries on, so an
author sees everything at once. A ScenarioSpec is returned whenever the front matter could be read,
even when there are errors (lint can then report more); callers use it only when no problem is
an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..markdown_render import unsafe_html
from ..problems import Problem, Severity
from .conditions import NUMBER, VARIABLE, WORD, ConditionError, Value, parse_condition, parse_number
from .front_matter import KEBAB, Meta, check_meta, load_yaml, split_front_matter, variable_types
from .model import (
    DIMENSIONS,
    FUNCTIONS,
    OUTCOMES,
    Card,
    Choice,
    Effect,
    Node,
    NodeKind,
    RubricItem,
    ScenarioSpec,
)
from .variants import placeholders

LINE_BREAK = re.compile(r"\r\n|\r|\n")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING_1 = re.compile(r"^#[ \t]+(.*?)[ \t]*$")
CARD_HEADING = re.compile(r"^##[ \t]+(.*?)[ \t]*$")
NODE_HEADING = re.compile(
    r"^(?:(?P<kind>(?i:ending|write-?up)):[ \t]*)?(?P<title>.*?)[ \t]*"
    r"(?:\{#(?P<id>[^}]*)\})?$"
)
NODE_ATTRIBUTE = re.compile(r"^([a-z][a-z_]*):[ \t]*(.*)$")
LIST_ITEM = re.compile(r"^[-*][ \t]+(.*)$")
CHOICE = re.compile(r"^[-*][ \t]+(?P<text>.*?)[ \t]*->[ \t]*(?P<target>\S*)[ \t]*$")
CHOICE_ATTRIBUTE = re.compile(r"^[ \t]+([a-z][a-z_-]*):[ \t]*(.*)$")
RUBRIC_POINTS = re.compile(
    r"^(?P<text>.*?)[ \t]*\((?P<points>\d+(?:\.\d+)?)[ \t]*(?:points?|pts?)\)[ \t]*\.?$"
)
EFFECT = re.compile(r"^(?P<var>\S+?)\s*(?P<op>[=+-])\s*(?P<value>.*)$")
SCORE = re.compile(r"^(?P<dim>[A-Za-z_]+)\s*(?P<delta>[+-]?\s*\d+(?:\.\d+)?)$")
ATTRIBUTE_SPLIT = re.compile(r"\s+[·|]\s+|\s*·\s*")

CHOICE_KEYS = ("effects", "score", "critical", "involves", "if", "feedback")
NODE_KEYS = {
    NodeKind.DECISION: ("repeatable",),
    NodeKind.WRITE_UP: ("next", "effects"),
    NodeKind.ENDING: ("outcome", "kpi"),
}
WRITE_UP_CHOICE_TEXT = "Submit the write-up"
YES = ("yes", "true")
NO = ("no", "false")


@dataclass
class _Section:
    """A `#` heading and the lines under it, as (1-based line, text)."""

    line: int
    heading: str
    body: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _ChoiceDraft:
    line: int
    text: str
    target: str
    attributes: dict[str, tuple[int, str]] = field(default_factory=dict)
    last_key: str | None = None
    indent: int = 0  # of the attribute lines; deeper lines continue the previous value
    broken: bool = False  # a list item without `-> target`: reported, keeps its place, not offered


def _strip_blank_edges(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    start, end = 0, len(lines)
    while start < end and not lines[start][1].strip():
        start += 1
    while end > start and not lines[end - 1][1].strip():
        end -= 1
    return lines[start:end]


def _markdown(lines: list[tuple[int, str]]) -> str:
    return "\n".join(text.rstrip() for _, text in _strip_blank_edges(lines))


def _split_sections(numbered: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[_Section]]:
    """Split the body at level-1 headings outside code fences: (lines before any heading, sections)."""
    preamble: list[tuple[int, str]] = []
    sections: list[_Section] = []
    in_fence = False
    for number, text in numbered:
        if FENCE.match(text):
            in_fence = not in_fence
        heading = None if in_fence else HEADING_1.match(text)
        if heading:
            sections.append(_Section(number, heading.group(1)))
        elif sections:
            sections[-1].body.append((number, text))
        else:
            preamble.append((number, text))
    return preamble, sections


class _BodyParser:
    """Turns the sections under the front matter into cards and nodes, collecting problems."""

    def __init__(self, path: str, meta: Meta):
        self.path = path
        self.meta = meta
        self.types = variable_types(meta.state)
        self.problems: list[Problem] = []
        self.briefing = ""
        self.cards: list[Card] = []
        self.nodes: list[Node] = []
        self.case_file_line: int | None = None
        self.node_lines: dict[str, int] = {}

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    # -- sections ---------------------------------------------------------------------------

    def section(self, section: _Section) -> None:
        heading = NODE_HEADING.match(section.heading)
        assert heading is not None  # every part of the pattern is optional
        title, node_id, kind = heading.group("title"), heading.group("id"), heading.group("kind")
        if kind is None and title.lower() == "case file":
            self.case_file(section)
            return
        if node_id is None or not node_id.strip():
            self.error(
                section.line, f"node heading {section.heading!r} has no id: write `# Title {{#some-id}}`"
            )
            return
        node_id = node_id.strip()
        if not KEBAB.fullmatch(node_id):
            self.error(section.line, f"node id {node_id!r} must be lowercase kebab-case (a-z, 0-9, -)")
        if node_id in self.node_lines:
            self.error(
                section.line, f"duplicate node id {node_id!r} (first used at line {self.node_lines[node_id]})"
            )
        else:
            self.node_lines[node_id] = section.line
        if not title:
            self.error(section.line, f"node {node_id!r} has no title before {{#{node_id}}}")
        node_kind = NodeKind.DECISION
        if kind is not None:
            node_kind = NodeKind.ENDING if kind.lower() == "ending" else NodeKind.WRITE_UP
        attributes, body = self.node_attributes(section, node_kind)
        if node_kind == NodeKind.ENDING:
            self.nodes.append(self.ending(section, node_id, title, attributes, body))
        elif node_kind == NodeKind.WRITE_UP:
            self.nodes.append(self.write_up(section, node_id, title, attributes, body))
        else:
            self.nodes.append(self.decision(section, node_id, title, attributes, body))

    def case_file(self, section: _Section) -> None:
        if self.case_file_line is not None:
            self.error(section.line, f"a second `# Case file` (the first is at line {self.case_file_line})")
            return
        self.case_file_line = section.line
        intro: list[tuple[int, str]] = []
        current: tuple[int, str, list[tuple[int, str]]] | None = None
        in_fence = False
        for number, text in section.body:
            if FENCE.match(text):
                in_fence = not in_fence
            heading = None if in_fence else CARD_HEADING.match(text)
            if heading:
                if current is not None:
                    self.cards.append(Card(current[1], _markdown(current[2]), current[0]))
                current = (number, heading.group(1), [])
                if not heading.group(1):
                    self.error(number, "case-file card heading `##` has no title")
            elif current is None:
                intro.append((number, text))
            else:
                current[2].append((number, text))
        if current is not None:
            self.cards.append(Card(current[1], _markdown(current[2]), current[0]))
        self.briefing = _markdown(intro)
        if not self.cards:
            self.warning(section.line, "the case file has no `## ...` cards")

    def node_attributes(
        self, section: _Section, kind: str
    ) -> tuple[dict[str, tuple[int, str]], list[tuple[int, str]]]:
        """Read `key: value` lines right after the heading (parts may share a line, split by `·`)."""
        attributes: dict[str, tuple[int, str]] = {}
        index = 0
        while index < len(section.body) and NODE_ATTRIBUTE.match(section.body[index][1]):
            number, text = section.body[index]
            for part in ATTRIBUTE_SPLIT.split(text.strip()):
                match = NODE_ATTRIBUTE.match(part.strip())
                if not match:
                    self.error(number, f"cannot read {part.strip()!r}: write `key: value`")
                    continue
                key, value = match.groups()
                allowed = NODE_KEYS[kind]
                if key not in allowed:
                    self.error(
                        number, f"unknown {kind} attribute {key!r}; a {kind} node takes: {', '.join(allowed)}"
                    )
                elif key in attributes:
                    self.error(number, f"{key!r} given twice")
                else:
                    attributes[key] = (number, value.strip())
            index += 1
        return attributes, section.body[index:]

    # -- node kinds -------------------------------------------------------------------------

    def ending(
        self,
        section: _Section,
        node_id: str,
        title: str,
        attributes: dict[str, tuple[int, str]],
        body: list[tuple[int, str]],
    ) -> Node:
        outcome = None
        if "outcome" not in attributes:
            self.error(section.line, f"ending {node_id!r} needs `outcome: good|mixed|bad` on the next line")
        else:
            number, value = attributes["outcome"]
            if value in OUTCOMES:
                outcome = value
            else:
                self.error(number, f"unknown outcome {value!r}; use one of: {', '.join(OUTCOMES)}")
        kpis: list[tuple[str, str]] = []
        if "kpi" in attributes:
            number, value = attributes["kpi"]
            for part in filter(None, (p.strip() for p in value.split(";"))):
                name, equals, result = part.partition("=")
                if not equals or not name.strip() or not result.strip():
                    self.error(number, f"cannot read KPI {part!r}: write `name = value`, separated by `;`")
                else:
                    kpis.append((name.strip(), result.strip()))
        for number, text in body:
            if CHOICE.match(text):
                self.error(number, f"ending {node_id!r} cannot have choices: the run stops here")
        return Node(
            node_id,
            NodeKind.ENDING,
            title,
            _markdown(body),
            outcome=outcome,
            kpis=tuple(kpis),
            line=section.line,
        )

    def write_up(
        self,
        section: _Section,
        node_id: str,
        title: str,
        attributes: dict[str, tuple[int, str]],
        body: list[tuple[int, str]],
    ) -> Node:
        # The rubric is the final list of the section; everything above it is the prompt.
        split = len(body)
        while split > 0 and (
            LIST_ITEM.match(body[split - 1][1]) or body[split - 1][1][:1] in (" ", "\t", "")
        ):
            split -= 1
        while split < len(body) and not LIST_ITEM.match(body[split][1]):
            split += 1  # blank or indented lines before the first item belong to the prompt
        prompt = body[:split]
        raw_items: list[tuple[int, str]] = []
        for number, text in body[split:]:
            item = LIST_ITEM.match(text)
            if item:
                raw_items.append((number, item.group(1).strip()))
            elif text.strip():
                raw_items[-1] = (raw_items[-1][0], f"{raw_items[-1][1]} {text.strip()}")
        items: list[RubricItem] = []
        for number, text in raw_items:
            points = RUBRIC_POINTS.match(text)
            if points is None:
                self.error(number, "rubric item needs its points at the end, e.g. `(2 points)`")
            else:
                items.append(RubricItem(points.group("text"), parse_number(points.group("points")), number))
        if not items:
            self.error(
                section.line, f"write-up {node_id!r} needs a rubric: list items ending in `(N points)`"
            )
        choices: tuple[Choice, ...] = ()
        if "next" not in attributes:
            self.error(
                section.line, f"write-up {node_id!r} needs `next: node-id` on the line after the heading"
            )
        else:
            number, target = attributes["next"]
            effects = self.effects(*attributes["effects"]) if "effects" in attributes else ()
            choices = (Choice(f"{node_id}/next", WRITE_UP_CHOICE_TEXT, target, effects=effects, line=number),)
        return Node(
            node_id,
            NodeKind.WRITE_UP,
            title,
            _markdown(prompt),
            choices=choices,
            rubric=tuple(items),
            line=section.line,
        )

    def decision(
        self,
        section: _Section,
        node_id: str,
        title: str,
        attributes: dict[str, tuple[int, str]],
        body: list[tuple[int, str]],
    ) -> Node:
        repeatable = False
        if "repeatable" in attributes:
            number, value = attributes["repeatable"]
            if value.lower() not in YES + NO:
                self.error(number, f"repeatable must be yes or no, not {value!r}")
            repeatable = value.lower() in YES
        narrative: list[tuple[int, str]] = []
        drafts: list[_ChoiceDraft] = []
        for index, (number, text) in enumerate(body):
            choice = CHOICE.match(text)
            if choice:
                drafts.append(_ChoiceDraft(number, choice.group("text"), choice.group("target")))
                continue
            if drafts and LIST_ITEM.match(text):
                self.error(number, "list item among the choices has no `-> target-id`")
                drafts.append(_ChoiceDraft(number, text, "", broken=True))
                continue
            if not drafts:
                narrative.append((number, text))
                if LIST_ITEM.match(text) and index + 1 < len(body):
                    following = CHOICE_ATTRIBUTE.match(body[index + 1][1])
                    if following and following.group(1) in CHOICE_KEYS:
                        self.error(number, "this looks like a choice but has no `-> target-id` at the end")
                continue
            if not text.strip():
                continue
            self.choice_line(drafts[-1], number, text)
        choices = tuple(self.choice(node_id, n, d) for n, d in enumerate(drafts, 1) if not d.broken)
        return Node(
            node_id,
            NodeKind.DECISION,
            title,
            _markdown(narrative),
            choices=choices,
            repeatable=repeatable,
            line=section.line,
        )

    # -- choices ----------------------------------------------------------------------------

    def choice_line(self, draft: _ChoiceDraft, number: int, text: str) -> None:
        """An indented `key: value` under a choice, or a wrapped continuation of the previous value.

        A line indented further than the attribute lines always continues the previous value, so
        wrapped feedback may contain `word:` safely.
        """
        indent = len(text) - len(text.lstrip())
        if indent == 0:
            self.error(
                number,
                "text after the choices: put narrative before the first choice, "
                "or indent it under a choice as an attribute",
            )
            return
        attribute = CHOICE_ATTRIBUTE.match(text)
        if draft.last_key is not None and (indent > draft.indent or attribute is None):
            # Feedback is Markdown and keeps its line breaks; other values are joined with a space.
            line, value = draft.attributes[draft.last_key]
            joiner = "\n" if draft.last_key == "feedback" else " "
            draft.attributes[draft.last_key] = (line, f"{value}{joiner}{text.strip()}")
        elif attribute is None:
            self.error(number, f"indented text under a choice must be an attribute: {', '.join(CHOICE_KEYS)}")
        elif attribute.group(1) not in CHOICE_KEYS:
            self.error(
                number,
                f"unknown choice attribute {attribute.group(1)!r}; a choice takes: {', '.join(CHOICE_KEYS)}",
            )
        elif attribute.group(1) in draft.attributes:
            self.error(number, f"{attribute.group(1)!r} given twice for this choice")
        else:
            draft.attributes[attribute.group(1)] = (number, attribute.group(2).strip())
            draft.last_key = attribute.group(1)
            draft.indent = indent

    def choice(self, node_id: str, position: int, draft: _ChoiceDraft) -> Choice:
        attrs = draft.attributes
        if not draft.text:
            self.error(draft.line, "choice has no text before `->`")
        if not draft.target:
            self.error(draft.line, "choice has no target node id after `->`")
        effects = self.effects(*attrs["effects"]) if "effects" in attrs else ()
        score = self.score(*attrs["score"]) if "score" in attrs else ()
        involves = self.involves(*attrs["involves"]) if "involves" in attrs else ()
        condition, condition_text = None, ""
        if "if" in attrs:
            number, condition_text = attrs["if"]
            try:
                condition = parse_condition(condition_text, self.types)
            except ConditionError as exc:
                self.error(number, f"if: {exc}")
                condition_text = ""
        critical = None
        if "critical" in attrs:
            number, critical = attrs["critical"]
            if not critical:
                self.error(number, "critical: needs a label saying what the error was")
                critical = None
        feedback = attrs["feedback"][1] if "feedback" in attrs else ""
        return Choice(
            f"{node_id}/{position}",
            draft.text,
            draft.target,
            effects=effects,
            score=score,
            critical=critical,
            involves=involves,
            condition_text=condition_text,
            feedback=feedback,
            condition=condition,
            line=draft.line,
        )

    def effects(self, number: int, text: str) -> tuple[Effect, ...]:
        effects: list[Effect] = []
        parts = [p.strip() for p in text.split(";") if p.strip()]
        if not parts:
            self.error(number, "effects: is empty; write e.g. `hours + 1; hold_status = released`")
        for part in parts:
            match = EFFECT.match(part)
            if not match:
                self.error(
                    number, f"effects: cannot read {part!r}; write `var = value`, `var + n` or `var - n`"
                )
                continue
            name, op, raw = match.group("var"), match.group("op"), match.group("value").strip()
            if not VARIABLE.fullmatch(name) or name not in self.types:
                known = ", ".join(sorted(self.types)) or "none declared"
                self.error(
                    number,
                    f"effects: unknown variable {name!r} (declare it under state:; state has: {known})",
                )
                continue
            value: Value
            if NUMBER.fullmatch(raw):
                value = parse_number(raw)
            elif WORD.fullmatch(raw) and op == "=":
                value = raw
            else:
                self.error(
                    number, f"effects: cannot read {part!r}; write `var = value`, `var + n` or `var - n`"
                )
                continue
            is_word_var = self.types[name] is str
            if op != "=" and is_word_var:
                self.error(number, f"effects: {name!r} holds a word; set it with `{name} = word`")
            elif is_word_var and not isinstance(value, str):
                self.error(number, f"effects: {name!r} holds a word, not the number {raw}")
            elif not is_word_var and isinstance(value, str):
                self.error(number, f"effects: {name!r} holds a number, not the word {raw!r}")
            else:
                effects.append(Effect(name, op, value))
        return tuple(effects)

    def score(self, number: int, text: str) -> tuple[tuple[str, float], ...]:
        deltas: list[tuple[str, float]] = []
        for part in (p.strip() for p in text.split(",")):
            match = SCORE.match(part)
            if not match:
                self.error(number, f"score: cannot read {part!r}; write `dimension +n`, e.g. `accuracy +10`")
                continue
            dimension = match.group("dim")
            if dimension not in DIMENSIONS:
                self.error(
                    number, f"score: unknown dimension {dimension!r}; use one of: {', '.join(DIMENSIONS)}"
                )
            elif self.meta.rubric and dimension not in self.meta.rubric:
                self.error(number, f"score: dimension {dimension!r} is not in this scenario's rubric")
            else:
                deltas.append((dimension, parse_number(match.group("delta").replace(" ", "").lstrip("+"))))
        return tuple(deltas)

    def involves(self, number: int, text: str) -> tuple[str, ...]:
        functions: list[str] = []
        for name in (p.strip() for p in text.split(",")):
            if name not in FUNCTIONS:
                self.error(number, f"involves: unknown function {name!r}; use one of: {', '.join(FUNCTIONS)}")
            elif name not in functions:
                functions.append(name)
        return tuple(functions)


def parse_scenario(text: str, path: str) -> tuple[ScenarioSpec | None, list[Problem]]:
    """Parse one scenario file; returns (scenario or None, problems sorted by line). Never raises."""
    lines = LINE_BREAK.split(text.removeprefix("\ufeff"))
    problems = [
        Problem(path, offset + 1, message)
        for offset, line in enumerate(lines)
        for _, message in unsafe_html(line)
    ]
    fences = split_front_matter(lines)
    if fences is None:
        problems.append(Problem(path, 1, "a scenario starts with YAML front matter between `---` lines"))
        return None, sorted(problems)
    first, end = fences
    data, key_lines, yaml_problems = load_yaml("\n".join(lines[first:end]), first + 1)
    problems.extend(Problem(path, line, message) for line, message in yaml_problems)
    if data is None and yaml_problems:
        return None, sorted(problems)
    meta, meta_problems = check_meta(path, data, key_lines, first + 1)
    problems.extend(meta_problems)
    if not isinstance(data, dict):
        return None, sorted(problems)

    body = _BodyParser(path, meta)
    preamble, sections = _split_sections([(n, lines[n - 1]) for n in range(end + 2, len(lines) + 1)])
    stray = _strip_blank_edges(preamble)
    if stray:
        body.error(
            stray[0][0],
            "text before the first `#` heading belongs nowhere: move it under `# Case file` or into a node",
        )
    for section in sections:
        body.section(section)
    problems.extend(body.problems)

    start = meta.start or (body.nodes[0].id if body.nodes else "")
    if not body.nodes:
        problems.append(Problem(path, len(lines), "the scenario has no nodes: add `# Title {#id}` sections"))
    elif meta.start and meta.start not in body.node_lines:
        problems.append(Problem(path, key_lines.get("start", 1), f"start: no node has the id {meta.start!r}"))
    scenario = ScenarioSpec(
        id=meta.id,
        title=meta.title,
        exception_types=meta.exception_types,
        domains=meta.domains,
        topics=meta.topics,
        difficulty=meta.difficulty,
        order_value=meta.order_value,
        customer_tier=meta.customer_tier,
        functions=meta.functions,
        initial_state=meta.state,
        rubric=meta.rubric,
        pass_mark=meta.pass_mark,
        critical_cap=meta.critical_cap,
        time_budget_hours=meta.time_budget_hours,
        seconds_per_decision=meta.seconds_per_decision,
        allow_back=meta.allow_back,
        start=start,
        briefing=body.briefing,
        cards=tuple(body.cards),
        nodes=tuple(body.nodes),
        path=path,
        lines=key_lines,
        variants=meta.variants,
    )
    problems.extend(_placeholder_problems(lines, end, meta, path))
    return scenario, sorted(problems)


def _placeholder_problems(lines: list[str], end: int, meta: Meta, path: str) -> list[Problem]:
    """Every `{{name}}` in the text must name a parameter or derived figure of `variants:`."""
    known = meta.variants.names if meta.variants else frozenset()
    problems = []
    for number in range(end + 2, len(lines) + 1):
        for name in placeholders(lines[number - 1]):
            if name not in known:
                hint = (
                    "declare it under variants: parameters or derived"
                    if meta.variants
                    else "add a `variants:` section to the front matter that declares it"
                )
                problems.append(Problem(path, number, f"placeholder {{{{{name}}}}} names no figure: {hint}"))
    return problems
