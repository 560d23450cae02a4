"""Reading one question section line by line into its raw parts: heading, metadata, stem, options,
answer lines, Explanation and Reference. Checking the parts is build.py's work."""

from __future__ import annotations

from dataclasses import dataclass

from ..problems import Problem
from .front_matter import Defaults
from .sections import Section
from .syntax import (
    ANSWER_LINES,
    HEADING,
    HEADING_ID,
    KEYWORD,
    OPTION,
    RATIONALE,
    WEIGHTED_ANSWER,
    closes_fence,
    fence_opener,
    metadata_parts,
    unsafe_html_messages,
)
from .types import ID_PATTERN, METADATA_KEYS, QuestionType


@dataclass
class DraftOption:
    line: int
    correct: bool
    text: list[str]
    rationale: list[str] | None = None


class SectionReader:
    """Reads one `##` section line by line into its raw parts; modes follow the order stem, options or
    answer, tail. `QuestionBuilder` then checks the parts and builds the question."""

    def __init__(self, section: Section, defaults: Defaults, path: str):
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
        self.options: list[DraftOption] = []
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

    def read(self) -> bool:
        """Read the section; False when nothing more can be checked (no body, or an unclosed code block)."""
        self._read_heading(self.section.lines[0][1])
        body = list(self.section.lines[1:])
        if not any(text.strip() for _, text in body):
            self.error(
                self.heading_line,
                "heading has no question under it: add the metadata line, options "
                "and Explanation, or remove the heading",
            )
            return False
        body = self._read_metadata(body)
        for number, line in body:
            self._feed(number, line)
        for number, line in self.section.lines:
            for message in unsafe_html_messages(line):
                self.error(number, f"{message}: remove it")
        if self.fence is not None:
            # Everything after the opening fence is code, so missing options or Explanation would only
            # be echoes of this one mistake.
            self.error(
                self.fence[1], f"code block opened here is never closed: add a closing {self.fence[0]} line"
            )
            return False
        return True

    def _read_heading(self, line: str) -> None:
        match = HEADING.match(line)
        heading = (match.group(1) or "") if match else ""
        with_id = HEADING_ID.match(heading)
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
        parts = metadata_parts(line)
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
            if closes_fence(line, self.fence[0]):
                self.fence = None
            return
        if self.mode in ("stem", "tail") and (opener := fence_opener(line)) is not None:
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
        keyword = KEYWORD.match(line)
        declared = self.meta.get("type", "").lower()
        numeric = declared == QuestionType.NUMERIC
        matching = declared == QuestionType.MATCHING
        if OPTION.match(line):
            self._start_option(number, line)
        elif (
            WEIGHTED_ANSWER.match(line)
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
        match = OPTION.match(line)
        assert match is not None
        text = (match.group(2) or "").strip()
        if not text:
            self.error(number, "option has no text: write it after the `- [ ]`")
        self.options.append(DraftOption(number, match.group(1) in ("x", "X"), [text]))
        self.mode = "options"

    def _in_options(self, number: int, line: str) -> None:
        option = self.options[-1]
        rationale = RATIONALE.match(line)
        keyword = KEYWORD.match(line)
        if OPTION.match(line):
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
        keyword = KEYWORD.match(line)
        weighted = WEIGHTED_ANSWER.match(line)
        if weighted:
            self.answer_lines.append((number, "Answer", weighted.group(1), weighted.group(2)))
        elif keyword and keyword.group(1) in ANSWER_LINES:
            name, value = keyword.group(1), keyword.group(2)
            self.answer_lines.append((number, name, None, value))
            self.numeric.setdefault(name, (number, value))
        elif keyword:
            self._start_tail(number, keyword.group(1), keyword.group(2))
        elif OPTION.match(line):
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
        keyword = KEYWORD.match(line)
        if keyword and keyword.group(1) in ("Explanation", "Reference"):
            self._start_tail(number, keyword.group(1), keyword.group(2))
        elif OPTION.match(line):
            self.error(number, "option after `Explanation:`: put every option above the Explanation")
        else:
            self._text_target().append(line)

    # ---- checking and building
