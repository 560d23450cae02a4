"""The parsed form of a question file: question types, options, pairs, accepted answers and the question.

CONTRACT (shared with sync, scoring, interchange): these dataclasses, built only by `parse_questions`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

DOMAINS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
COGNITIVE_LEVELS = ("recall", "application", "analysis")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")
TOPIC_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_KEYS = ("domain", "topics", "reference")
METADATA_KEYS = ("difficulty", "cognitive", "type", "domain", "topics", "set", "pool", "shuffle")
POOLS = ("practice", "reserve")


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
class QuestionSpec:
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


def option_key(index: int) -> str:
    """A, B, ... Z, then AA, AB, ... for the 0-based position of an option."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("A") + rest) + key
    return key
