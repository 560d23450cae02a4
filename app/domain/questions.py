"""Parse and lint question files (the format in docs/authoring-questions.md).

CONTRACT (shared with sync, scoring, interchange): the dataclasses below. The parser and linter
functions are filled in by the question-bank work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

DOMAINS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
COGNITIVE_LEVELS = ("recall", "application", "analysis")


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true-false"
    NUMERIC = "numeric"


@dataclass(frozen=True)
class Option:
    key: str            # "A", "B", ... in file order
    text: str           # Markdown
    rationale: str      # Markdown
    correct: bool
    line: int


@dataclass(frozen=True)
class Question:
    id: str
    path: str
    line: int                       # line of the `## ... {#id}` heading
    domain: str                     # D1-D9
    topics: tuple[str, ...]
    difficulty: int                 # 1-5, the author's estimate
    cognitive: str                  # recall | application | analysis
    type: QuestionType
    prompt: str                     # the heading text (Markdown, one line)
    stem: str                       # optional body (Markdown), may be ""
    options: tuple[Option, ...] = ()
    explanation: str = ""
    reference: str | None = None
    answer: float | None = None     # numeric items only
    tolerance: float | None = None  # numeric items only, absolute
    unit: str | None = None
    source: str = field(default="", compare=False)  # the question's own Markdown section, verbatim

    @property
    def correct_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options if o.correct)

    def answer_key(self) -> str:
        """A canonical form of the correct answer, to detect an id whose answer changed."""
        if self.type is QuestionType.NUMERIC:
            return f"numeric:{self.answer!r}±{self.tolerance!r}"
        return "|".join(sorted(o.text.strip() for o in self.options if o.correct))

    def content_hash(self) -> str:
        """Hash of everything a trainee sees or is scored on; an edit makes a new version."""
        h = hashlib.sha256()
        for part in (self.domain, ",".join(self.topics), str(self.difficulty), self.cognitive,
                     self.type.value, self.prompt, self.stem, self.explanation, self.reference or "",
                     repr(self.answer), repr(self.tolerance), self.unit or ""):
            h.update(part.encode())
            h.update(b"\x1f")
        for o in self.options:
            h.update(f"{o.key}\x1f{o.text}\x1f{o.rationale}\x1f{o.correct}\x1e".encode())
        return h.hexdigest()
