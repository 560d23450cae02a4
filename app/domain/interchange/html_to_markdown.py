"""Turn the HTML that Moodle stores (question text, answers, feedback) into readable Markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lxml_on_use import etree
from .lxml_on_use import html as lxml_html

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "figure", "figcaption",
    "address", "center", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
    "table", "hr", "dl", "dt", "dd",
}  # fmt: skip
# Dropped with everything inside: they run script, take input or embed media we cannot carry over.
_DROPPED = {
    "script": "scripts", "style": "style sheets", "iframe": "embedded frames", "object": "embedded objects",
    "embed": "embedded objects", "form": "forms", "input": "form fields", "button": "form fields",
    "select": "form fields", "textarea": "form fields", "audio": "audio", "video": "video",
    "canvas": "drawings", "svg": "drawings", "math": "MathML formulas", "link": "links to style sheets",
    "meta": "metadata tags", "base": "base tags", "noscript": "noscript blocks", "template": "templates",
    "head": "document head", "title": "document title",
}  # fmt: skip
_INLINE_CHARS = re.compile(r"([\\`*_\[\]])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(\s*)(?:([#>]|[-+*](?=\s|$)|-(?=[-\s]*$))|(\d+)\.(?=\s|$)|(=+\s*$))")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_BREAK = "\ue0b0"  # stands for <br> while whitespace is collapsed


def escape_inline(text: str) -> str:
    """Escape the characters Markdown would read as markup anywhere in a line (text stays as shown)."""
    text = _INLINE_CHARS.sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    return text.replace("<", "&lt;")


def escape_line_starts(text: str) -> str:
    """Escape what Markdown would read as a heading, quote, list item or rule at the start of a line."""
    return "\n".join(_LINE_START.sub(_escape_start, line) for line in text.split("\n"))


def _escape_start(match: re.Match[str]) -> str:
    indent, mark, number, equals = match.groups()
    if mark:
        return f"{indent}\\{mark}"
    if number:
        return f"{indent}{number}\\."
    return f"{indent}&#61;{equals[1:]}"  # `=` has no Markdown escape; an entity stops a setext heading


def escape_plain(text: str) -> str:
    """Plain text as Markdown that renders the same characters."""
    return escape_line_starts(escape_inline(text))


@dataclass
class HtmlConversion:
    markdown: str
    dropped: list[str] = field(default_factory=list)  # what was left out, e.g. "images", "scripts"


def html_to_markdown(html: str, *, newlines_are_breaks: bool = False) -> HtmlConversion:
    """Convert an HTML fragment to Markdown; say what could not be carried over.

    Kept: paragraphs, headings, lists, quotes, code, tables (as pipe tables), bold, italics, http(s) and
    mailto links. Dropped with a mention: images (their alt text stays), media, scripts, forms. Other
    tags (span, font, u, sub, ...) keep their text. `newlines_are_breaks` follows Moodle's auto-format,
    where a newline in the source is a line break.
    """
    if newlines_are_breaks:
        html = html.replace("\n", "<br>")
    if not html.strip():
        return HtmlConversion("")
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return HtmlConversion(escape_plain(html.strip()), ["HTML that could not be parsed (kept as text)"])
    converter = _Converter()
    blocks = converter.blocks(root)
    return HtmlConversion("\n\n".join(b for b in blocks if b.strip()), sorted(converter.dropped))


def _tag(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


class _Converter:
    def __init__(self) -> None:
        self.dropped: set[str] = set()

    def blocks(self, element: etree._Element) -> list[str]:
        """Block-level Markdown for an element's children; loose text and inline tags become paragraphs."""
        out: list[str] = []
        run: list[str] = [escape_inline(element.text or "")]

        def flush() -> None:
            paragraph = _collapse("".join(run))
            if paragraph:
                out.append(escape_line_starts(paragraph))
            run.clear()

        for child in element:
            tag = _tag(child)
            if tag in _BLOCK:
                flush()
                out.extend(self.block(child, tag))
            else:
                run.append(self.inline(child))
            run.append(escape_inline(child.tail or ""))
        flush()
        return out

    def block(self, element: etree._Element, tag: str) -> list[str]:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _collapse(self.inline_children(element)).replace("\n", " ")
            return [f"{'#' * int(tag[1])} {text}"] if text else []
        if tag in ("ul", "ol"):
            return [self.list_block(element, ordered=tag == "ol")]
        if tag == "blockquote":
            inner = "\n\n".join(self.blocks(element))
            return ["\n".join(f"> {line}".rstrip() for line in inner.split("\n"))] if inner else []
        if tag == "pre":
            code = element.text_content().strip("\n")
            fence = "~~~~" if "```" in code else "```"
            return [f"{fence}\n{code}\n{fence}"]
        if tag == "table":
            return [self.table(element)]
        if tag == "hr":
            return ["* * *"]
        if tag == "dt":
            text = _collapse(self.inline_children(element))
            return [f"**{text}**"] if text else []
        return self.blocks(element)  # p, div, li outside a list, dd, ...

    def list_block(self, element: etree._Element, ordered: bool) -> str:
        lines: list[str] = []
        number = 0
        for child in element:
            if _tag(child) != "li":
                continue
            number += 1
            marker = f"{number}." if ordered else "-"
            item = "\n\n".join(self.blocks(child)) or " "
            first, *rest = item.split("\n")
            lines.append(f"{marker} {first}")
            lines.extend(f"    {line}" if line else "" for line in rest)
        return "\n".join(lines)

    def table(self, element: etree._Element) -> str:
        rows: list[list[str]] = []
        header_row = False
        for row in element.iter("tr"):
            cells = [c for c in row if _tag(c) in ("td", "th")]
            if not rows:
                header_row = bool(cells) and all(_tag(c) == "th" for c in cells)
            text = [_collapse(self.inline_children(c)).replace("\n", " ").replace("|", "\\|") for c in cells]
            rows.append(text)
        if not rows:
            return ""
        width = max(len(r) for r in rows) or 1
        rows = [r + [""] * (width - len(r)) for r in rows]
        header = rows.pop(0) if header_row else [""] * width
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
        lines.extend("| " + " | ".join(r) + " |" for r in rows)
        return "\n".join(lines)

    def inline_children(self, element: etree._Element) -> str:
        parts = [escape_inline(element.text or "")]
        for child in element:
            tag = _tag(child)
            # Block tags inside inline context (a <p> in a table cell) contribute their text.
            parts.append(self.inline_children(child) if tag in _BLOCK else self.inline(child))
            parts.append(escape_inline(child.tail or ""))
        return "".join(parts)

    def inline(self, element: etree._Element) -> str:
        tag = _tag(element)
        if not tag:  # a comment or processing instruction
            return ""
        if tag in _DROPPED:
            self.dropped.add(_DROPPED[tag])
            return ""
        if tag == "br":
            return _BREAK
        if tag == "img":
            self.dropped.add("images")
            alt = (element.get("alt") or "").strip()
            return escape_inline(f"[image: {alt}]") if alt else ""
        inner = self.inline_children(element)
        if tag in ("strong", "b"):
            return _wrap(inner, "**")
        if tag in ("em", "i"):
            return _wrap(inner, "*")
        if tag in ("code", "tt", "kbd", "samp"):
            code = element.text_content()
            tick = "``" if "`" in code else "`"
            return f"{tick}{code}{tick}" if code.strip() else code
        if tag == "a":
            href = (element.get("href") or "").strip()
            if href.lower().startswith(_SAFE_SCHEMES) and inner.strip():
                return f"[{inner}]({href.replace(' ', '%20').replace(')', '%29')})"
        return inner


def _wrap(inner: str, mark: str) -> str:
    """Emphasis around the text but not its outer spaces (`** x**` would not render)."""
    stripped = inner.strip()
    if not stripped:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{stripped}{mark}{trail}"


def _collapse(text: str) -> str:
    """HTML whitespace rules: runs of whitespace are one space; <br> is a line break."""
    text = re.sub(r"\s+", " ", text)
    return "\n".join(line.strip() for line in text.split(_BREAK)).strip()
