"""The line grammar of a question file: what a heading, option, rationale, keyword, metadata line and
code fence look like, and the small helpers that read lines."""

from __future__ import annotations

import re

from ..markdown_render import MAX_BRACKETS_PER_LINE, unsafe_html
from .types import METADATA_KEYS

HEADING = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*$")
HEADING_ID = re.compile(r"^(.*?)[ \t]*\{#([^{}]*)\}$")
OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX]?)\](?:[ \t]+(.*))?$")
RATIONALE = re.compile(r"^[ \t]*:(?:[ \t]+(.*))?$")
# Keywords are matched capitalised as documented, so case data such as "answer: yes" stays stem text.
KEYWORD = re.compile(
    r"^(Explanation|Reference|Answer|Tolerance|Unit|Match|Distractor)[ \t]*:[ \t]*(.*?)[ \t]*$"
)
# A short answer's accepted answer, optionally with partial credit: `Answer 50%: prepayment`.
WEIGHTED_ANSWER = re.compile(r"^Answer[ \t]+(\S*?)%[ \t]*:[ \t]*(.*?)[ \t]*$")
ANSWER_LINES = ("Answer", "Tolerance", "Unit", "Match", "Distractor")
METADATA_PART = re.compile(r"^([a-z][a-z-]*)[ \t]*:[ \t]*(.*?)$")
METADATA_SEPARATOR = re.compile(r"[·|]")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A plain decimal number: no units, thousands separators, nan or inf.
NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def split_lines(text: str) -> list[str]:
    """Split on \\n only (editors number lines that way); drop a BOM and the \\r of CRLF endings."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def unsafe_html_messages(line: str) -> list[str]:
    """Messages for raw HTML that could run script on this line."""
    # Every pattern needs a `<`, the word javascript or a run of `[`; skipping other lines halves the parse time.
    if "<" not in line and "javascript" not in line.lower() and line.count("[") <= MAX_BRACKETS_PER_LINE:
        return []
    return [message for _, message in unsafe_html(line)]


def fence_opener(line: str) -> str | None:
    match = FENCE.match(line)
    return match.group(1) if match else None


def closes_fence(line: str, opener: str) -> bool:
    """A fence closes with the same character, at least as long, and nothing after it."""
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    return indent <= 3 and len(stripped) >= len(opener) and set(stripped) == {opener[0]}


def question_part(line: str) -> str | None:
    """What part of a question the line is, if it is one that only makes sense inside a question."""
    keyword = KEYWORD.match(line)
    if OPTION.match(line):
        return "an option"
    if keyword and keyword.group(1) in ("Explanation", "Answer", "Tolerance"):
        return f"`{keyword.group(1)}:`"
    if metadata_parts(line) is not None:
        return "a metadata line"
    return None


# --------------------------------------------------------------------------------------------------
# Question level


def metadata_parts(line: str) -> list[tuple[str, str]] | None:
    """The (key, value) pairs of a metadata line, or None when the line is not one.

    A line is metadata when every `·`/`|`-separated part is `key: value` and at least one key is known,
    so a Markdown table row or an ordinary sentence is never mistaken for it.
    """
    parts = [p.strip() for p in METADATA_SEPARATOR.split(line) if p.strip()]
    pairs = [METADATA_PART.match(p) for p in parts]
    if not pairs or not all(pairs) or not any(m.group(1) in METADATA_KEYS for m in pairs if m):
        return None
    return [(m.group(1), m.group(2).strip()) for m in pairs if m]


def join_lines(lines: list[str]) -> str:
    """Markdown text from collected lines, without leading or trailing blank lines."""
    return "\n".join(lines).strip("\n").strip()
