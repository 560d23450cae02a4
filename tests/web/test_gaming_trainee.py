"""The gaming trainee of issue 11, through the web pages on the shipped bank and scenarios.

A trainee with no knowledge answers every new question at random, reads each rationale, and from then on
answers that question with its key (in the session's re-ask, in reviews, in new study sessions); it plays
each scenario once at random and then replays it along the expert path its debrief showed. An expert does
the same amount of work, right the first time. The readiness page must tell them apart: the gamer reads
"Not yet" (the evidence minimums are met, so the verdict is decided on the evidence it counts), and the
expert reads better. Everything goes through the HTTP routes a browser would use.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import select

from app import clock
from app.domain.shuffle import token
from app.extensions import db
from app.models import Scenario, ScenarioAttempt, StudySession, TraineeReadiness
from app.services import content_sync, practice, scenarios
from app.services.content_files import Roots
from tests import factories
from tests.conftest import login
from tests.content_fixtures import ROOT

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT = re.compile(r'<input[^>]*name="(chosen|value)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')
REF_BUTTON = re.compile(r'<button[^>]*name="ref" value="([^"]+)"')
DOMAINS = [f"D{n}" for n in range(1, 10)]


@pytest.fixture
def days(monkeypatch):
    """A clock for the views that the test moves on: reviews fall due, as on the trainee's real calendar."""
    state = {"now": datetime(2026, 12, 1, 8, 0, tzinfo=UTC)}
    monkeypatch.setattr(clock, "now", lambda: state["now"])

    def later(hours: float) -> None:
        state["now"] += timedelta(hours=hours)

    return later


@pytest.fixture
def shipped(app, monkeypatch):
    """The shipped content and scenarios, synced, with the app reading the shipped policy and blueprint."""
    monkeypatch.setitem(app.config, "CONTENT_DIR", str(ROOT / "content"))
    monkeypatch.setitem(app.config, "SCENARIOS_DIR", str(ROOT / "scenarios"))
    roots = Roots(ROOT / "content", ROOT / "scenarios", ROOT)
    content_sync.sync([roots.content, roots.scenarios], roots, datetime.now(UTC))
    db.session.commit()


def _forget_signed_in_user() -> None:
    """The tests share one app context, where Flask-Login and Flask-WTF cache the last client's user and
    token: forget them before another trainee's client makes a request."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


class WebTrainee:
    """A trainee who only uses the pages: GET a page, read its form, POST what a person would."""

    def __init__(self, app, user, knows: bool, seed: int):
        _forget_signed_in_user()
        self.client = app.test_client()
        assert login(self.client, user.email).status_code == 302
        self.user, self.knows, self.rng = user, knows, random.Random(seed)
        self.rationales_read: set[int] = set()  # question ids whose rationale this trainee has seen
        self.passes: list[bool] = []  # scenario runs passed, in the order played

    def _csrf(self, html: str) -> str:
        return CSRF.search(html).group(1)

    def _post(self, path: str, data: dict, page: str) -> str:
        response = self.client.post(path, data={"csrf_token": self._csrf(page), **data})
        assert response.status_code in (200, 302), (path, response.status_code)
        return response.headers.get("Location", path)

    def study(self, **settings) -> None:
        page = self.client.get("/practice/").get_data(as_text=True)
        self._answer_all(self._post("/practice/study", settings, page))

    def review(self) -> None:
        page = self.client.get("/practice/").get_data(as_text=True)
        if 'action="/practice/review"' in page:
            self._answer_all(self._post("/practice/review", {}, page))

    def _answer_all(self, location: str) -> None:
        session_id = int(re.search(r"/sessions/(\d+)", location).group(1))
        while True:
            response = self.client.get(f"/practice/sessions/{session_id}")
            if "/summary" in response.headers["Location"]:
                return
            self._answer(session_id, response.headers["Location"])

    def _answer(self, session_id: int, path: str) -> None:
        page = self.client.get(path).get_data(as_text=True)
        position = int(path.rstrip("/").rsplit("/", 1)[1])
        version = practice.session_version(db.session.get(StudySession, session_id), position)
        keyed = self.knows or version.question_id in self.rationales_read
        inputs = INPUT.findall(page)
        if version.type == "numeric":
            data = {"value": str(version.answer if keyed else self.rng.uniform(0, 1000))}
        else:
            shown = [
                VALUE.search(tag).group(1) for tag in re.findall(r'<input[^>]*name="chosen"[^>]*>', page)
            ]
            assert inputs and set(shown) == set(version.option_keys), "the page offers the item's options"
            data = {"chosen": list(version.correct_keys) if keyed else [self.rng.choice(shown)]}
        self._post(path, {**data, "confidence": "high", "served_at": ""}, page)
        feedback = self.client.get(path).get_data(as_text=True)
        assert 'id="verdict"' in feedback and "<h3>Explanation</h3>" in feedback, "the feedback shows the key"
        self.rationales_read.add(version.question_id)

    def play(self, slug: str, expert: bool) -> bool:
        page = self.client.get("/scenarios/").get_data(as_text=True)
        location = self._post(f"/scenarios/{slug}/start", {}, page)
        attempt_id = int(re.search(r"/attempts/(\d+)", location).group(1))
        attempt = db.session.get(ScenarioAttempt, attempt_id)
        _, analysis = scenarios.parsed(attempt.version)
        path = list(analysis.max_score_path)
        while True:
            response = self.client.get(f"/scenarios/attempts/{attempt_id}")
            if response.status_code == 302:
                break
            page = response.get_data(as_text=True)
            buttons = REF_BUTTON.findall(page)
            writeup = len(buttons) == 1 and buttons[0].endswith("/next")
            if writeup:
                ref = buttons[0]
            elif expert:
                ref = token(attempt.seed, path[len(db.session.get(ScenarioAttempt, attempt_id).log)])
                assert ref in buttons, "the expert choice is one of the buttons on the page"
            else:
                ref = self.rng.choice(buttons)
            step = len(db.session.get(ScenarioAttempt, attempt_id).log)
            self._post(
                f"/scenarios/attempts/{attempt_id}/decide",
                {"ref": ref, "step": step, "served_at": "", "text": "Called the customer back; logged it."},
                page,
            )
            db.session.expire_all()
        return bool(db.session.get(ScenarioAttempt, attempt_id).passed)

    def verdict(self) -> tuple[str, float | None]:
        _forget_signed_in_user()
        page = self.client.get("/readiness/").get_data(as_text=True)
        h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
        label = re.sub(r"<[^>]+>", " ", h1).split("Readiness for the senior desk")[-1].strip()
        stored = db.session.get(TraineeReadiness, self.user.id)
        probability = stored.report["result"]["pass_probability"] if stored and stored.report else None
        return label, probability["p"] if probability else None


def _scenario_plan() -> list[str]:
    """Nine scenarios covering eight exception types, two of them at senior difficulty."""
    rows = [s.current_version for s in db.session.scalars(select(Scenario).order_by(Scenario.slug))]
    chosen = [r for r in rows if r.difficulty == "senior"][:2]
    types = set().union(*(r.exception_types for r in chosen))
    for row in rows:
        if row not in chosen and (set(row.exception_types) - types or len(types) >= 8):
            chosen.append(row)
            types |= set(row.exception_types)
        if len(chosen) == 9:
            break
    assert len(types) >= 8
    return [r.scenario.slug for r in chosen]


def _train(trainee: WebTrainee, slugs: list[str], later) -> None:
    """Two weeks of practice: new items by domain, then each day's due reviews and more study."""
    for domain in DOMAINS:
        trainee.study(domains=[domain], size=20)
    trainee.study(topics=["root-cause", "retailer-chargebacks", "returns-rate"], size=20)
    for day in range(14):
        later(24)
        trainee.review()
        trainee.study(domains=[DOMAINS[day % 9]], size=5)
    for slug in slugs:
        trainee.passes.append(trainee.play(slug, expert=trainee.knows))
        trainee.passes.append(trainee.play(slug, expert=True))  # the replay along the debriefed path


def test_the_gaming_trainee_reads_not_yet_and_the_expert_does_not(app, shipped, days):
    gamer_user = factories.user(factories.Role.TRAINEE, email="gamer@example.test")
    expert_user = factories.user(factories.Role.TRAINEE, email="expert@example.test")
    factories.cohort(trainees=[gamer_user, expert_user])
    db.session.commit()
    slugs = _scenario_plan()
    assert len(slugs) == 9

    gamer = WebTrainee(app, gamer_user, knows=False, seed=11)
    _train(gamer, slugs, days)
    expert = WebTrainee(app, expert_user, knows=True, seed=12)
    _train(expert, slugs, days)

    gamer_verdict, gamer_p = gamer.verdict()
    expert_verdict, expert_p = expert.verdict()
    assert all(gamer.passes[1::2]), "every replay along the expert path passed: the gaming was done"
    assert gamer_verdict == "Not yet", (gamer_verdict, gamer_p)
    assert expert_verdict in ("Almost", "Ready"), (expert_verdict, expert_p)
    assert gamer_p is not None and gamer_p < 0.05, "P(pass) counts the gamer's first answers only"
    assert expert_p is not None and expert_p > 0.8
