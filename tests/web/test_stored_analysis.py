"""Scenario versions keep the path analysis sync made, so scoring and debriefs never explore paths in a
web worker; versions synced before it was kept get it at the next sync (migration 0025)."""

from __future__ import annotations

import json

from sqlalchemy import null, select, update

from app.domain.scenarios import analyse, parse_scenario
from app.domain.scenarios.analysis import Analysis
from app.extensions import db
from app.models import ScenarioVersion
from app.services import content_sync, scenarios
from tests.web.test_scenarios import _attempt, _decide, _start


def _analysed_now(version: ScenarioVersion) -> Analysis:
    scenario, _ = parse_scenario(version.source, version.source_path)
    return analyse(scenario)


def test_sync_stores_each_versions_path_analysis_as_plain_json(app, bank):
    versions = db.session.scalars(select(ScenarioVersion)).all()
    assert versions
    for version in versions:
        json.dumps(version.analysis, allow_nan=False)  # PostgreSQL's JSON takes no NaN or Infinity
        assert Analysis.from_json(version.analysis) == _analysed_now(version)


def test_a_new_worker_scores_and_debriefs_a_run_without_exploring_paths(
    client, world, bank, signed_in, monkeypatch
):
    monkeypatch.setattr(
        scenarios.engine, "analyse", lambda model: (_ for _ in ()).throw(AssertionError(model.id))
    )
    scenarios._parse.cache_clear()
    scenarios._analyse.cache_clear()  # as in a freshly started worker
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/1", 0)
    done = _decide(client, attempt.id, "note/next", 1, text="SO-9001 line 1 ships today, line 2 Friday.")
    assert done.headers["Location"].endswith("/debrief")
    db.session.refresh(attempt)
    assert attempt.finished and attempt.total == 100
    debrief = client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    assert "100 / 100" in debrief and "You followed the expert path" in debrief


def test_versions_synced_before_the_analysis_was_kept_get_it_at_the_next_sync(app, bank):
    db.session.execute(update(ScenarioVersion).values(analysis=null()))  # what migration 0025 leaves
    db.session.expire_all()
    assert (
        db.session.scalars(select(ScenarioVersion).where(ScenarioVersion.analysis.is_not(None))).all() == []
    )
    old = db.session.scalars(select(ScenarioVersion)).first()
    assert scenarios.parsed(old)[1] == _analysed_now(old)  # meanwhile analysed in the worker, as before

    filled = content_sync.store_missing_analyses()
    versions = db.session.scalars(select(ScenarioVersion)).all()
    assert filled == len(versions)
    assert all(Analysis.from_json(v.analysis) == _analysed_now(v) for v in versions)
    assert content_sync.store_missing_analyses() == 0
