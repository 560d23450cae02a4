"""Moodle's four text formats (moodle, html, plain, markdown) converted to our Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .html_to_markdown import escape_plain, html_to_markdown

FORMATS = ("moodle", "html", "plain", "markdown")
BLANK = "_____"  # what Moodle shows for a missing word
BLANK_MARK = "\ue0b1"  # stands for the blank until the text is Markdown, so no converter escapes it
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>")


@dataclass(frozen=True)
class Formatted:
    """A piece of text in one of Moodle's formats, escapes resolved, with the line it starts on."""

    text: str
    format: str  # one of FORMATS
    line: int


@dataclass
class Converted:
    markdown: str
    dropped: list[str] = field(default_factory=list)


def _looks_like_html(text: str) -> bool:
    """Whether the text holds a tag. Searching only up to the last `>` gives the same answer, and keeps a
    run of 30,000 unclosed `<a ` linear (every `[^>]*` ran to the end of the text: 9 s for 50 KB)."""
    return _LOOKS_LIKE_HTML.search(text, 0, text.rfind(">") + 1) is not None


def to_markdown(text: str, text_format: str) -> Converted:
    """Markdown that shows what Moodle would show for `text` in `text_format`.

    Rules: markdown passes through; html is converted (see html_to_markdown); plain is escaped so every
    character shows as typed; moodle (auto-format) is HTML when it contains tags, with newlines as line
    breaks, and plain text otherwise.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text_format == "markdown":
        result = Converted(text.strip())
    elif text_format == "html" or (text_format == "moodle" and _looks_like_html(text)):
        conversion = html_to_markdown(text, newlines_are_breaks=text_format == "moodle")
        result = Converted(conversion.markdown, conversion.dropped)
    else:
        result = Converted(escape_plain(text.strip()))
    result.markdown = result.markdown.replace(BLANK_MARK, BLANK)
    return result
