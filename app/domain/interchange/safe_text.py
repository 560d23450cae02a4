"""What leaves the app in an export is what the app itself shows: authored Markdown with raw HTML goes out
as its sanitised rendering turned back into Markdown, never the author's HTML (a `&#106;avascript:` link
that the linter cannot see would otherwise reach the next system as written). Text without raw HTML goes
out unchanged, so export then import stays an identity for ordinary questions.
"""

from __future__ import annotations

import re

from app.domain.interchange.html_to_markdown import html_to_markdown
from app.domain.markdown_render import render_markdown

RAW_HTML = re.compile(r"<[A-Za-z!/?]|&#")


def exportable(markdown: str) -> str:
    if not RAW_HTML.search(markdown):
        return markdown
    return html_to_markdown(render_markdown(markdown)).markdown
