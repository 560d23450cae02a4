"""Item-writing checks: cues that let a trainee score without knowledge, and the bank report.

Rules (docs/item-writing.md):
- a single-answer key more than 20% longer (in visible characters) than every distractor is a length cue;
- a scenario decision whose expert choice is the longest of its choices is a length cue;
- an item whose heading, stem or explanation contains the key of another item of its file or set gives
  that answer away (keys of at least three words and 16 characters, compared without case or punctuation;
  a short-answer item's keys are its full-credit answers; matching items have no single key and no
  length cue, since every prompt is offered the same answer column);
- an import placeholder left in an item is an error: it must be written before publishing;
- every topic comes from the controlled vocabulary (content/topics.yaml).
All warnings except the placeholder and vocabulary errors, reported at the item's heading or the choice.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from .interchange.drafts import NO_EXPLANATION, NO_RATIONALE
from .problems import Problem, Severity
from .questions import DOMAINS, TOPIC_PATTERN, QuestionSpec, QuestionType
from .scenarios import Analysis, ScenarioSpec
from .scenarios.variants import fill
from .testwise import visible_length

LENGTH_CUE_RATIO = 1.2  # the key more than 20% longer than every distractor
CUE_RATE_LIMIT = 0.10  # the bank report flags a domain where more than 10% of items carry a length cue
_WORDS = re.compile(r"[a-z0-9$%.,]+")


def has_length_cue(question: QuestionSpec) -> bool:
    """A single-answer key longer than every distractor by more than LENGTH_CUE_RATIO."""
    if question.type is not QuestionType.SINGLE or len(question.options) < 2:
        return False
    key = [visible_length(o.text) for o in question.options if o.correct]
    others = [visible_length(o.text) for o in question.options if not o.correct]
    return bool(key and others) and key[0] > LENGTH_CUE_RATIO * max(others)


def key_is_longest(question: QuestionSpec) -> bool:
    if question.type is not QuestionType.SINGLE or len(question.options) < 2:
        return False
    key = next(visible_length(o.text) for o in question.options if o.correct)
    return key >= max(visible_length(o.text) for o in question.options if not o.correct)


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def question_cues(questions: Sequence[QuestionSpec]) -> list[Problem]:
    """Length cues, sibling giveaways and import placeholders over the whole bank."""
    problems: list[Problem] = []
    groups: dict[str, list[QuestionSpec]] = defaultdict(list)
    for question in questions:
        groups[f"file:{question.path}"].append(question)
        if question.item_set:
            groups[f"set:{question.item_set}"].append(question)
        if has_length_cue(question):
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    f"length cue: the key of {question.id} is more than 20% longer than every distractor; a "
                    "test-wise trainee picks it unread. Make the options parallel and move detail into the rationale",
                    Severity.WARNING,
                )
            )
        for option in question.options:
            if NO_RATIONALE in option.rationale:
                problems.append(
                    Problem(
                        question.path,
                        option.line,
                        "import placeholder left in a rationale: write why this option is right or wrong",
                    )
                )
        if NO_EXPLANATION in question.explanation:
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    "import placeholder left as the explanation: write the explanation",
                )
            )
    reported: set[tuple[str, str]] = set()
    for members in groups.values():
        problems += _sibling_leaks(members, reported)
    return problems


def _sibling_leaks(members: Sequence[QuestionSpec], reported: set[tuple[str, str]]) -> list[Problem]:
    keys = {}
    for q in members:
        if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            for option in q.options:
                text = _normal(option.text)
                if option.correct and len(text) >= 16 and len(text.split()) >= 3:
                    keys.setdefault(q.id, []).append(text)
        elif q.type is QuestionType.SHORT:  # a full-credit answer is the key a sibling must not state
            for accepted in q.accepted:
                text = _normal(accepted.text)
                if accepted.credit == 1.0 and len(text) >= 16 and len(text.split()) >= 3:
                    keys.setdefault(q.id, []).append(text)
    problems = []
    for q in members:
        shown = _normal(" ".join((q.prompt, q.stem, q.explanation)))
        for other in members:
            if other is q or (q.id, other.id) in reported:
                continue
            if any(key in shown for key in keys.get(other.id, [])):
                reported.add((q.id, other.id))
                problems.append(
                    Problem(
                        q.path,
                        q.line,
                        f"{q.id} states the answer of {other.id} ({other.path}:{other.line}) in its heading, stem or "
                        "explanation: reword it, or serve them apart with `set:`",
                        Severity.WARNING,
                    )
                )
    return problems


def scenario_cues(scenario: ScenarioSpec, analysis: Analysis) -> list[Problem]:
    """A warning at each expert choice that is the longest choice of its decision (measured with the figures
    of one variant filled in, as a trainee reads them)."""
    values = scenario.variants.draw("lint") if scenario.variants else {}
    problems = []
    for ref in analysis.max_score_path:
        choice = scenario.choice(ref)
        node = scenario.node(ref.split("/")[0]) if choice is not None else None
        if node is None or len(node.choices) < 2:
            continue
        lengths = {c.ref: visible_length(fill(c.text, values)) for c in node.choices}
        if lengths[ref] == max(lengths.values()) and list(lengths.values()).count(lengths[ref]) == 1:
            problems.append(
                Problem(
                    scenario.path,
                    choice.line,
                    f"length cue: the expert choice {ref} is the longest at its decision; write choices of parallel "
                    "length and put the reasoning in feedback",
                    Severity.WARNING,
                )
            )
    return problems


# --------------------------------------------------------------------------------------------------
# The controlled topic vocabulary


def parse_vocabulary(text: str, path: str) -> tuple[dict[str, tuple[str, ...]] | None, list[Problem]]:
    """content/topics.yaml: domain -> list of kebab-case topics; a topic listed twice is an error."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [
            Problem(path, mark.line + 1 if mark else 1, f"topic vocabulary is not valid YAML: {exc}")
        ]
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        return None, [
            Problem(
                path, 1, "the topic vocabulary lists topics under each domain: `D1:` then `- topic` lines"
            )
        ]
    problems, seen, vocabulary = [], {}, {}
    lines = text.splitlines()

    def line_of(topic: str) -> int:
        return next((n for n, line in enumerate(lines, 1) if line.strip() == f"- {topic}"), 1)

    for domain, topics in data.items():
        if domain not in DOMAINS:
            problems.append(Problem(path, 1, f"unknown domain `{domain}` in the topic vocabulary: use D1-D9"))
            continue
        for topic in topics:
            topic = str(topic)
            if not TOPIC_PATTERN.fullmatch(topic):
                problems.append(Problem(path, line_of(topic), f"topic `{topic}` is not kebab-case"))
            elif topic in seen:
                problems.append(
                    Problem(
                        path, line_of(topic), f"topic `{topic}` is listed twice ({seen[topic]} and {domain})"
                    )
                )
            seen.setdefault(topic, domain)
        vocabulary[domain] = tuple(str(t) for t in topics)
    return (None if problems else vocabulary), problems


def vocabulary_problems(
    vocabulary: Mapping[str, Sequence[str]],
    questions: Iterable[QuestionSpec],
    scenarios: Iterable[ScenarioSpec],
    policy_topics: Iterable[tuple[str, str, int]] = (),
) -> list[Problem]:
    """An error for every topic not in the vocabulary; `policy_topics` are (topic, path, line)."""
    known = {t for topics in vocabulary.values() for t in topics}
    hint = "add it to content/topics.yaml or use a listed topic"
    problems = []
    for q in questions:
        problems += [
            Problem(q.path, q.line, f"topic `{t}` of {q.id} is not in the topic vocabulary: {hint}")
            for t in q.topics
            if t not in known
        ]
    for s in scenarios:
        problems += [
            Problem(s.path, s.lines.get("topics", 1), f"topic `{t}` is not in the topic vocabulary: {hint}")
            for t in s.topics
            if t not in known
        ]
    problems += [
        Problem(path, line, f"topic `{t}` is not in the topic vocabulary: {hint}")
        for t, path, line in policy_topics
        if t not in known
    ]
    return problems


# --------------------------------------------------------------------------------------------------
# The bank report


@dataclass
class DomainReport:
    domain: str
    items: int = 0
    practice: int = 0
    reserve: int = 0
    four_option_single: int = 0
    key_positions: Counter = field(default_factory=Counter)  # file-order letter of single-answer keys
    key_longest: int = 0
    length_cues: int = 0
    true_false: Counter = field(default_factory=Counter)  # True / False keys
    multiple_keys: Counter = field(default_factory=Counter)  # letters correct in multiple response
    needed: int = 0  # 4 times the blueprint's share of a full form

    @property
    def singles(self) -> int:
        return sum(self.key_positions.values())

    @property
    def cue_rate(self) -> float:
        return self.length_cues / self.singles if self.singles else 0.0


def bank_report(
    questions: Iterable[QuestionSpec], weights: Mapping[str, int], form_length: int, forms: int = 4
) -> list[DomainReport]:
    """Per domain: size against `forms` x the blueprint share, the reserve, and the cue statistics."""
    reports = {d: DomainReport(d, needed=-(-forms * form_length * weights.get(d, 0) // 100)) for d in DOMAINS}
    for q in questions:
        r = reports[q.domain]
        r.items += 1
        r.reserve += q.pool == "reserve"
        r.practice += q.pool != "reserve"
        if q.type is QuestionType.SINGLE:
            r.four_option_single += len(q.options) == 4
            r.key_positions[next(o.key for o in q.options if o.correct)] += 1
            r.key_longest += key_is_longest(q)
            r.length_cues += has_length_cue(q)
        elif q.type is QuestionType.TRUE_FALSE:
            r.true_false[next(o.text for o in q.options if o.correct).strip().capitalize()] += 1
        elif q.type is QuestionType.MULTIPLE:
            r.multiple_keys.update(o.key for o in q.options if o.correct)
    return [reports[d] for d in DOMAINS]


def format_report(reports: Sequence[DomainReport], reserve_target: int = 200) -> list[str]:
    """The bank report as lines of text, each miss marked."""
    lines = [
        "domain  items (need)  practice  reserve  4-opt  key A/B/C/D   key longest  length cues  T/F true:false  MR keys"
    ]
    for r in reports:
        positions = "/".join(str(r.key_positions.get(k, 0)) for k in "ABCD")
        size_mark = "" if r.items >= r.needed else " SHORT"
        cue_mark = "" if r.cue_rate <= CUE_RATE_LIMIT else " OVER 10%"
        tf = f"{r.true_false.get('True', 0)}:{r.true_false.get('False', 0)}"
        mr = " ".join(f"{k}{n}" for k, n in sorted(r.multiple_keys.items())) or "-"
        longest = f"{100 * r.key_longest / r.singles:.0f}%" if r.singles else "-"
        lines.append(
            f"{r.domain:6}  {r.items:4} ({r.needed:3}){size_mark:6} {r.practice:8}  {r.reserve:7}  {r.four_option_single:5}  "
            f"{positions:12}  {longest:>11}  {100 * r.cue_rate:10.0f}%{cue_mark}  {tf:>14}  {mr}"
        )
    total = sum(r.items for r in reports)
    reserve = sum(r.reserve for r in reports)
    singles = sum(r.four_option_single for r in reports)
    lines.append(
        f"total   {total} items, {reserve} in the reserve (target {reserve_target}"
        f"{'' if reserve >= reserve_target else ', SHORT'}), "
        f"{100 * singles / total if total else 0:.0f}% four-option single best answer"
    )
    return lines
