"""Services: load rows, call the domain, persist. They flush; the caller (a route or command) commits."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Executable

from app.extensions import db


class ServiceError(Exception):
    """A request a service cannot carry out. `status` is the HTTP status to answer with, and the message
    says what was wrong and what to do; app/errors.py renders it for every feature the same way."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@lru_cache(maxsize=16)
def _parsed_file(path: str, mtime: float, parse: Callable[[str, str], tuple[Any, list]]) -> Any:
    value, problems = parse(Path(path).read_text(encoding="utf-8"), path)
    if value is None:
        raise ServiceError(
            f"{path} has errors: " + "; ".join(map(str, problems)) + ". Run flask content check.", 500
        )
    return value


def load_content_file(path: Path, parse: Callable[[str, str], tuple[Any, list]]) -> Any:
    """A checked content file (blueprint, policy), parsed once per change of the file (keyed by mtime)."""
    return _parsed_file(str(path), path.stat().st_mtime, parse)


def run_core(statement: Executable, params: dict[str, Any] | None = None) -> CursorResult:
    """A Core statement on the request session's connection, inside its transaction. For the hot paths
    (practice_rows, aggregate_rows), which build no ORM objects: the ORM session's execute adds an
    autoflush and its ORM execution plugins to every statement, a tenth of an answer POST's CPU."""
    return db.session.connection().execute(statement, params)
