"""Load the small content set under tests/fixtures into the test database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.extensions import db
from app.services import content_sync
from app.services.content_files import Roots

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def fixture_roots(content: Path = FIXTURES / "content", scenarios: Path = FIXTURES / "scenarios") -> Roots:
    return Roots(content, scenarios, ROOT)


def sync_fixtures(paths: list[Path] | None = None, now: datetime | None = None):
    roots = fixture_roots()
    report = content_sync.sync(paths or [roots.content, roots.scenarios], roots, now or datetime.now(UTC))
    db.session.commit()
    return report
