"""Render authored Markdown to sanitised HTML, and spot raw HTML that could run script."""

from __future__ import annotations

import json
import re
import sys
from html import escape as html_escape

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list", "def_list"]

# Tags and attributes an author may use; everything else is stripped by nh3.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "code": {"class"},
}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Authors may not use the app's own CSS classes (a fake banner or "Sign in again" button); the only
    class kept is the language of a fenced code block."""
    if attribute == "class":
        return value if tag == "code" and re.fullmatch(r"language-[a-z0-9+#-]+", value) else None
    return value


UNSAFE_HTML = [
    (
        re.compile(r"<\s*(script|style|iframe|object|embed|form|link|meta|base)\b", re.I),
        "raw <{0}> tag is not allowed: it could run script or restyle the page",
    ),
    # `[^<>]` rather than `[^>]`: the same lines match (a search restarts at the last `<` before the
    # handler), but a line of 30,000 unclosed `<a ` takes linear time instead of 40 s.
    (re.compile(r"<[^<>]*\son[a-z]+\s*=", re.I), "HTML event handler attribute (on...=) is not allowed"),
    (re.compile(r"javascript\s*:", re.I), "javascript: URL is not allowed"),
]


# Python-Markdown's link parsing takes time quadratic in the number of unmatched `[` (5,000 of them cost
# 2.5 s, 20,000 cost 41 s): one author could stall every worker. Real content uses a handful per line.
MAX_BRACKETS_PER_LINE = 200
MAX_BRACKETS_PER_TEXT = 2000


def unsafe_html(text: str) -> list[tuple[int, str]]:
    """Return (0-based line offset, message) for each piece of raw HTML that could run script, and for a
    line with so many `[` that rendering it would stall the server."""
    found: list[tuple[int, str]] = []
    for offset, line in enumerate(text.splitlines()):
        if line.count("[") > MAX_BRACKETS_PER_LINE:
            found.append(
                (
                    offset,
                    f"more than {MAX_BRACKETS_PER_LINE} `[` on one line would take the server "
                    "minutes to render",
                )
            )
        for pattern, message in UNSAFE_HTML:
            match = pattern.search(line)
            if match:
                found.append((offset, message.format(*(g.lower() for g in match.groups()))))
    return found


_SPLIT = "ODA-FRAGMENT-BREAK-5f1c"


def strip_paragraph(html: str) -> str:
    """`<p>text</p>` -> `text`, for one-line fragments shown inline (prompts, option labels)."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


class MarkdownRenderer:
    """A reusable Python-Markdown instance plus nh3; reset between documents, so cheap to call often."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=EXTENSIONS,
            # `---:` columns as align="right" (kept by the sanitiser; the stylesheet honours it), not as a
            # style attribute, which the sanitiser strips: amounts in case files line up on the right.
            extension_configs={"tables": {"use_align_attribute": True}},
            output_format="html",
        )

    def render(self, text: str) -> str:
        if not text.strip():
            return ""
        if text.count("[") > MAX_BRACKETS_PER_TEXT:  # refuse the pathological case whoever calls us
            return "<p>" + html_escape(text) + "</p>"
        html = self._md.reset().convert(text)
        return nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            attribute_filter=_attribute_filter,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer external",
        )

    def render_many(self, fragments: list[str]) -> list[str]:
        """Render several independent fragments in one pass (one parser run instead of one per fragment).

        Fragments are joined with a marker paragraph and the HTML is split on it again; this is what
        keeps a sync of thousands of questions close to the cost of rendering their text once.
        """
        if len(fragments) <= 1:
            return [self.render(f) for f in fragments]
        joined = f"\n\n{_SPLIT}\n\n".join(f.strip() for f in fragments)
        if joined.count("[") > MAX_BRACKETS_PER_TEXT:  # each fragment stands on its own limit
            return [self.render(f) for f in fragments]
        parts = self.render(joined).split(f"<p>{_SPLIT}</p>")
        if len(parts) != len(fragments):  # a fragment swallowed a marker (e.g. an open code block)
            return [self.render(f) for f in fragments]
        return [part.strip() for part in parts]

    def render_inline(self, text: str) -> str:
        """Render a one-line fragment without the surrounding <p>."""
        return strip_paragraph(self.render(text))


def render_markdown(text: str) -> str:
    return MarkdownRenderer().render(text)


def _render_batches_from_stdin() -> None:
    """The child process of app.services.rendering: JSON batches of fragments in, their HTML out.

    It says "ready" on stderr once its libraries are loaded (the parent's budget starts then) and names
    each batch there before rendering it, so a parent that kills it over budget knows which was too slow.
    """
    renderer = MarkdownRenderer()
    print("ready", file=sys.stderr, flush=True)
    batches = json.load(sys.stdin)
    done = []
    for number, fragments in enumerate(batches):
        print(number, file=sys.stderr, flush=True)
        done.append(renderer.render_many(fragments))
    json.dump(done, sys.stdout)


if __name__ == "__main__":
    _render_batches_from_stdin()
