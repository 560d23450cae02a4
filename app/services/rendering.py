"""Render authors' Markdown in a child process under a hard time budget, so no text can hold a web worker.

Python-Markdown takes time quadratic in many shapes of input (runs of `<a `, setext or `#` headings
without blank lines, definition lists, deep `>` nesting...: docs/hardening.md has the measurements), so
refusing shapes one by one would never be complete. Instead the editor preview, submitting and
publishing render in a child process (`python -I app/domain/markdown_render.py`) that is killed when it
runs over `RENDER_BUDGET_SECONDS`: the worker only waits, then says the text takes too long to render.
Nothing is kept between requests. `flask content sync` renders in its own process and needs no budget.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections.abc import Callable, Sequence

from flask import current_app

from app.domain import markdown_render
from app.domain.markdown_render import MarkdownRenderer
from app.services import ServiceError


class RenderTooSlow(ServiceError):
    """The text could not be rendered within the budget; `batch` is the one still rendering (or None)."""

    def __init__(self, message: str, batch: int | None):
        super().__init__(message, 422)
        self.batch = batch


class _RecordingRenderer(MarkdownRenderer):
    """A dry run: notes every batch of fragments a build asks for and answers blanks."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []

    def render(self, text: str) -> str:
        return self.render_many([text])[0]

    def render_many(self, fragments: list[str]) -> list[str]:
        self.batches.append(list(fragments))
        return [""] * len(fragments)


class _PrerenderedRenderer(MarkdownRenderer):
    """Answers the batches rendered by the child; anything else (never expected) renders here."""

    def __init__(self, batches: Sequence[list[str]], html: Sequence[list[str]]) -> None:
        super().__init__()
        self._done = {tuple(batch): list(out) for batch, out in zip(batches, html, strict=True)}

    def render(self, text: str) -> str:
        done = self._done.get((text,))
        return done[0] if done is not None else super().render(text)

    def render_many(self, fragments: list[str]) -> list[str]:
        done = self._done.get(tuple(fragments))
        return list(done) if done is not None else super().render_many(fragments)


def prerender(build: Callable[[MarkdownRenderer], object], seconds: float | None = None) -> MarkdownRenderer:
    """A renderer holding everything `build(renderer)` renders, rendered in a child within `seconds`.

    `build` is called once with a recording renderer (it must not write anything); the caller then
    builds for real with the returned renderer. Raises RenderTooSlow when the child runs over budget
    (it is killed) or fails (e.g. nesting too deep for the parser).
    """
    recorder = _RecordingRenderer()
    build(recorder)
    if not recorder.batches:
        return MarkdownRenderer()
    budget = seconds if seconds is not None else current_app.config["RENDER_BUDGET_SECONDS"]
    return _PrerenderedRenderer(recorder.batches, render_in_child(recorder.batches, budget))


def render_in_child(batches: list[list[str]], seconds: float, start_seconds: float = 10) -> list[list[str]]:
    """Each batch rendered with MarkdownRenderer.render_many in a fresh process, killed after `seconds`.

    The budget counts from the moment the child has imported its libraries (it says "ready" on stderr),
    so a busy machine that is slow to start Python does not refuse ordinary text.
    """
    command = [sys.executable, "-I", markdown_render.__file__]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        try:
            ready, _, _ = select.select([child.stderr], [], [], start_seconds)
            if not ready or child.stderr.readline().strip() != "ready":
                raise subprocess.TimeoutExpired(command, start_seconds)
            out, err = child.communicate(json.dumps(batches), timeout=seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            _, err = child.communicate()
            raise RenderTooSlow(
                f"this text takes too long to render: it was stopped after {seconds:g} s. Long runs of the "
                "same markup (`<`, `#` or `=` lines without blank lines between them, `:` definitions, "
                "deep `>` or list nesting) cost time that grows with the square of their length: shorten "
                "or split them.",
                _last_batch(err),
            ) from None
    if child.returncode != 0:
        raise RenderTooSlow(
            "this text cannot be rendered (the Markdown parser gave up, e.g. nesting too deep): "
            "simplify its markup.",
            _last_batch(err),
        )
    return json.loads(out)


def _last_batch(stderr: str | bytes | None) -> int | None:
    if isinstance(stderr, bytes):
        stderr = stderr.decode(errors="replace")
    numbers = [line for line in (stderr or "").splitlines() if line.isdigit()]
    return int(numbers[-1]) if numbers else None
