"""What an import hands back: one item per source question, plus the pieces that could not be read."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..problems import Problem


class ImportStatus(StrEnum):
    IMPORTED = "imported"  # everything that matters mapped; notes may still explain a conversion
    PARTIAL = "partial"  # imported, but something was lost, changed or filled with a placeholder
    SKIPPED = "skipped"  # no Markdown: the question type has no equivalent, or the source is unreadable
    UNCHANGED = "unchanged"  # the file's stable id names a question in the bank, and nothing differs


@dataclass(frozen=True)
class ImportedItem:
    """One source question and what became of it.

    `notes` say, each as `line N: ...`, exactly what was not imported or was changed, and why.
    `markdown` is a complete question section in our format (parses with no problems), or None when
    the item was skipped.
    """

    title: str  # the source's name for it, or the start of its text when it has none
    line: int  # 1-based line where the question starts in the source
    status: ImportStatus
    markdown: str | None
    notes: tuple[str, ...] = ()
    category: str | None = None  # the GIFT $CATEGORY / Moodle category in force, verbatim
    question_id: str | None = None  # the id given to the imported question


@dataclass(frozen=True)
class GiftImport:
    """The result of reading one GIFT or Moodle XML file."""

    items: list[ImportedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # pieces that are not valid input at all

    def count(self, status: ImportStatus) -> int:
        return sum(1 for item in self.items if item.status is status)


def summary_line(result: GiftImport) -> str:
    """`N imported, P partial, [U unchanged, ]S skipped`, counting every source question once."""
    unchanged = result.count(ImportStatus.UNCHANGED)
    return (
        f"{result.count(ImportStatus.IMPORTED)} imported, "
        f"{result.count(ImportStatus.PARTIAL)} partial, "
        + (f"{unchanged} unchanged, " if unchanged else "")
        + f"{result.count(ImportStatus.SKIPPED)} skipped"
    )


def markdown_file(result: GiftImport, title: str) -> str:
    """One question file holding every imported and partial item, in source order, under `# title`.

    The file needs no front matter: each section carries its own domain on its metadata line.
    """
    sections = [item.markdown for item in result.items if item.markdown]
    return "\n".join([f"# {title}\n", *sections])
