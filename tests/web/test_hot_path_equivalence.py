"""The hot paths on Core rows (app.services.practice_rows, scenario_rows) against the ORM reference
(app.services.practice, scenarios.choose): one scripted sequence of a trainee's requests, replayed on a
fresh database with HOT_PATH_ROWS on and again with it off, must leave the same rows in every table and
answer every request with the same status code. The script holds the cases that have rules of their
own: right and wrong answers of every item type the bank holds, an invalid form, a double submit, a review session that
re-serves a missed item, scenario decisions from a stale tab, a refused choice and a write-up."""

from __future__ import annotations

import random
import re
import shutil
from datetime import UTC, datetime, timedelta
from itertools import count
from types import SimpleNamespace

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import QuestionVersion, ScenarioAttempt, StudySession
from app.services import content_sync
from tests import factories
from tests.conftest import _empty_all_tables, csrf_token, login
from tests.content_fixtures import FIXTURES, fixture_roots

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VOLATILE = re.compile(r'(name="csrf_token"|name="served_at")[^>]*>|<meta name="csrf-token"[^>]*>')
# Stamped with the wall clock while the world is built (factories, not the hot paths): never equal.
WALL_CLOCK = {("users", "password_hash"), ("users", "created_at"), ("cohorts", "created_at")}
# The attempt's compare-and-set counter promises only to change whenever the row does: the ORM bumps it
# once per flush (a finishing decision flushes twice), the Core path once per decision. Compared as
# "written since it started", not as a number.
COUNTERS = {("scenario_attempts", "row_version"): lambda value: value > 1}


def _response(version: QuestionVersion, right: bool) -> dict:
    """Form fields answering `version` right or wrong, whatever its type."""
    if version.type == "numeric":
        return {"value": str(version.answer if right else version.answer + 1000)}
    if version.type == "matching":
        prompts = [o for o in version.options if o.get("role") == "prompt"]
        answers = [o["key"] for o in version.options if o.get("role") == "answer"]
        if right:
            return {"chosen": [f"{p['key']}={p['match']}" for p in prompts]}
        return {"chosen": [f"{prompts[0]['key']}={next(a for a in answers if a != prompts[0]['match'])}"]}
    if version.type == "short":
        accepted = [o["text"] for o in version.options if o.get("role") == "accepted"]
        return {"chosen": accepted[0] if right else "certainly not this"}
    keys = (
        version.correct_keys
        if right
        else [k for k in version.option_keys if k not in version.correct_keys][:1]
    )
    return {"chosen": keys if version.type == "multiple" else keys[0]}


class Trainee:
    """A client that records the status code of every request it sends."""

    def __init__(self, client, clock):
        self.client, self.clock, self.codes, self.pages = client, clock, [], []

    def get(self, url: str):
        response = self.client.get(url)
        self.codes.append(("GET", url, response.status_code))
        self._keep(url, response)
        return response

    def post(self, url: str, data: dict):
        response = self.client.post(url, data=data)
        self.codes.append(("POST", url, response.status_code))
        self._keep(url, response)
        return response

    def _keep(self, url: str, response) -> None:
        """The HTML of every practice item page and re-rendered form, without what differs per request."""
        if "/items/" in url and response.status_code == 200:
            self.pages.append(VOLATILE.sub("", response.get_data(as_text=True)))


def _answer_session(trainee: Trainee, session_id: int, token: str, rule) -> None:
    """Answer every position of the session (its length can grow: a missed review item comes back)."""
    position = 0
    while position < db.session.get(StudySession, session_id).planned:
        url = f"/practice/sessions/{session_id}/items/{position}"
        trainee.get(url)
        session = db.session.get(StudySession, session_id)
        version = db.session.get(QuestionVersion, session.filters["version_ids"][position])
        db.session.expire_all()
        fields = _response(version, rule(position))
        if position == 1:  # no certainty given: the page comes back with the error, nothing is stored
            trainee.post(url, {"csrf_token": token, **fields})
        trainee.post(url, {"csrf_token": token, "confidence": "medium", **fields})
        if position == 0:  # the same form sent again: counted once
            trainee.post(url, {"csrf_token": token, "confidence": "high", **_response(version, not rule(0))})
        position += 1
    trainee.get(f"/practice/sessions/{session_id}/summary")


def _play_scenario(trainee: Trainee, token: str, refs: list[str]) -> None:
    """Start the fixture scenario and take `refs` in turn (the player also accepts a plain ref), with a
    refused choice, a tab one decision behind and an empty write-up on the way, then one decision more
    on the finished attempt."""
    trainee.post("/scenarios/fx-split-shipment/start", {"csrf_token": token})
    attempt_id = db.session.scalar(select(ScenarioAttempt.id).order_by(ScenarioAttempt.id.desc()))
    decide = f"/scenarios/attempts/{attempt_id}/decide"
    for turn, ref in enumerate(refs):
        assert trainee.get(f"/scenarios/attempts/{attempt_id}").status_code == 200
        if turn == 0:
            trainee.post(decide, {"csrf_token": token, "ref": "start/999", "step": "0"})
        if turn == 1:
            trainee.post(decide, {"csrf_token": token, "ref": refs[0], "step": "0"})
            trainee.post(decide, {"csrf_token": token, "ref": ref, "step": "1", "text": "  "})
        trainee.post(
            decide, {"csrf_token": token, "ref": ref, "step": str(turn), "text": "Line 1 ships today."}
        )
    trainee.get(f"/scenarios/attempts/{attempt_id}/debrief")
    trainee.post(decide, {"csrf_token": token, "ref": refs[0], "step": str(len(refs))})


def _bank(tmp_path) -> None:
    """The fixture questions plus the matching and short-answer items, and the fixture scenario."""
    content = tmp_path / "content"
    if not content.exists():
        shutil.copytree(FIXTURES / "content", content)
        shutil.copy(
            FIXTURES / "question_types" / "matching_and_short.md", content / "questions" / "new_types.md"
        )
    roots = fixture_roots(content, FIXTURES / "scenarios")
    content_sync.sync([content / "questions", FIXTURES / "scenarios"], roots, START)
    db.session.commit()


def _replay(app, monkeypatch, tmp_path, hot_path_rows: bool) -> tuple[dict, list, list]:
    monkeypatch.setitem(app.config, "HOT_PATH_ROWS", hot_path_rows)
    seeds = count()
    monkeypatch.setattr("app.services.practice.new_seed", lambda: f"seed{next(seeds):04d}")
    monkeypatch.setattr("app.services.scenarios.new_seed", lambda: f"seed{next(seeds):04d}")
    monkeypatch.setattr("app.practice.routes.random", SimpleNamespace(Random=lambda: random.Random(17)))
    clock = SimpleNamespace(now=START)
    monkeypatch.setattr("app.clock.now", lambda: clock.now)
    world = factories.world()
    _bank(tmp_path)
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    client = app.test_client()  # a browser of its own: no cookie from the other replay
    login(client, world.trainee.email)
    trainee = Trainee(client, clock)
    token = csrf_token(client, "/practice/")

    trainee.post("/practice/study", {"csrf_token": token, "size": "10"})
    study = db.session.scalar(select(StudySession.id).order_by(StudySession.id.desc()))
    _answer_session(trainee, study, token, lambda position: position % 3 != 1)
    clock.now = START + timedelta(days=3)  # the missed items are due
    trainee.post("/practice/review", {"csrf_token": token})
    review = db.session.scalar(select(StudySession.id).order_by(StudySession.id.desc()))
    _answer_session(trainee, review, token, lambda position: position != 0)  # the first comes back
    clock.now = START + timedelta(days=3, hours=1)
    _play_scenario(trainee, token, ["start/3"])  # the critical error: a decision review card
    _play_scenario(trainee, token, ["start/1", "note/next"])  # a write-up, then the good ending

    db.session.expire_all()
    rows = {
        table.name: [
            {
                k: COUNTERS.get((table.name, k), lambda value: value)(v)
                for k, v in row._mapping.items()
                if (table.name, k) not in WALL_CLOCK
            }
            for row in db.session.execute(select(table).order_by(*table.primary_key.columns))
        ]
        for table in db.metadata.sorted_tables
    }
    db.session.rollback()
    _empty_all_tables()  # the next replay starts from a fresh database: ids start again at 1
    db.session.commit()
    db.session.expunge_all()
    return rows, trainee.codes, trainee.pages


def test_rows_and_status_codes_are_those_of_the_orm_reference(app, monkeypatch, tmp_path):
    fast_rows, fast_codes, fast_pages = _replay(app, monkeypatch, tmp_path, hot_path_rows=True)
    reference_rows, reference_codes, reference_pages = _replay(
        app, monkeypatch, tmp_path, hot_path_rows=False
    )

    assert fast_codes == reference_codes
    assert len(fast_pages) > 15 and fast_pages == reference_pages  # the same HTML, field names and errors
    codes = {code for _, _, code in fast_codes}
    assert {200, 302, 400, 409} <= codes, "the script must reach every kind of answer"
    touched = {name for name, rows in fast_rows.items() if rows}
    assert {
        "answers",
        "review_cards",
        "trainee_domain_stats",
        "trainee_readiness",
        "study_sessions",
        "scenario_attempts",
        "decision_review_cards",
    } <= touched
    assert [a["mode"] for a in fast_rows["answers"]].count("review") >= 2
    answered_types = {
        v["type"]
        for v in fast_rows["question_versions"]
        if v["id"] in {a["question_version_id"] for a in fast_rows["answers"]}
    }
    assert {"single", "multiple", "numeric", "matching", "short"} <= answered_types
    assert ("POST", "/scenarios/attempts/2/decide", 409) in fast_codes  # the stale tab
    assert [a["log"] for a in fast_rows["scenario_attempts"]] == [["start/3"], ["start/1", "note/next"]]
    assert [w["text"] for w in fast_rows["scenario_writeups"]] == ["Line 1 ships today."]
    for name in fast_rows:
        assert fast_rows[name] == reference_rows[name], name
