"""Parse and lint question files (the format in docs/authoring-questions.md).

CONTRACT (shared with sync, scoring, interchange): the dataclasses below. `parse_questions` reads one
file and reports every problem in it; `lint_questions` runs the checks that need every file at once.
Neither ever raises on bad content: problems come back as values.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

from .markdown_render import MAX_BRACKETS_PER_LINE, unsafe_html
from .problems import Problem, Severity
from .yaml_source import load_with_nodes

DOMAINS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
COGNITIVE_LEVELS = ("recall", "application", "analysis")


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true-false"
    NUMERIC = "numeric"
    MATCHING = "matching"
    SHORT = "short"


@dataclass(frozen=True)
class Option:
    key: str  # "A", "B", ... in file order
    text: str  # Markdown
    rationale: str  # Markdown
    correct: bool
    line: int


@dataclass(frozen=True)
class MatchPair:
    """One prompt of a matching item and the answer it goes with."""

    key: str  # "p1", "p2", ... in file order
    prompt: str  # Markdown, one line
    answer: str  # Markdown, one line: the text of the right entry of the answer column
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class AcceptedAnswer:
    """One accepted answer of a short-answer item, with the credit it earns (1.0 full, else partial)."""

    text: str  # plain text as the trainee would type it
    credit: float  # 0 < credit <= 1
    line: int = field(default=0, compare=False)


def normalise_answer(text: str) -> str:
    """The form short answers are compared in: Unicode compatibility forms folded (NFKC: full-width
    letters, ligatures), case folded, runs of whitespace made one space, ends trimmed. Punctuation,
    accents and word order still count."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True)
class Question:
    id: str
    path: str
    line: int  # line of the `## ... {#id}` heading
    domain: str  # D1-D9
    topics: tuple[str, ...]
    difficulty: int  # 1-5, the author's estimate
    cognitive: str  # recall | application | analysis
    type: QuestionType
    prompt: str  # the heading text (Markdown, one line)
    stem: str  # optional body (Markdown), may be ""
    options: tuple[Option, ...] = ()
    explanation: str = ""
    reference: str | None = None
    answer: float | None = None  # numeric items only
    tolerance: float | None = None  # numeric items only, absolute
    unit: str | None = None
    source: str = field(default="", compare=False)  # the question's own Markdown section, verbatim
    item_set: str | None = None  # items sharing a case or data: served at most one at a time
    pool: str = "practice"  # "practice", or "reserve": only promotion checks serve reserve items
    shuffle: bool = True  # False pins the file order of the options (ordered ranges, "all of the above")
    pairs: tuple[MatchPair, ...] = ()  # matching items only, in file order
    distractors: tuple[str, ...] = ()  # matching items only: answers that match no prompt
    accepted: tuple[AcceptedAnswer, ...] = ()  # short-answer items only

    @property
    def correct_keys(self) -> tuple[str, ...]:
        """Option keys marked correct; for matching, each right `prompt=answer` pair (`p1=a2`)."""
        if self.type is QuestionType.MATCHING:
            keys = {text: key for key, text in self.match_answers}
            return tuple(f"{p.key}={keys[p.answer]}" for p in self.pairs)
        return tuple(o.key for o in self.options if o.correct)

    @property
    def match_answers(self) -> tuple[tuple[str, str], ...]:
        """The answer column of a matching item, (key, text): each distinct right answer in the order of
        the pairs, then the distractors; keyed a1, a2, ... in that order (a serving shuffles them)."""
        texts: list[str] = []
        for text in [p.answer for p in self.pairs] + list(self.distractors):
            if text not in texts:
                texts.append(text)
        return tuple((f"a{i}", text) for i, text in enumerate(texts, start=1))

    def answer_key(self) -> str:
        """A canonical form of the correct answer, to detect an id whose answer changed."""
        if self.type is QuestionType.NUMERIC:
            return f"numeric:{self.answer!r}±{self.tolerance!r}"
        if self.type is QuestionType.MATCHING:
            return "matching:" + "|".join(sorted(f"{p.prompt}->{p.answer}" for p in self.pairs))
        if self.type is QuestionType.SHORT:
            return "short:" + "|".join(
                sorted(f"{a.credit!r}:{normalise_answer(a.text)}" for a in self.accepted)
            )
        return "|".join(sorted(o.text.strip() for o in self.options if o.correct))

    def content_hash(self) -> str:
        """Hash of everything a trainee sees or is scored on; an edit makes a new version."""
        h = hashlib.sha256()
        for part in (
            self.domain,
            ",".join(self.topics),
            str(self.difficulty),
            self.cognitive,
            self.type.value,
            self.prompt,
            self.stem,
            self.explanation,
            self.reference or "",
            repr(self.answer),
            repr(self.tolerance),
            self.unit or "",
        ):
            h.update(part.encode())
            h.update(b"\x1f")
        for o in self.options:
            h.update(f"{o.key}\x1f{o.text}\x1f{o.rationale}\x1f{o.correct}\x1e".encode())
        # Serving keys join the hash only when set, so items that do not use them keep their versions.
        if self.item_set or self.pool != "practice" or not self.shuffle:
            h.update(f"set={self.item_set}\x1fpool={self.pool}\x1fshuffle={self.shuffle}".encode())
        # Likewise matching pairs and accepted answers: other types keep their hashes.
        for p in self.pairs:
            h.update(f"pair\x1f{p.key}\x1f{p.prompt}\x1f{p.answer}\x1e".encode())
        for d in self.distractors:
            h.update(f"distractor\x1f{d}\x1e".encode())
        for a in self.accepted:
            h.update(f"accepted\x1f{a.text}\x1f{a.credit!r}\x1e".encode())
        return h.hexdigest()


ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")
TOPIC_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_KEYS = ("domain", "topics", "reference")
METADATA_KEYS = ("difficulty", "cognitive", "type", "domain", "topics", "set", "pool", "shuffle")
POOLS = ("practice", "reserve")

_HEADING = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
_HEADING_ID = re.compile(r"^(.*?)[ \t]*\{#([^{}]*)\}$")
_OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX]?)\](?:[ \t]+(.*))?$")
_RATIONALE = re.compile(r"^[ \t]*:(?:[ \t]+(.*))?$")
# Keywords are matched capitalised as documented, so case data such as "answer: yes" stays stem text.
_KEYWORD = re.compile(
    r"^(Explanation|Reference|Answer|Tolerance|Unit|Match|Distractor)[ \t]*:[ \t]*(.*?)[ \t]*$"
)
# A short answer's accepted answer, optionally with partial credit: `Answer 50%: prepayment`.
_WEIGHTED_ANSWER = re.compile(r"^Answer[ \t]+(\S*?)%[ \t]*:[ \t]*(.*?)[ \t]*$")
_ANSWER_LINES = ("Answer", "Tolerance", "Unit", "Match", "Distractor")
_METADATA_PART = re.compile(r"^([a-z][a-z-]*)[ \t]*:[ \t]*(.*?)$")
_METADATA_SEPARATOR = re.compile(r"[·|]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A plain decimal number: no units, thousands separators, nan or inf.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


# --------------------------------------------------------------------------------------------------
# File level: lines, front matter, sections


@dataclass(frozen=True)
class _Defaults:
    """File-wide defaults from the front matter; `broken` when it had errors."""

    domain: str | None = None
    topics: tuple[str, ...] = ()
    reference: str | None = None
    broken: bool = False


@dataclass(frozen=True)
class _Section:
    """A question's lines: (1-based line number, text), the `##` heading first."""

    lines: tuple[tuple[int, str], ...]


def _split_lines(text: str) -> list[str]:
    """Split on \\n only (editors number lines that way); drop a BOM and the \\r of CRLF endings."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


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


def _parse_front_matter(lines: list[str], path: str, problems: list[Problem]) -> tuple[_Defaults, int]:
    """Read the optional `---` YAML block at the top; return the defaults and the first body index."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != "---":
        return _Defaults(), 0
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problems.append(Problem(path, start + 1, "front matter is not closed: end it with a line `---`"))
        # Without the closing line nobody knows where the YAML ends; resume at the first question.
        body = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
        return _Defaults(broken=True), body
    first_line = start + 2  # file line of the first YAML line
    found: list[Problem] = []
    try:
        data, node = load_with_nodes("\n".join(lines[start + 1 : end]))
    except Exception as exc:  # PyYAML raises more than YAMLError on hostile input (bad dates, recursion)
        line, message = _yaml_error(exc, first_line)
        problems.append(Problem(path, line, message))
        return _Defaults(broken=True), end + 1
    defaults = _check_front_matter(data, _key_lines(node, first_line), path, start + 1, found)
    problems.extend(found)
    return (_Defaults(broken=True) if found else defaults), end + 1


def _check_front_matter(
    data: Any, key_lines: dict[str, list[int]], path: str, fence_line: int, problems: list[Problem]
) -> _Defaults:
    if data is None:
        return _Defaults()
    if not isinstance(data, dict):
        problems.append(
            Problem(
                path, fence_line + 1, "front matter must be `key: value` lines (domain, topics, reference)"
            )
        )
        return _Defaults()
    for key, key_at in key_lines.items():
        if len(key_at) > 1:
            problems.append(Problem(path, key_at[1], f"`{key}` is set twice in the front matter: keep one"))
        if key not in FRONT_MATTER_KEYS:
            problems.append(
                Problem(path, key_at[0], f"unknown front matter key `{key}`: use domain, topics or reference")
            )

    def line_of(key: str) -> int:
        return key_lines.get(key, [fence_line])[0]

    domain = data.get("domain")
    if domain is not None and (not isinstance(domain, str) or domain.upper() not in DOMAINS):
        problems.append(Problem(path, line_of("domain"), _unknown_domain(domain)))
        domain = None
    topics: tuple[str, ...] = ()
    raw_topics = data.get("topics")
    if isinstance(raw_topics, str):
        raw_topics = [t.strip() for t in raw_topics.split(",") if t.strip()]
    if raw_topics is not None:
        if isinstance(raw_topics, list) and all(isinstance(t, str) for t in raw_topics):
            topics = tuple(raw_topics)
            problems.extend(Problem(path, line_of("topics"), m) for m in _topic_problems(topics))
        else:
            problems.append(
                Problem(
                    path,
                    line_of("topics"),
                    "topics must be a list of words, like `topics: [credit-check, escalation]`",
                )
            )
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.append(Problem(path, line_of("reference"), "reference must be text: put it in quotes"))
        reference = None
    return _Defaults(
        domain.upper() if isinstance(domain, str) else None, topics, reference.strip() if reference else None
    )


def _unknown_domain(value: object) -> str:
    return f"unknown domain `{value}`: use one of D1-D9 (the taxonomy in docs/authoring-questions.md)"


def _topic_problems(topics: Iterable[str]) -> list[str]:
    return [
        f"topic `{t}` is not kebab-case: use lowercase words joined by hyphens, like `credit-check`"
        for t in topics
        if not TOPIC_PATTERN.fullmatch(t)
    ]


def _unsafe_html(line: str) -> list[str]:
    """Messages for raw HTML that could run script on this line."""
    # Every pattern needs a `<`, the word javascript or a run of `[`; skipping other lines halves the parse time.
    if "<" not in line and "javascript" not in line.lower() and line.count("[") <= MAX_BRACKETS_PER_LINE:
        return []
    return [message for _, message in unsafe_html(line)]


def _fence_opener(line: str) -> str | None:
    match = _FENCE.match(line)
    return match.group(1) if match else None


def _closes_fence(line: str, opener: str) -> bool:
    """A fence closes with the same character, at least as long, and nothing after it."""
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    return indent <= 3 and len(stripped) >= len(opener) and set(stripped) == {opener[0]}


def _split_sections(lines: list[str], body_start: int) -> tuple[list[tuple[int, str]], list[_Section]]:
    """Cut the body at `##` headings (not inside code blocks): (preamble lines, question sections)."""
    preamble: list[tuple[int, str]] = []
    sections: list[list[tuple[int, str]]] = []
    fence: str | None = None
    for index in range(body_start, len(lines)):
        line = lines[index]
        numbered = (index + 1, line)
        if fence is not None:
            if _closes_fence(line, fence):
                fence = None
        elif (opener := _fence_opener(line)) is not None:
            fence = opener
        elif _HEADING.match(line):
            sections.append([numbered])
            continue
        (sections[-1] if sections else preamble).append(numbered)
    return preamble, [_Section(tuple(s)) for s in sections]


def _check_preamble(preamble: list[tuple[int, str]], path: str, problems: list[Problem]) -> None:
    """Text before the first question may be a title or an introduction, but not part of a question."""
    for number, line in preamble:
        problems.extend(Problem(path, number, f"{m}: remove it") for m in _unsafe_html(line))
    for number, line in preamble:
        what = _question_part(line)
        if what:
            problems.append(
                Problem(
                    path,
                    number,
                    f"{what} comes before any question heading: start the "
                    "question with a `## <prompt> {#id}` line above it",
                )
            )
            return  # one orphaned question is one problem, however many lines it has


def _question_part(line: str) -> str | None:
    """What part of a question the line is, if it is one that only makes sense inside a question."""
    keyword = _KEYWORD.match(line)
    if _OPTION.match(line):
        return "an option"
    if keyword and keyword.group(1) in ("Explanation", "Answer", "Tolerance"):
        return f"`{keyword.group(1)}:`"
    if _metadata_parts(line) is not None:
        return "a metadata line"
    return None


# --------------------------------------------------------------------------------------------------
# Question level


def _metadata_parts(line: str) -> list[tuple[str, str]] | None:
    """The (key, value) pairs of a metadata line, or None when the line is not one.

    A line is metadata when every `·`/`|`-separated part is `key: value` and at least one key is known,
    so a Markdown table row or an ordinary sentence is never mistaken for it.
    """
    parts = [p.strip() for p in _METADATA_SEPARATOR.split(line) if p.strip()]
    pairs = [_METADATA_PART.match(p) for p in parts]
    if not pairs or not all(pairs) or not any(m.group(1) in METADATA_KEYS for m in pairs if m):
        return None
    return [(m.group(1), m.group(2).strip()) for m in pairs if m]


def option_key(index: int) -> str:
    """A, B, ... Z, then AA, AB, ... for the 0-based position of an option."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("A") + rest) + key
    return key


@dataclass
class _DraftOption:
    line: int
    correct: bool
    text: list[str]
    rationale: list[str] | None = None


class _SectionParser:
    """Reads one `##` section line by line; modes follow the order stem, options or answer, tail."""

    def __init__(self, section: _Section, defaults: _Defaults, path: str):
        self.section = section
        self.defaults = defaults
        self.path = path
        self.heading_line = section.lines[0][0]
        self.problems: list[Problem] = []
        self.id: str | None = None
        self.prompt = ""
        self.meta: dict[str, str] = {}
        self.meta_line = self.heading_line
        self.has_metadata = False  # when False, "missing metadata line" already covers each missing key
        self.stem: list[str] = []
        self.options: list[_DraftOption] = []
        self.numeric: dict[str, tuple[int, str]] = {}  # the first line of each answer keyword
        self.answer_lines: list[tuple[int, str, str | None, str]] = []  # (line, keyword, weight, value)
        self.explanation: list[str] | None = None
        self.explanation_line = 0
        self.reference: list[str] | None = None
        self.tail: list[str] | None = None  # the Explanation or Reference lines being collected
        self.mode = "stem"
        self.fence: tuple[str, int] | None = None  # (opener, line) of an open code block

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # ---- reading

    def parse(self) -> Question | None:
        self._read_heading(self.section.lines[0][1])
        body = list(self.section.lines[1:])
        if not any(text.strip() for _, text in body):
            self.error(
                self.heading_line,
                "heading has no question under it: add the metadata line, options "
                "and Explanation, or remove the heading",
            )
            return None
        body = self._read_metadata(body)
        for number, line in body:
            self._feed(number, line)
        for number, line in self.section.lines:
            for message in _unsafe_html(line):
                self.error(number, f"{message}: remove it")
        if self.fence is not None:
            # Everything after the opening fence is code, so missing options or Explanation would only
            # be echoes of this one mistake.
            self.error(
                self.fence[1], f"code block opened here is never closed: add a closing {self.fence[0]} line"
            )
            return None
        question = self._build()
        return None if self.problems else question

    def _read_heading(self, line: str) -> None:
        match = _HEADING.match(line)
        heading = (match.group(1) or "") if match else ""
        with_id = _HEADING_ID.match(heading)
        if not with_id:
            self.prompt = heading.strip()
            self.error(self.heading_line, "question heading has no id: end it with `{#a-kebab-case-id}`")
            return
        self.prompt, raw_id = with_id.group(1).strip(), with_id.group(2).strip()
        if ID_PATTERN.fullmatch(raw_id):
            self.id = raw_id
        elif not raw_id:
            self.error(self.heading_line, "question heading has an empty id: write one inside `{#...}`")
        else:
            self.error(
                self.heading_line,
                f"bad id `{raw_id}`: use 3-80 lowercase letters, digits and "
                "hyphens, starting with a letter or digit",
            )
        if not self.prompt:
            self.error(self.heading_line, "question heading has no text: write the question before `{#id}`")

    def _read_metadata(self, body: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """Take the first non-blank line as metadata when it is one; return the lines after it."""
        first = next(i for i, (_, text) in enumerate(body) if text.strip())
        number, line = body[first]
        parts = _metadata_parts(line)
        if parts is None:
            self.error(
                self.heading_line,
                "missing metadata line after the heading: add one like "
                "`difficulty: 3 · cognitive: application`",
            )
            return body
        self.meta_line = number
        self.has_metadata = True
        for key, value in parts:
            if key not in METADATA_KEYS:
                self.error(
                    number,
                    f"unknown metadata `{key}`: use difficulty, cognitive, type, domain, topics, set, pool or shuffle",
                )
            elif key in self.meta:
                self.error(number, f"`{key}` is given twice on the metadata line: keep one")
            else:
                self.meta[key] = value
        return body[first + 1 :]

    def _feed(self, number: int, line: str) -> None:
        if self.fence is not None:
            self._text_target().append(line)
            if _closes_fence(line, self.fence[0]):
                self.fence = None
            return
        if self.mode in ("stem", "tail") and (opener := _fence_opener(line)) is not None:
            self.fence = (opener, number)
            self._text_target().append(line)
            return
        {
            "stem": self._in_stem,
            "options": self._in_options,
            "numeric": self._in_numeric,
            "tail": self._in_tail,
        }[self.mode](number, line)

    def _text_target(self) -> list[str]:
        return self.tail if self.mode == "tail" and self.tail is not None else self.stem

    def _in_stem(self, number: int, line: str) -> None:
        keyword = _KEYWORD.match(line)
        declared = self.meta.get("type", "").lower()
        numeric = declared == QuestionType.NUMERIC
        matching = declared == QuestionType.MATCHING
        if _OPTION.match(line):
            self._start_option(number, line)
        elif (
            _WEIGHTED_ANSWER.match(line)
            or keyword
            and (
                keyword.group(1) in ("Answer", "Tolerance")
                or keyword.group(1) == "Unit"
                and numeric
                or keyword.group(1) in ("Match", "Distractor")
                and matching
            )
        ):
            self.mode = "numeric"
            self._in_numeric(number, line)
        elif keyword and keyword.group(1) == "Explanation":
            self._start_tail(number, keyword.group(1), keyword.group(2))
        else:
            # `Reference:` here is case data (a PO reference, say): the reference comes after the options.
            self.stem.append(line)

    def _start_option(self, number: int, line: str) -> None:
        match = _OPTION.match(line)
        assert match is not None
        text = (match.group(2) or "").strip()
        if not text:
            self.error(number, "option has no text: write it after the `- [ ]`")
        self.options.append(_DraftOption(number, match.group(1) in ("x", "X"), [text]))
        self.mode = "options"

    def _in_options(self, number: int, line: str) -> None:
        option = self.options[-1]
        rationale = _RATIONALE.match(line)
        keyword = _KEYWORD.match(line)
        if _OPTION.match(line):
            self._start_option(number, line)
        elif rationale:
            if option.rationale is None:
                option.rationale = []
            elif option.rationale and option.rationale[-1]:
                option.rationale.append("")  # a second `:` line starts a new paragraph
            option.rationale.append((rationale.group(1) or "").strip())
        elif not line.strip():
            (option.rationale if option.rationale is not None else option.text).append("")
        elif line[0] in " \t":
            (option.rationale if option.rationale is not None else option.text).append(line.strip())
        elif keyword and keyword.group(1) in ("Explanation", "Reference"):
            self._start_tail(number, keyword.group(1), keyword.group(2))
        elif keyword:
            self.mode = "numeric"
            self._in_numeric(number, line)
        else:
            self.error(
                number,
                "text not understood where an option was expected: options start with "
                "`- [ ]` or `- [x]`, rationales are indented `: ...` lines, and "
                "`Explanation:` comes after the last option",
            )

    def _in_numeric(self, number: int, line: str) -> None:
        """The answer lines: `Answer:`, `Tolerance:`, `Unit:` (numeric), `Answer:` and `Answer 50%:`
        (short), `Match:` and `Distractor:` (matching). Which are allowed is checked by type in _build."""
        keyword = _KEYWORD.match(line)
        weighted = _WEIGHTED_ANSWER.match(line)
        if weighted:
            self.answer_lines.append((number, "Answer", weighted.group(1), weighted.group(2)))
        elif keyword and keyword.group(1) in _ANSWER_LINES:
            name, value = keyword.group(1), keyword.group(2)
            self.answer_lines.append((number, name, None, value))
            self.numeric.setdefault(name, (number, value))
        elif keyword:
            self._start_tail(number, keyword.group(1), keyword.group(2))
        elif _OPTION.match(line):
            self._start_option(number, line)
        elif line.strip():
            self.error(
                number,
                "text not understood where `Answer:`, `Tolerance:` or `Unit:` was expected: "
                "the stem goes above them and `Explanation:` below them",
            )

    def _start_tail(self, number: int, name: str, first: str) -> None:
        self.mode = "tail"
        if name == "Explanation":
            if self.explanation is not None:
                self.error(number, "second `Explanation:` in one question: merge the two into one")
            self.explanation, self.explanation_line = [first], number
            self.tail = self.explanation
        else:
            if self.reference is not None:
                self.error(number, "second `Reference:` in one question: merge the two into one")
            self.reference = [first]
            self.tail = self.reference

    def _in_tail(self, number: int, line: str) -> None:
        keyword = _KEYWORD.match(line)
        if keyword and keyword.group(1) in ("Explanation", "Reference"):
            self._start_tail(number, keyword.group(1), keyword.group(2))
        elif _OPTION.match(line):
            self.error(number, "option after `Explanation:`: put every option above the Explanation")
        else:
            self._text_target().append(line)

    # ---- checking and building

    def _build(self) -> Question | None:
        domain = self._domain()
        topics = self._topics()
        difficulty = self._difficulty()
        cognitive = self._cognitive()
        qtype = self._type()
        options = self._options(qtype)
        self._check_answer_lines(qtype)
        answer, tolerance, unit = self._numeric(qtype)
        pairs, distractors = self._matching(qtype)
        accepted = self._accepted(qtype)
        item_set, pool, shuffle = self._item_set(), self._pool(), self._shuffle()
        explanation = _join(self.explanation or [])
        if self.explanation is None:
            self.error(
                self.heading_line,
                "missing `Explanation:`: add a line `Explanation: why the answer is right` after the options",
            )
        elif not explanation:
            self.error(self.explanation_line, "`Explanation:` is empty: say why the answer is right")
        if (
            self.problems
            or self.id is None
            or domain is None
            or difficulty is None
            or cognitive is None
            or qtype is None
        ):
            return None
        reference = _join(self.reference) if self.reference is not None else self.defaults.reference
        return Question(
            id=self.id,
            path=self.path,
            line=self.heading_line,
            domain=domain,
            topics=topics,
            difficulty=difficulty,
            cognitive=cognitive,
            type=qtype,
            prompt=self.prompt,
            stem=_join(self.stem),
            options=options,
            explanation=explanation,
            reference=reference or None,
            answer=answer,
            tolerance=tolerance,
            unit=unit,
            source=self._source(),
            item_set=item_set,
            pool=pool,
            shuffle=shuffle,
            pairs=pairs,
            distractors=distractors,
            accepted=accepted,
        )

    def _source(self) -> str:
        lines = [text for _, text in self.section.lines]
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines) + "\n"

    def _domain(self) -> str | None:
        raw = self.meta.get("domain")
        if raw is None:
            if self.defaults.domain is None and not self.defaults.broken:
                self.error(
                    self.heading_line, "no domain: set `domain:` in the front matter or on the metadata line"
                )
            return self.defaults.domain
        if raw.upper() not in DOMAINS:
            self.error(self.meta_line, _unknown_domain(raw))
            return None
        return raw.upper()

    def _topics(self) -> tuple[str, ...]:
        raw = self.meta.get("topics")
        if raw is None:
            return self.defaults.topics
        topics = tuple(t.strip() for t in raw.split(",") if t.strip())
        for message in _topic_problems(topics):
            self.error(self.meta_line, message)
        return topics

    def _difficulty(self) -> int | None:
        raw = self.meta.get("difficulty")
        if raw is None:
            if self.has_metadata:
                self.error(self.meta_line, "missing difficulty: add `difficulty: 1-5` to the metadata line")
            return None
        if raw not in ("1", "2", "3", "4", "5"):
            self.error(self.meta_line, f"difficulty must be a whole number from 1 to 5, not `{raw}`")
            return None
        return int(raw)

    def _cognitive(self) -> str | None:
        raw = self.meta.get("cognitive")
        if raw is None:
            if self.has_metadata:
                self.error(
                    self.meta_line,
                    "missing cognitive level: add `cognitive: recall`, `application` or "
                    "`analysis` to the metadata line",
                )
            return None
        if raw.lower() not in COGNITIVE_LEVELS:
            self.error(
                self.meta_line, f"unknown cognitive level `{raw}`: use recall, application or analysis"
            )
            return None
        return raw.lower()

    def _item_set(self) -> str | None:
        raw = self.meta.get("set")
        if raw is None:
            return None
        if not TOPIC_PATTERN.fullmatch(raw):
            self.error(self.meta_line, f"set `{raw}` must be kebab-case, like `set: halvorsen-q3-ar`")
            return None
        return raw

    def _pool(self) -> str:
        raw = self.meta.get("pool", "practice")
        if raw not in POOLS:
            self.error(self.meta_line, f"unknown pool `{raw}`: use practice (the default) or reserve")
            return "practice"
        return raw

    def _shuffle(self) -> bool:
        raw = self.meta.get("shuffle", "true").lower()
        if raw not in ("true", "false"):
            self.error(self.meta_line, f"shuffle must be true or false, not `{raw}`")
            return True
        return raw == "true"

    def _type(self) -> QuestionType | None:
        raw = self.meta.get("type", QuestionType.SINGLE.value)
        try:
            return QuestionType(raw.lower())
        except ValueError:
            self.error(
                self.meta_line,
                f"unknown type `{raw}`: use single, multiple, true-false, numeric, matching or short",
            )
            return None

    def _options(self, qtype: QuestionType | None) -> tuple[Option, ...]:
        options = tuple(
            Option(option_key(i), _join(d.text), _join(d.rationale or []), d.correct, d.line)
            for i, d in enumerate(self.options)
        )
        for draft, option in zip(self.options, options, strict=True):
            if draft.text[0] and not option.rationale:
                self.error(
                    option.line,
                    f"option {option.key} has no rationale: add an indented "
                    "`: why it is right or wrong` line under it",
                )
        if qtype in _ANSWER_LINE_TYPES:
            if options:
                self.error(
                    options[0].line,
                    f"a {qtype.value} item has no options: remove the `- [ ]` lines or change `type:`",
                )
        elif qtype is not None:
            self._check_choices(qtype, options)
        return options

    def _check_choices(self, qtype: QuestionType, options: tuple[Option, ...]) -> None:
        first_line = options[0].line if options else self.heading_line
        correct = [o for o in options if o.correct]
        if qtype is QuestionType.TRUE_FALSE:
            if sorted(o.text.lower() for o in options) != ["false", "true"]:
                self.error(
                    first_line,
                    "a true-false item needs exactly two options, `True` and `False`: "
                    "write `- [x] True` and `- [ ] False` (or the other way round)",
                )
                return
        elif len(options) < 2:
            self.error(
                first_line,
                f"a {qtype.value} item needs at least 2 options, found {len(options)}: "
                "add options as `- [ ] text` lines",
            )
            return
        if not correct:
            self.error(first_line, "no option is marked correct: mark the right answer `- [x]`")
        elif len(correct) > 1 and qtype is not QuestionType.MULTIPLE:
            keys = ", ".join(o.key for o in correct)
            fix = ", or add `type: multiple`" if qtype is QuestionType.SINGLE else ""
            self.error(
                correct[1].line,
                f"{len(correct)} options ({keys}) are marked correct on a "
                f"{qtype.value} item: mark exactly one `[x]`{fix}",
            )

    def _check_answer_lines(self, qtype: QuestionType | None) -> None:
        """Each answer keyword where its type allows it; one `Answer:`, `Tolerance:`, `Unit:` on numeric."""
        if qtype is None:
            return
        seen: set[str] = set()
        for line, name, weight, _ in self.answer_lines:
            kind = "Answer 50%" if weight is not None else name
            allowed = _ANSWER_KEYWORDS.get(qtype, ())
            if kind not in allowed:
                owners = [t.value for t, names in _ANSWER_KEYWORDS.items() if kind in names]
                what = " items and ".join(owners)
                types = " or ".join(f"`type: {o}`" for o in owners)
                self.error(
                    line,
                    f"`{kind}:` is only for {what} items: add {types} to the metadata line, or remove it",
                )
            elif qtype is QuestionType.NUMERIC and name in seen:
                self.error(line, f"second `{name}:` line: keep one")
            seen.add(name)

    def _matching(self, qtype: QuestionType | None) -> tuple[tuple[MatchPair, ...], tuple[str, ...]]:
        """Pairs `Match: prompt -> answer` (at least two, prompts distinct) and `Distractor: answer`
        lines (never one of the right answers)."""
        if qtype is not QuestionType.MATCHING:
            return (), ()
        pairs: list[MatchPair] = []
        distractors: list[str] = []
        for line, name, _, value in self.answer_lines:
            if name == "Match":
                prompt, arrow, answer = value.partition("->")
                prompt, answer = prompt.strip(), answer.strip()
                if not arrow or not prompt or not answer:
                    self.error(
                        line, "a `Match:` line needs a prompt and its answer: `Match: EXW -> buyer collects`"
                    )
                elif any(p.prompt == prompt for p in pairs):
                    self.error(line, f"prompt `{prompt}` is matched twice: keep one `Match:` line for it")
                else:
                    pairs.append(MatchPair(f"p{len(pairs) + 1}", prompt, answer, line))
            elif name == "Distractor":
                if not value:
                    self.error(line, "`Distractor:` is empty: write an answer that matches no prompt")
                else:
                    distractors.append(value)
        if sum(1 for _, n, _, _ in self.answer_lines if n == "Match") < 2:
            self.error(
                self.heading_line,
                "a matching item needs at least 2 `Match: prompt -> answer` lines below the stem",
            )
        rights = {p.answer for p in pairs}
        for line, name, _, value in self.answer_lines:
            if name == "Distractor" and value in rights:
                self.error(line, f"distractor `{value}` is also a right answer: remove it or reword it")
        return tuple(pairs), tuple(dict.fromkeys(distractors))

    def _accepted(self, qtype: QuestionType | None) -> tuple[AcceptedAnswer, ...]:
        """`Answer: text` (full credit) and `Answer 50%: text` (partial): at least one full-credit answer,
        no two the same once normalised, weights above 0 and at most 100."""
        if qtype is not QuestionType.SHORT:
            return ()
        accepted: list[AcceptedAnswer] = []
        first: dict[str, int] = {}
        for line, name, weight, value in self.answer_lines:
            if name != "Answer":
                continue
            credit = 1.0
            if weight is not None:
                percent = float(weight) if _NUMBER.match(weight) else math.nan
                if not (0 < percent <= 100):
                    self.error(line, f"answer weight `{weight}%` must be a number above 0 and at most 100")
                    continue
                credit = percent / 100
            if not value:
                self.error(line, "`Answer:` is empty: write the answer a trainee would type")
                continue
            normal = normalise_answer(value)
            if normal in first:
                self.error(
                    line, f"answer `{value}` repeats line {first[normal]} (case and spacing do not count)"
                )
                continue
            first[normal] = line
            accepted.append(AcceptedAnswer(value, credit, line))
        if not any(a.credit == 1.0 for a in accepted) and not self.problems:
            self.error(
                self.heading_line,
                "a short-answer item needs at least one full-credit `Answer: text` line below the stem",
            )
        return tuple(accepted)

    def _numeric(self, qtype: QuestionType | None) -> tuple[float | None, float | None, str | None]:
        if qtype is not QuestionType.NUMERIC:
            return None, None, None
        answer = self._number("Answer", "94.2")
        tolerance = self._number("Tolerance", "0.1")
        if tolerance is not None and tolerance < 0:
            self.error(
                self.numeric["Tolerance"][0],
                "`Tolerance:` cannot be negative: it is the absolute "
                "distance from the answer still counted right",
            )
            tolerance = None
        unit = self.numeric.get("Unit", (0, ""))[1].strip()
        return answer, tolerance, unit or None

    def _number(self, name: str, example: str) -> float | None:
        if name not in self.numeric:
            extra = " (absolute; 0 for an exact answer)" if name == "Tolerance" else ""
            self.error(
                self.heading_line,
                f"numeric item has no `{name}:` line: add one like `{name}: {example}`{extra} below the stem",
            )
            return None
        line, raw = self.numeric[name]
        value = float(raw) if _NUMBER.match(raw) else math.nan
        if not math.isfinite(value):
            self.error(
                line,
                f"`{name}:` must be a plain number like {example}, not `{raw}`: put a unit on a `Unit:` line",
            )
            return None
        return value


_ANSWER_LINE_TYPES = (QuestionType.NUMERIC, QuestionType.MATCHING, QuestionType.SHORT)
_ANSWER_KEYWORDS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.NUMERIC: ("Answer", "Tolerance", "Unit"),
    QuestionType.SHORT: ("Answer", "Answer 50%"),
    QuestionType.MATCHING: ("Match", "Distractor"),
}


def _join(lines: list[str]) -> str:
    """Markdown text from collected lines, without leading or trailing blank lines."""
    return "\n".join(lines).strip("\n").strip()


# --------------------------------------------------------------------------------------------------
# Public API


def parse_questions(text: str, path: str) -> tuple[list[Question], list[Problem]]:
    """Parse one question file; return its valid questions and every problem found, sorted by line.

    Rules: a question with any error is left out (its problems are still reported); the second of two
    questions sharing an id is left out; an error in the front matter leaves every question out, since
    their defaults come from it. Never raises on any input.
    """
    lines = _split_lines(text)
    problems: list[Problem] = []
    defaults, body_start = _parse_front_matter(lines, path, problems)
    preamble, sections = _split_sections(lines, body_start)
    _check_preamble(preamble, path, problems)
    questions: list[Question] = []
    first_use: dict[str, int] = {}
    for section in sections:
        parser = _SectionParser(section, defaults, path)
        question = parser.parse()
        problems.extend(parser.problems)
        if parser.id is None:
            continue
        if parser.id in first_use:
            problems.append(
                Problem(
                    path,
                    parser.heading_line,
                    f"duplicate id `{parser.id}`: also used at line "
                    f"{first_use[parser.id]}; give each question "
                    "its own id",
                )
            )
            continue
        first_use[parser.id] = parser.heading_line
        if question is not None:
            questions.append(question)
    problems.sort(key=lambda p: p.line)
    return ([] if defaults.broken else questions), problems


def lint_questions(
    questions: Iterable[Question], known_answer_keys: Mapping[str, str] | None = None
) -> list[Problem]:
    """Checks across files.

    - An id used again (in any file) is an error at each later use, naming the first one.
    - An id whose stored answer key (from an earlier sync) differs from its answer now is a warning:
      trainees' past answers were scored against the old key, so the item needs a new id.
    """
    problems: list[Problem] = []
    first: dict[str, Question] = {}
    known = known_answer_keys or {}
    for question in questions:
        earlier = first.setdefault(question.id, question)
        if earlier is not question:
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    f"duplicate id `{question.id}`: also used at {earlier.path}:{earlier.line}; "
                    "ids must be unique across all files",
                )
            )
        stored = known.get(question.id)
        if stored is not None and stored != question.answer_key():
            problems.append(
                Problem(
                    question.path,
                    question.line,
                    f"the correct answer of {question.id} changed: publish it under a new id, or in the "
                    "authoring workspace with a reason and regrade or void the old answers",
                    Severity.WARNING,
                )
            )
    return problems
