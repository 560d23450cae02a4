"""Records the page benchmarks need, written straight into the benchmark database."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Scenario, ScenarioAttempt, ScenarioVersion, StudySession
from app.services import accounts, practice
from bench.server import BIN, ROOT
from config import config_for


def prepare_database(env: dict[str, str]) -> None:
    """Migrations, content sync and demo data, as `make run` prepares a database (env names it)."""
    for args in (["db", "upgrade"], ["content", "sync", "--if-present", "--quiet"], ["demo", "seed"]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True)


def app_for(database_url: str):
    config = config_for("development")
    config.SQLALCHEMY_DATABASE_URI = database_url
    return create_app(config)


@dataclass
class PracticeSessions:
    ids: list[int]
    size: int

    def item_path(self, session: int, position: int) -> str:
        return f"/practice/sessions/{self.ids[session]}/items/{position}"

    def all_item_paths(self) -> list[str]:
        return [self.item_path(s, p) for s in range(len(self.ids)) for p in range(self.size)]


def practice_sessions(database_url: str, email: str, sessions: int, size: int = 20) -> PracticeSessions:
    """Study sessions of single-answer items only, so the body `chosen=A` is a valid answer everywhere."""
    with app_for(database_url).app_context():
        user = accounts.find_user(email)
        versions = [v for v in practice.live_versions() if v.type in ("single", "true-false")]
        rng = random.Random(11)
        ids = []
        for _ in range(sessions):
            chosen = rng.sample(versions, size)
            session = StudySession(
                user_id=user.id,
                mode="study",
                planned=size,
                started_at=datetime.now(UTC),
                filters={"bench": True, "version_ids": [v.id for v in chosen]},
            )
            db.session.add(session)
            db.session.flush()
            ids.append(session.id)
        db.session.commit()
    return PracticeSessions(ids, size)


@dataclass
class ScenarioAttempts:
    paths: list[str]
    ref: str


def scenario_attempts(database_url: str, email: str, count: int) -> ScenarioAttempts:
    """Fresh attempts at one scenario, each to receive one decision (the expert's first) during the run."""
    with app_for(database_url).app_context():
        user = accounts.find_user(email)
        scenario = db.session.scalar(
            select(Scenario).where(Scenario.retired_at.is_(None)).order_by(Scenario.slug)
        )
        version = db.session.get(ScenarioVersion, scenario.current_version_id)
        now = datetime.now(UTC)
        ids = []
        for _ in range(count):
            attempt = ScenarioAttempt(
                user_id=user.id,
                scenario_id=scenario.id,
                version_id=version.id,
                log=[],
                started_at=now,
                updated_at=now,
                decision_seconds=[],
            )
            db.session.add(attempt)
            db.session.flush()
            ids.append(attempt.id)
        db.session.commit()
        return ScenarioAttempts([f"/scenarios/attempts/{i}/decide" for i in ids], version.max_score_path[0])
