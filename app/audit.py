"""Structured logs: JSON lines, a request id on every line and error page, and every write with who did it.

- Each request gets an id (the proxy's X-Request-ID when it sends a sane one, else a fresh one); it is
  returned in the X-Request-ID header, shown on error pages, and added to every log line of the request.
- Every row the database session inserts, updates or deletes in a request is logged as
  `{"event": "write", "op": "insert", "table": "answers", "id": 12, "user": 7, ...}` by the `app.audit`
  logger: who did what needs no code in each view. Outside a request (CLI, jobs) the user is "system"
  and each flush is one DEBUG line of counts (the commands print their own summary).
- `LOG_LEVEL` sets the level (INFO by default); `LOG_JSON=0` gives plain text for a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

audit_log = logging.getLogger("app.audit")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _actor() -> str | int:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return "anonymous" if has_request_context() else "system"


class ContextFilter(logging.Filter):
    """Adds the request id and the signed-in user to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        if not hasattr(record, "user"):
            try:
                record.user = _actor()
            except Exception:  # noqa: BLE001 - logging must never fail a request (e.g. during teardown)
                record.user = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, user, and any `extra` fields."""

    RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in self.RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _log_writes(session: Session, _context) -> None:
    """In a request, one INFO line per row written; outside one (CLI, jobs, benchmarks) one DEBUG line per
    flush with the counts, so a sync of 600 questions does not print 600 lines."""
    in_request = has_request_context()
    counts: dict[str, int] = {}
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            if op == "update" and not session.is_modified(obj, include_collections=False):
                continue
            if not in_request:
                key = f"{op} {obj.__table__.name}"
                counts[key] = counts.get(key, 0) + 1
                continue
            identity = inspect(obj).mapper.primary_key_from_instance(obj)
            audit_log.info(
                "%s %s",
                op,
                obj.__table__.name,
                extra={
                    "event": "write",
                    "op": op,
                    "table": obj.__table__.name,
                    "id": identity[0] if len(identity) == 1 else list(identity),
                },
            )
    if counts:
        audit_log.debug(
            "system writes: %s",
            ", ".join(f"{k} x{n}" for k, n in sorted(counts.items())),
            extra={"event": "write", "counts": counts},
        )


def init_app(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        JsonFormatter()
        if app.config.get("LOG_JSON", True)
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger("app")
    if not any(getattr(h, "_academy", False) for h in root.handlers):
        handler._academy = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)

    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def return_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response

    @app.context_processor
    def request_id_in_templates() -> dict:
        return {"request_id": request_id()}

    if not event.contains(Session, "after_flush", _log_writes):
        event.listen(Session, "after_flush", _log_writes)
