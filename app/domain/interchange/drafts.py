"""A question on its way into our format: what both importers fill in, before it is written out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..questions import QuestionType
from .text_formats import Formatted, to_markdown

NO_RATIONALE = "(No rationale in the source: add one before publishing.)"
NO_EXPLANATION = "(No explanation in the source: add one before publishing.)"


@dataclass
class DraftChoice:
    text: str  # Markdown
    correct: bool
    rationale: str  # Markdown; "" when the source has no feedback for this answer
    line: int


@dataclass
class DraftSpec:
    """Everything our format needs, already in Markdown, plus the notes gathered while converting.

    `lossy` is set by any note that means something was lost or changed; the item is then `partial`.
    """

    line: int
    title: str | None
    type: QuestionType
    text: str  # question text as Markdown: stem paragraphs, then the question asked
    choices: list[DraftChoice] = field(default_factory=list)
    explanation: str = ""
    answer: Decimal | None = None
    tolerance: Decimal | None = None
    unit: str | None = None
    topics: tuple[str, ...] = ()
    id_hints: tuple[str, ...] = ()  # further id candidates after the title (e.g. a Moodle idnumber)
    stable_id: str | None = None  # the id the file carries (GIFT `[id:...]`, Moodle <idnumber>)
    # Our metadata, when the file carries it (our own GIFT export writes it in a comment); else defaults.
    domain: str | None = None
    difficulty: int | None = None
    cognitive: str | None = None
    item_set: str | None = None
    pool: str = "practice"
    shuffle: bool = True
    reference: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)  # matching: (prompt, answer) Markdown
    distractors: list[str] = field(default_factory=list)  # matching: answers matching no prompt
    accepted: list[tuple[str, Decimal]] = field(default_factory=list)  # short: (text, weight in percent)
    notes: list[str] = field(default_factory=list)
    lossy: bool = False

    def note(self, line: int, message: str, *, lossy: bool = True) -> None:
        self.notes.append(f"line {line}: {message}")
        self.lossy = self.lossy or lossy

    def markdown_of(self, text: Formatted | None) -> str:
        """Markdown for a piece of source text, noting anything the conversion had to leave out."""
        if text is None:
            return ""
        converted = to_markdown(text.text, text.format)
        if converted.dropped:
            self.note(text.line, f"left out of the {text.format} text: " + ", ".join(converted.dropped))
        return converted.markdown
