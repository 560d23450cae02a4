"""Believable practice histories for the demo trainees: answers and scenario runs over several weeks.

Each trainee gets a hidden skill and a level of effort, so the cohort spans every verdict: a few ready,
some almost, many not yet, some with too little evidence, one or two who stalled. Answers follow a
logistic model of skill against the author's difficulty, with learning over time; scenario runs are
walks through the real scenario graphs that take the expert's choice more often the more skilled the
trainee. Everything goes through the same engine and aggregate code the app uses.

The desk keeps up: every day the trainee reviews what is due (up to the app's daily limit) before studying,
and after their last study day (or promotion check, see demo_checks) goes on with the daily reviews while
more than one day's limit would be waiting at seed time, so that a trainee opens the demo with at most a
day's reviews, never a backlog the daily limit would spread over several days.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from app.domain import review as spaced
from app.domain import scenarios as engine
from app.domain.scenarios import NodeKind
from app.domain.shuffle import new_seed
from app.extensions import db
from app.models import (
    Answer,
    QuestionVersion,
    ReviewCard,
    Scenario,
    ScenarioAttempt,
    ScenarioVersion,
    StudySession,
    User,
    WriteUp,
)
from app.services import practice, progress
from app.services.scenarios import parsed

WEEKS = 6
ITEM_PRACTICE_GAIN = 0.4  # logits per earlier answer to the same item, up to four


@dataclass(frozen=True)
class Persona:
    skill: float  # logits
    answers: int  # how many questions over the period
    runs: int  # scenario runs over the period
    stalled_days: int  # days between the last study day and yesterday
    asks_for_check: bool = False  # requests a promotion check once practice reads Ready (demo_checks)


def persona(index: int, rng: random.Random) -> Persona:
    """Trainee 1-4 strong and busy (1-3 ask for a promotion check once practice reads Ready, 4 has not yet,
    so that the cohort has Almost trainees beside the Ready), 5-10 good, 11-17 busy but weak, 18-22
    middling, 23-27 light, 28-30 stalled or new."""
    if index <= 4:
        return Persona(
            1.6 + rng.random() * 0.6,
            rng.randint(190, 240),
            rng.randint(11, 14),
            rng.randint(0, 2),
            asks_for_check=index <= 3,
        )
    if index <= 10:
        return Persona(0.8 + rng.random() * 0.6, rng.randint(150, 190), rng.randint(8, 11), rng.randint(0, 4))
    if index <= 17:
        return Persona(
            -0.9 + rng.random() * 0.8, rng.randint(160, 200), rng.randint(8, 10), rng.randint(0, 5)
        )
    if index <= 22:
        return Persona(-0.2 + rng.random() * 0.8, rng.randint(60, 130), rng.randint(3, 7), rng.randint(0, 6))
    if index <= 27:
        return Persona(-0.6 + rng.random() * 0.6, rng.randint(10, 40), rng.randint(0, 2), rng.randint(1, 5))
    return Persona(rng.random() - 0.5, rng.randint(0, 25), rng.randint(0, 1), rng.randint(12, 30))


@dataclass
class History:
    """One trainee's seeded history so far, for the steps after the study period."""

    trainee: User
    persona: Persona
    last_active: datetime | None  # the end of the study period, later of a check or review; None: never
    answers: int  # answers stored for the trainee so far
    rng: random.Random  # what follows the study period draws on this, so adding to it changes no history


def seed_histories(trainees: list[User], now: datetime, rng: random.Random) -> list[History]:
    """Give each trainee a study period of answers, daily reviews and scenario runs, ending on one of the
    days before `now` (weeks before for the stalled); `keep_up` then does the reviews since."""
    versions = practice.live_versions()
    keys = answer_keys([v.id for v in versions])
    scenario_rows = db.session.execute(
        select(Scenario, ScenarioVersion)
        .join(ScenarioVersion, Scenario.current_version_id == ScenarioVersion.id)
        .where(Scenario.retired_at.is_(None))
    ).all()
    # Study periods end before today, counted back from midnight: the histories do not depend on the hour
    # the seed runs at (a day boundary moved by the hour would change every later draw).
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    histories = []
    for index, trainee in enumerate(trainees, 1):
        who = persona(index, rng)
        end = midnight - timedelta(days=who.stalled_days, hours=rng.randint(1, 8))
        start = end - timedelta(weeks=WEEKS)
        answers = _answers(trainee, who, versions, keys, start, end, rng)
        _runs(trainee, who, scenario_rows, start, end, rng)
        last = end if who.answers or who.runs else None
        progress.rebuild(trainee.id, last)
        histories.append(History(trainee, who, last, answers, random.Random(f"after-study:{index}")))
        forget(StudySession, ReviewCard, ScenarioAttempt, WriteUp)
    return histories


def keep_up(histories: list[History], now: datetime) -> int:
    """The daily reviews since each trainee's last activity (see the module rules); returns the answers."""
    by_question = {
        v.question_id: v for v in practice.live_versions() + practice.live_versions(pool="reserve")
    }
    keys = answer_keys([v.id for v in by_question.values()])
    total = 0
    for history in histories:
        if history.last_active is None:
            continue
        answers, last = _keep_up(
            history.trainee, history.persona, by_question, keys, history.last_active, now, history.rng
        )
        if answers:
            total += answers
            history.answers += answers
            history.last_active = last
            progress.note_activity(history.trainee.id, last)
        forget(StudySession, ReviewCard)
    return total


def forget(*models: type) -> None:
    """Drop these rows, written and no longer needed, from the session: the app's counters (progress) scan
    the session's identity map on every answer and each flush walks it, which thousands of seeded or
    assessed rows would slow down."""
    db.session.flush()
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, models) and obj in db.session:  # an attempt takes its write-ups with it
            db.session.expunge(obj)


def _answers(
    trainee: User, who: Persona, versions, keys: dict, start: datetime, end: datetime, rng: random.Random
) -> int:
    """Study answers spread over the period, and the reviews of a desk that keeps up: every day of the
    period the trainee first reviews what is due (at most the daily limit, a miss asked again at the end of
    that session), then studies. Cards are scheduled by the same fsrs code the app uses."""
    if not who.answers or not versions:
        return 0
    span = (end - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(who.answers))
    studied: dict = {}  # day -> [(moment, version)]
    deck: list = []
    for moment in times:
        if not deck:  # go through the whole bank before repeating, as a diligent trainee would
            deck = list(versions)
            rng.shuffle(deck)
        studied.setdefault(moment.date(), []).append((moment, deck.pop()))
    cards: dict[int, _Card] = {}
    sessions: list[tuple[str, list]] = []  # (mode, [(moment, version, correct, confidence, first)])
    day = start
    while day.date() <= end.date():
        today = studied.get(day.date(), [])
        sitting = (
            today[0][0] - timedelta(minutes=20)
            if today
            else day.replace(hour=8) + timedelta(minutes=rng.randint(0, 9 * 60))
        )
        sitting = min(max(sitting, start), end)
        reviewed = _review_sitting(who, cards, sitting, (sitting - start) / (end - start), rng)
        if reviewed:
            sessions.append(("review", reviewed))
        if today:
            sessions.append(
                (
                    "study",
                    [
                        _attempt(who, cards, m, v, n / who.answers, rng)
                        for n, (m, v) in _numbered(today, times)
                    ],
                )
            )
        day = (day + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    created = _write_sessions(trainee, sessions, keys, rng)
    for question_id, card in cards.items():
        db.session.add(
            ReviewCard(
                user_id=trainee.id,
                question_id=question_id,
                card=card.state,
                due=card.due,
                reviews=card.reviews,
                last_review=card.last,
            )
        )
    return created


def _write_sessions(trainee: User, sessions: list[tuple[str, list]], keys: dict, rng: random.Random) -> int:
    """Store each (mode, entries) as a study session with its answers; returns the answers stored."""
    rows = []
    for mode, entries in sessions:
        session = practice_session(
            trainee, [v.id for _, v, *_ in entries], entries[0][0], entries[-1][0], mode
        )
        for position, (moment, version, correct, confidence, first) in enumerate(entries):
            right, wrong = {"low": (1, 0), "medium": (2, -2), "high": (3, -6)}[confidence]
            chosen, value = response_for(keys[version.id], correct, rng)
            rows.append(
                {
                    "user_id": trainee.id,
                    "question_id": version.question_id,
                    "question_version_id": version.id,
                    "domain": version.domain,
                    "mode": mode,
                    "chosen": chosen,
                    "value": value,
                    "confidence": confidence,
                    "correct": correct,
                    "credit": 1.0 if correct else 0.0,
                    "cbm_mark": right if correct else wrong,
                    "seconds": round(20 + rng.random() * 100, 1),
                    "session_id": session.id,
                    "submission_key": f"{mode}:{session.id}:{position}",
                    "answered_at": moment,
                    "first_attempt": first,
                }
            )
    if rows:
        db.session.execute(insert(Answer), rows)
    return len(rows)


def _keep_up(
    trainee: User,
    who: Persona,
    by_question: dict[int, QuestionVersion],
    keys: dict,
    after: datetime,
    now: datetime,
    rng: random.Random,
) -> tuple[int, datetime | None]:
    """The daily reviews after the last study day (or promotion check): one sitting a day while more than a
    day's limit would be waiting at `now`, so that nobody opens the demo with a backlog over the limit.
    Returns (answers stored, the last sitting)."""
    rows = {
        r.question_id: r
        for r in db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == trainee.id))
        if r.question_id in by_question
    }
    cards = {
        q: _Card(by_question[q], r.card, r.due, r.last_review or r.due, r.reviews) for q, r in rows.items()
    }
    sessions: list[tuple[str, list]] = []
    day = (after + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    while sum(c.due <= now for c in cards.values()) > practice.DAILY_REVIEW_LIMIT and day <= now:
        sitting = min(
            day.replace(hour=8) + timedelta(minutes=rng.randint(0, 9 * 60)), now - timedelta(minutes=5)
        )
        reviewed = _review_sitting(who, cards, sitting, 1.0, rng)
        if reviewed:
            sessions.append(("review", reviewed))
        day += timedelta(days=1)
    if not sessions:
        return 0, None
    for question_id, card in cards.items():
        row = rows[question_id]
        row.card, row.due, row.reviews, row.last_review = card.state, card.due, card.reviews, card.last
    return _write_sessions(trainee, sessions, keys, rng), sessions[-1][1][-1][0]


@dataclass
class _Card:
    version: QuestionVersion
    state: dict
    due: datetime
    last: datetime
    reviews: int


def _numbered(today: list, times: list[datetime]):
    """(index of the answer in the whole period, entry): how far along the trainee's learning is."""
    first = times.index(today[0][0])
    return ((first + k, entry) for k, entry in enumerate(today))


def _attempt(who: Persona, cards: dict, moment: datetime, version, progress_share: float, rng: random.Random):
    """One answer by the persona's skill (growing over the period) against the item's difficulty, applied to
    its review card; returns the answer entry."""
    card = cards.get(version.question_id)
    correct, confidence = answer_by_ability(who, version, progress_share, card.reviews if card else 0, rng)
    state, due = spaced.review(card.state if card else None, spaced.rating_for(correct, confidence), moment)
    cards[version.question_id] = _Card(version, state, due, moment, (card.reviews if card else 0) + 1)
    return (moment, version, correct, confidence, card is None)


def answer_by_ability(
    who: Persona, version: QuestionVersion, progress_share: float, earlier: int, rng: random.Random
) -> tuple[bool, str]:
    """(correct, certainty) of the persona's answer to `version`, `progress_share` of the way through their
    learning, after `earlier` answers to the same item: a logistic model of skill against the author's
    difficulty, the certainty following the chance of being right."""
    b = (version.difficulty - 3) * 0.5
    # Each earlier answer to this item (and its rationale, read after it) makes it a little easier to
    # recall: retrieval practice, without which a weak trainee's reviews would never shrink.
    familiarity = ITEM_PRACTICE_GAIN * min(earlier, 4)
    p = 1 / (1 + math.exp(-(who.skill + 0.6 * progress_share + familiarity - b)))
    correct = rng.random() < p
    sure = rng.random() < p + (0.15 if who.skill < 0 else 0.0)  # weaker trainees are a little overconfident
    confidence = "high" if sure and rng.random() < 0.6 else ("medium" if sure else "low")
    return correct, confidence


def _review_sitting(
    who: Persona, cards: dict, sitting: datetime, progress_share: float, rng: random.Random
) -> list:
    """The day's review session at `sitting`: what is due, being relearnt first, up to the daily limit; a
    miss comes back once at the end of the session, as in the app."""
    due = sorted(
        (c for c in cards.values() if c.due <= sitting), key=lambda c: spaced.review_priority(c.state, c.due)
    )[: practice.DAILY_REVIEW_LIMIT]
    entries, again, moment = [], [], sitting
    for card in due:
        moment += timedelta(seconds=40 + rng.random() * 60)
        entries.append(_attempt(who, cards, moment, card.version, progress_share, rng))
        if not entries[-1][2]:
            again.append(card.version)
    for version in again:
        moment += timedelta(seconds=40 + rng.random() * 60)
        entries.append(_attempt(who, cards, moment, version, progress_share, rng))
    return entries


def practice_session(
    trainee: User, version_ids: list[int], started: datetime, ended: datetime, mode: str = "study"
) -> StudySession:
    filters = {"domains": [], "topics": [], "weakest": False} if mode == "study" else {}
    session = StudySession(
        user_id=trainee.id,
        mode=mode,
        planned=len(version_ids),
        started_at=started,
        ended_at=ended,
        seed=new_seed(),
        filters={**filters, "version_ids": version_ids},
    )
    db.session.add(session)
    db.session.flush()
    return session


def answer_keys(version_ids: list[int]) -> dict[int, tuple[str, list[str], list[str], float | None]]:
    """version id -> (type, right keys, wrong keys, numeric answer): what a demo answer chooses."""
    rows = db.session.execute(
        select(
            QuestionVersion.id, QuestionVersion.type, QuestionVersion.options, QuestionVersion.answer
        ).where(QuestionVersion.id.in_(version_ids))
    )
    return {
        vid: (
            kind,
            [o["key"] for o in options if o.get("correct")],
            [o["key"] for o in options if not o.get("correct")],
            answer,
        )
        for vid, kind, options, answer in rows
    }


def response_for(key: tuple[str, list[str], list[str], float | None], correct: bool, rng: random.Random):
    """(chosen keys, value) of a demo answer, right or wrong as decided."""
    kind, right, wrong, answer = key
    if kind == "numeric" and answer is not None:
        return [], answer if correct else round(answer * rng.choice((0.8, 1.25)) + 1, 2)
    if kind in ("single", "true-false", "multiple") and right:
        return (right if correct else [rng.choice(wrong)] if wrong else right), None
    return [], None


def _runs(
    trainee: User, who: Persona, scenario_rows, start: datetime, end: datetime, rng: random.Random
) -> None:
    if not who.runs or not scenario_rows:
        return
    expert_rate = min(0.97, max(0.35, 0.7 + 0.2 * who.skill))
    for k in range(who.runs):
        scenario_row, version = (
            scenario_rows[k % len(scenario_rows)] if who.skill > 1 else rng.choice(scenario_rows)
        )
        model, analysis = parsed(version)
        expert = list(analysis.max_score_path)
        attempt_state = engine.new_attempt(model)
        moment = start + (end - start) * (k + 1) / (who.runs + 1)
        writeups = []
        while not attempt_state.finished:
            offered = engine.offered_choices(model, attempt_state)
            node = model.node(attempt_state.node_id)
            wanted = expert[len(attempt_state.log)] if len(attempt_state.log) < len(expert) else None
            choice = next((c for c in offered if c.ref == wanted), None)
            if choice is None or rng.random() > expert_rate:
                choice = rng.choice(offered)
            if node.kind == NodeKind.WRITE_UP:
                writeups.append(
                    WriteUp(
                        node_id=node.id,
                        text=_note(model.title, rng),
                        created_at=moment,
                        max_points=sum(i.points for i in node.rubric),
                    )
                )
            attempt_state, _ = engine.step(model, attempt_state, choice.ref)
        score = engine.score_attempt(model, attempt_state, analysis)
        attempt = ScenarioAttempt(
            user_id=trainee.id,
            scenario_id=scenario_row.id,
            version_id=version.id,
            log=list(attempt_state.log),
            started_at=moment - timedelta(minutes=25),
            updated_at=moment,
            finished_at=moment,
            total=round(score.total, 2),
            passed=score.passed,
            dimensions={k2: round(v, 2) for k2, v in score.dimensions.items()},
            critical_errors=[c.label for c in score.critical_errors],
            outcome=score.outcome,
            decision_seconds=[round(30 + rng.random() * 90, 1) for _ in attempt_state.log],
            writeups=writeups,
        )
        db.session.add(attempt)
    db.session.flush()


NOTES = (
    "Warehouse: please release {t} for pick at 06:00. Lines 1-2 ship today, line 3 follows when stock lands. "
    "Approval from credit is on the order notes. Call me on ext. 4417 if anything is short at pick.",
    "Hand-off: {t}. What changed, who approved it, and what to do if the carrier misses the 14:00 slot: "
    "rebook on the next LTL and tell customer service before 16:00.",
)


def _note(title: str, rng: random.Random) -> str:
    return rng.choice(NOTES).format(t=title)
