"""content_sync benchmark: first sync of 10,000 generated questions, an unchanged re-sync, and bare
Python-Markdown rendering of the same text, in one run (keys sync_first_s, sync_again_s, bare_render_s)."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import markdown

from app import create_app
from app.domain.markdown_render import EXTENSIONS
from app.extensions import db
from app.services import content_sync
from app.services.content_files import Roots
from bench.gen_questions import generate
from config import TestConfig

QUESTIONS = 10_000


def run(count: int = QUESTIONS) -> dict:
    work = Path(tempfile.mkdtemp(prefix="oda-sync-"))
    questions = work / "content" / "questions"
    questions.mkdir(parents=True)
    (work / "scenarios").mkdir()
    files = generate(count, seed=7)
    for name, text in files.items():
        (questions / name).write_text(text, encoding="utf-8")

    started = time.perf_counter()
    for text in files.values():
        markdown.markdown(text, extensions=EXTENSIONS)
    bare = time.perf_counter() - started

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'sync.sqlite3'}"
    app = create_app(config)
    roots = Roots(work / "content", work / "scenarios", work)
    with app.app_context():
        db.create_all()
        first = _timed_sync(roots)
        again = _timed_sync(roots)
    result = {
        "questions": count,
        "sync_first_s": round(first, 3),
        "sync_again_s": round(again, 3),
        "bare_render_s": round(bare, 3),
        "first_vs_bare": round(first / bare, 2),
        "again_vs_first": round(again / first, 3),
    }
    print(
        f"content_sync: first {first:.2f} s, again {again:.2f} s, bare rendering {bare:.2f} s "
        f"(first = {first / bare:.2f} x bare; target <= 3; again = {again / first:.3f} x first; target <= 0.10)"
    )
    return result


def _timed_sync(roots: Roots) -> float:
    started = time.perf_counter()
    content_sync.sync([roots.content, roots.scenarios], roots, datetime.now(UTC))
    db.session.commit()
    return time.perf_counter() - started


if __name__ == "__main__":
    run()
