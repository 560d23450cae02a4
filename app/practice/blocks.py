"""Rendered pieces of the practice pages that never change: a question version is immutable, so the HTML
of its question block (meta line, prompt, stem) is rendered once per worker and reused."""

from __future__ import annotations

from collections import OrderedDict

from flask import render_template
from markupsafe import Markup

from app.models import QuestionVersion

MAX_BLOCKS = 2048  # about 2 kB each: a few MB per worker at most
_blocks: OrderedDict[tuple[int, str], Markup] = OrderedDict()


def question_block(version: QuestionVersion) -> Markup:
    """The version's question block as practice/_question.html renders it. Keyed by id and content hash:
    a test database that reuses an id for other content gets its own entry."""
    key = (version.id, version.content_hash)
    block = _blocks.get(key)
    if block is None:
        block = Markup(render_template("practice/_question.html", version=version))
        _blocks[key] = block
        if len(_blocks) > MAX_BLOCKS:
            _blocks.popitem(last=False)
    else:
        _blocks.move_to_end(key)
    return block
