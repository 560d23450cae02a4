"""Study and review sessions: choosing questions, recording answers once, scheduling reviews with fsrs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.exc import IntegrityError

from app.domain import review as spaced
from app.domain.item_checks import parse_vocabulary
from app.domain.questions import AcceptedAnswer, MatchPair, Option, QuestionSpec, QuestionType
from app.domain.scoring import AnswerScore, CbmSummary, InvalidResponse, cbm_summary, score_answer
from app.domain.shuffle import new_seed, shown_order
from app.extensions import db
from app.models import Answer, Question, QuestionVersion, ReviewCard, StudySession
from app.policy import own_or_404
from app.services import ServiceError, cohorts, load_content_file, progress, xapi

CONFIDENCE_LEVELS = ("low", "medium", "high")
SESSION_SIZES = (5, 10, 20)
REVIEW_BATCH = 20
DAILY_REVIEW_LIMIT = 60  # reviews a day; the rest wait, longest overdue first
MAX_SECONDS = 3600.0  # an item left open overnight does not count as an hour of thinking


class PracticeError(ServiceError):
    """A practice request that cannot be carried out (bad response, someone else's session, retired item)."""


def scorable(version: QuestionVersion) -> QuestionSpec:
    """The domain view of a stored version: what scoring needs, nothing rendered."""
    return QuestionSpec(
        id=version.question.slug,
        path=version.source_path,
        line=version.source_line,
        domain=version.domain,
        topics=tuple(version.topics),
        difficulty=version.difficulty,
        cognitive=version.cognitive,
        type=QuestionType(version.type),
        prompt="",
        stem="",
        options=tuple(Option(o["key"], "", "", o["correct"], 0) for o in version.options if "role" not in o),
        answer=version.answer,
        tolerance=version.tolerance,
        unit=version.unit,
        # Matching: each pair's answer is given by its key, so match_answers keys them a1, a2... as stored.
        pairs=tuple(MatchPair(o["key"], "", o["match"]) for o in _with_role(version, "prompt")),
        distractors=tuple(
            o["key"]
            for o in _with_role(version, "answer")
            if o["key"] not in {p["match"] for p in _with_role(version, "prompt")}
        ),
        accepted=tuple(AcceptedAnswer(o["text"], o["credit"]) for o in _with_role(version, "accepted")),
    )


def _with_role(version: QuestionVersion, role: str) -> list[dict[str, Any]]:
    """Stored matching prompts (`prompt`), its answer column (`answer`) or short answers (`accepted`)."""
    return [o for o in version.options if o.get("role") == role]


def match_prompts(version: QuestionVersion) -> list[dict[str, Any]]:
    """A matching item's prompts in file order (prompts are not shuffled; the answer column is)."""
    return _with_role(version, "prompt")


def accepted_answers(version: QuestionVersion) -> list[dict[str, Any]]:
    return _with_role(version, "accepted")


def shown_options(version: QuestionVersion, seed: str, position: int) -> list[dict[str, Any]]:
    """The version's options in the order this serving shows them (authored order when pinned); for a
    matching item, its answer column, shuffled the same way."""
    if version.type == "matching":
        return shown_order(_with_role(version, "answer"), seed, str(position), version.shuffle)
    return shown_order([o for o in version.options if "role" not in o], seed, str(position), version.shuffle)


def live_versions(
    domains: Sequence[str] = (), topics: Sequence[str] = (), pool: str = "practice"
) -> list[Row]:
    """(id, question_id, domain, topics, type, difficulty, item_set) of the current versions of questions
    not retired, in `pool`, filtered by domain and topic. Only these columns: choosing items must not load
    every stem and rationale. Practice never sees the reserve; promotion checks draw from it."""
    query = (
        select(
            QuestionVersion.id,
            QuestionVersion.question_id,
            QuestionVersion.domain,
            QuestionVersion.topics,
            QuestionVersion.type,
            QuestionVersion.difficulty,
            QuestionVersion.item_set,
        )
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.retired_at.is_(None), QuestionVersion.pool == pool)
    )
    if domains:
        query = query.where(QuestionVersion.domain.in_(domains))
    versions = list(db.session.execute(query.order_by(QuestionVersion.id)))
    if topics:
        wanted = set(topics)
        versions = [v for v in versions if wanted.intersection(v.topics)]
    return versions


def topic_groups(content_dir: str) -> dict[str, list[str]]:
    """The topics live practice items use, each once, under its domain in the controlled vocabulary
    (content/topics.yaml); a topic missing from the vocabulary goes under "Other"."""
    path = Path(content_dir) / "topics.yaml"
    vocabulary = load_content_file(path, parse_vocabulary) if path.exists() else None
    home = {topic: domain for domain, topics in (vocabulary or {}).items() for topic in topics}
    used = sorted({t for ts in topics_by_domain().values() for t in ts})
    groups: dict[str, list[str]] = {}
    for topic in used:
        groups.setdefault(home.get(topic, "Other"), []).append(topic)
    return dict(sorted(groups.items(), key=lambda item: (item[0] == "Other", item[0])))


def topics_by_domain() -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for version in live_versions():
        found.setdefault(version.domain, set()).update(version.topics)
    return {domain: sorted(topics) for domain, topics in sorted(found.items())}


def weakest_domains(user_id: int, count: int = 2) -> list[str]:
    """Domains with the lowest smoothed accuracy, (credit + 1) / (answers + 2): unknown counts as 0.5."""
    rows = db.session.execute(
        select(Answer.domain, func.sum(Answer.credit), func.count())
        .where(Answer.user_id == user_id, Answer.voided_at.is_(None))
        .group_by(Answer.domain)
    ).all()
    stats = {domain: (credit, n) for domain, credit, n in rows}
    available = sorted({v.domain for v in live_versions()})
    smoothed = {d: (stats.get(d, (0, 0))[0] + 1) / (stats.get(d, (0, 0))[1] + 2) for d in available}
    return sorted(available, key=lambda d: (smoothed[d], d))[:count]


def start_study(
    user_id: int,
    domains: Sequence[str],
    topics: Sequence[str],
    weakest: bool,
    size: int,
    now: datetime,
    rng: random.Random,
) -> StudySession:
    """Draw `size` questions: never answered first, then ones answered wrong, then the rest."""
    if weakest:
        domains = weakest_domains(user_id)
    pool = live_versions(domains, topics)
    if not pool:
        raise PracticeError("No questions match that choice. Pick other domains or topics.", 400)
    history = dict(
        db.session.execute(
            select(Answer.question_id, func.max(Answer.credit))
            .where(Answer.user_id == user_id, Answer.voided_at.is_(None))
            .group_by(Answer.question_id)
        ).all()
    )
    rng.shuffle(pool)
    pool.sort(key=lambda v: 0 if v.question_id not in history else (1 if history[v.question_id] < 1 else 2))
    chosen = one_per_set(pool)[:size]
    session = StudySession(
        user_id=user_id,
        mode="study",
        planned=len(chosen),
        started_at=now,
        seed=new_seed(),
        filters={
            "domains": list(domains),
            "topics": list(topics),
            "weakest": weakest,
            "version_ids": [v.id for v in chosen],
        },
    )
    db.session.add(session)
    db.session.flush()
    return session


def one_per_set(versions: Sequence[Row]) -> list[Row]:
    """Keep the first item of each set: siblings share a case and could give each other's answers away."""
    seen_sets: set[str] = set()
    kept = []
    for version in versions:
        if version.item_set:
            if version.item_set in seen_sets:
                continue
            seen_sets.add(version.item_set)
        kept.append(version)
    return kept


def due_cards(user_id: int, now: datetime) -> list[ReviewCard]:
    query = (
        select(ReviewCard)
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.user_id == user_id, ReviewCard.due <= now, Question.retired_at.is_(None))
        .order_by(ReviewCard.due)
    )
    return list(db.session.scalars(query))


def due_count(user_id: int, now: datetime) -> int:
    query = (
        select(func.count())
        .select_from(ReviewCard)
        .join(Question, Question.id == ReviewCard.question_id)
        .where(ReviewCard.user_id == user_id, ReviewCard.due <= now, Question.retired_at.is_(None))
    )
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class ReviewLoad:
    """Reviews due now, and how many of them today's limit still allows."""

    due: int
    today: int  # what the daily limit leaves for today
    limit: int

    @property
    def waiting(self) -> int:
        return self.due - self.today


def review_load(user_id: int, now: datetime) -> ReviewLoad:
    """At most DAILY_REVIEW_LIMIT reviews a day: a backlog (a holiday, a first week of study) is spread over
    the following days instead of greeting the trainee with 150 at once; the longest overdue come first."""
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    done = (
        db.session.scalar(
            select(func.count())
            .select_from(Answer)
            .where(Answer.user_id == user_id, Answer.mode == "review", Answer.answered_at >= start_of_day)
        )
        or 0
    )
    due = due_count(user_id, now)
    return ReviewLoad(due, min(due, max(0, DAILY_REVIEW_LIMIT - done)), DAILY_REVIEW_LIMIT)


def review_forecast(user_id: int, now: datetime, days: int = 7) -> list[tuple[datetime, int]]:
    """(day, reviews offered that day) for the next `days` days under the daily limit, today first."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    dues = db.session.scalars(
        select(ReviewCard.due).where(
            ReviewCard.user_id == user_id, ReviewCard.due < start + timedelta(days=days)
        )
    )
    done = (
        db.session.scalar(
            select(func.count())
            .select_from(Answer)
            .where(Answer.user_id == user_id, Answer.mode == "review", Answer.answered_at >= start)
        )
        or 0
    )
    counts = spaced.forecast(dues, now, done, DAILY_REVIEW_LIMIT, days)
    return [(start + timedelta(days=n), count) for n, count in enumerate(counts)]


@dataclass(frozen=True)
class Leech:
    version: QuestionVersion
    missed: int
    session_id: int | None  # where it was last answered in study or review, to read its feedback again
    position: int | None


def leeches(user_id: int, limit: int = 10) -> list[Leech]:
    """Leeches: questions the trainee has missed spaced.LEECH_LAPSES times or more, most missed first, each
    with the study or review page where its rationale and explanation can be read again."""
    missed = func.count().label("missed")
    rows = db.session.execute(
        select(Answer.question_id, missed, func.max(Answer.id))
        .where(Answer.user_id == user_id, Answer.correct.is_(False), Answer.session_id.is_not(None))
        .group_by(Answer.question_id)
        .having(func.count() >= spaced.LEECH_LAPSES)
        .order_by(missed.desc(), Answer.question_id)
        .limit(limit)
    ).all()
    last = {a.id: a for a in db.session.scalars(select(Answer).where(Answer.id.in_([r[2] for r in rows])))}
    found = []
    for _question_id, count, answer_id in rows:
        answer = last[answer_id]
        position = int(answer.submission_key.rpartition(":")[2])
        found.append(
            Leech(
                db.session.get(QuestionVersion, answer.question_version_id),
                count,
                answer.session_id,
                position,
            )
        )
    return found


def answer_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer).where(Answer.user_id == user_id)) or 0


def start_review(user_id: int, now: datetime) -> StudySession:
    """Up to REVIEW_BATCH due items: those being relearnt first, then the longest overdue; one per set."""
    cards = sorted(due_cards(user_id, now), key=lambda c: spaced.review_priority(c.card, c.due))
    if not cards:
        raise PracticeError("Nothing is due for review right now. Study some questions first.", 409)
    allowed = review_load(user_id, now).today
    if allowed == 0:
        raise PracticeError(
            f"That is today's {DAILY_REVIEW_LIMIT} reviews done; the rest come back tomorrow. Study something new "
            "instead, or sit a practice exam.",
            409,
        )
    current = {
        row.question_id: row
        for row in db.session.execute(
            select(Question.id.label("question_id"), QuestionVersion.id, QuestionVersion.item_set)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.id.in_([c.question_id for c in cards]))
        )
    }
    version_ids = [row.id for row in one_per_set([current[c.question_id] for c in cards])][
        : min(REVIEW_BATCH, allowed)
    ]
    session = StudySession(
        user_id=user_id,
        mode="review",
        planned=len(version_ids),
        started_at=now,
        seed=new_seed(),
        filters={"version_ids": version_ids},
    )
    db.session.add(session)
    db.session.flush()
    return session


def own_session(user_id: int, session_id: int) -> StudySession:
    return own_or_404(StudySession, session_id, user_id, "practice session")


def session_version(session: StudySession, position: int) -> QuestionVersion:
    ids = session.filters["version_ids"]
    if not 0 <= position < len(ids):
        raise PracticeError("That question is not part of this session.", 404)
    return db.session.get(QuestionVersion, ids[position])


def session_answers(session: StudySession) -> dict[int, Answer]:
    """position -> answer, for the positions answered so far."""
    prefix = f"{session.mode}:{session.id}:"
    rows = db.session.scalars(select(Answer).where(Answer.session_id == session.id).order_by(Answer.id))
    return {int(a.submission_key.removeprefix(prefix)): a for a in rows}


def next_position(session: StudySession, answered: dict[int, Answer] | None = None) -> int | None:
    """The first position not answered yet (pass `answered` when already loaded), or None when done."""
    answered = session_answers(session) if answered is None else answered
    return next((p for p in range(session.planned) if p not in answered), None)


@dataclass(frozen=True)
class Response:
    chosen: tuple[str, ...]
    value: float | None
    confidence: str | None
    seconds: float | None


def record_answer(
    user_id: int, session: StudySession, position: int, response: Response, now: datetime
) -> Answer:
    """Score and store one answer; the same position answered again returns the first answer unchanged."""
    key = f"{session.mode}:{session.id}:{position}"
    existing = db.session.scalar(
        select(Answer).where(Answer.user_id == user_id, Answer.submission_key == key)
    )
    if existing is not None:
        return existing
    version = session_version(session, position)
    if version.question.retired_at is not None:
        raise PracticeError(
            "This question was retired while you were on it. Nothing was stored; go on to the next one.", 409
        )
    score = _score(version, response)
    first = not db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .where(Answer.user_id == user_id, Answer.question_id == version.question_id)
    )
    answer = Answer(
        first_attempt=first,
        user_id=user_id,
        question_id=version.question_id,
        question_version_id=version.id,
        domain=version.domain,
        mode=session.mode,
        chosen=list(response.chosen),
        value=response.value,
        confidence=response.confidence,
        correct=score.correct,
        credit=score.credit,
        cbm_mark=score.cbm_mark,
        seconds=_clamp_seconds(response.seconds),
        submission_key=key,
        session_id=session.id,
        answered_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:  # the same form arrived twice at once: the first one won
        return db.session.scalar(
            select(Answer).where(Answer.user_id == user_id, Answer.submission_key == key)
        )
    with db.session.no_autoflush:  # one flush at commit instead of one per lookup below
        schedule_review(user_id, version.question_id, score.correct, response.confidence, now)
        progress.record_answer(answer)
        xapi.answered(answer, version)
        if session.mode == "review" and not score.correct:
            ask_again_later(session, version.id)
        if session.ended_at is None and next_position(session) is None:
            session.ended_at = now
    return answer


def ask_again_later(session: StudySession, version_id: int) -> None:
    """A review item answered wrong comes back at the end of the same session (once), as a card being
    relearnt would: the trainee meets it again before the session ends. It never counts as evidence."""
    ids = list(session.filters.get("version_ids", []))
    if ids.count(version_id) >= 2:
        return
    session.filters = {**session.filters, "version_ids": [*ids, version_id]}
    session.planned += 1


def next_review(user_id: int, question_id: int) -> datetime | None:
    card = db.session.get(ReviewCard, (user_id, question_id))
    return card.due if card else None


def _score(version: QuestionVersion, response: Response) -> AnswerScore:
    if response.confidence is not None and response.confidence not in CONFIDENCE_LEVELS:
        raise PracticeError("Say how sure you are: low, medium or high.", 400)
    try:
        return score_answer(scorable(version), response.chosen, response.value, response.confidence)
    except InvalidResponse as error:
        raise PracticeError(str(error), 400) from None


def _clamp_seconds(seconds: float | None) -> float | None:
    return None if seconds is None else max(0.0, min(seconds, MAX_SECONDS))


def schedule_review(
    user_id: int, question_id: int, correct: bool, confidence: str | None, now: datetime
) -> None:
    """Apply one review to the trainee's card for the question. Two tabs answering the same question at
    once: the card row is locked while it is read and written, and of two first inserts the second
    becomes an update of the first. The next review is scheduled for the trainee's cohort's retention target."""
    rating = spaced.rating_for(correct, confidence)
    retention = cohorts.retention_for(user_id)
    card = _locked_card(user_id, question_id)
    if card is None:
        state, due = spaced.review(None, rating, now, retention)
        try:
            with db.session.begin_nested():
                db.session.add(
                    ReviewCard(
                        user_id=user_id,
                        question_id=question_id,
                        card=state,
                        due=due,
                        reviews=1,
                        last_review=now,
                    )
                )
            return
        except IntegrityError:
            card = _locked_card(user_id, question_id)
    state, due = spaced.review(card.card, rating, now, retention)
    card.card, card.due, card.reviews, card.last_review = state, due, card.reviews + 1, now


def _locked_card(user_id: int, question_id: int) -> ReviewCard | None:
    return db.session.scalar(
        select(ReviewCard)
        .where(ReviewCard.user_id == user_id, ReviewCard.question_id == question_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class SessionSummary:
    answered: int
    planned: int
    correct: int
    credit: float
    cbm: CbmSummary | None
    seconds: float
    by_domain: dict[str, tuple[int, float]]  # domain -> (answered, credit)


def summarise(session: StudySession) -> SessionSummary:
    answers = list(session_answers(session).values())
    by_domain: dict[str, tuple[int, float]] = {}
    for a in answers:
        n, credit = by_domain.get(a.domain, (0, 0.0))
        by_domain[a.domain] = (n + 1, credit + a.credit)
    rated = [AnswerScore(a.correct, a.credit, a.cbm_mark) for a in answers if a.cbm_mark is not None]
    return SessionSummary(
        len(answers),
        session.planned,
        sum(a.correct for a in answers),
        sum(a.credit for a in answers),
        cbm_summary(rated) if rated else None,
        sum(a.seconds or 0 for a in answers),
        dict(sorted(by_domain.items())),
    )


@dataclass(frozen=True)
class SessionLine:
    """One past study or review session in the trainee's history."""

    session: StudySession
    answered: int
    correct: int
    credit: float


def history(user_id: int, limit: int) -> list[SessionLine]:
    """The trainee's study and review sessions, newest first, with what was answered in each (one query)."""
    rows = db.session.execute(
        select(
            StudySession,
            func.count(Answer.id),
            func.count(Answer.id).filter(Answer.correct.is_(True)),
            func.coalesce(func.sum(Answer.credit), 0.0),
        )
        .outerjoin(Answer, Answer.session_id == StudySession.id)
        .where(StudySession.user_id == user_id)
        .group_by(StudySession.id)
        .order_by(StudySession.started_at.desc(), StudySession.id.desc())
        .limit(limit)
    )
    return [
        SessionLine(session, answered, correct, float(credit)) for session, answered, correct, credit in rows
    ]


def recently_seen_question_ids(user_id: int, now: datetime, days: int = 14) -> set[int]:
    since = now - timedelta(days=days)
    return set(
        db.session.scalars(
            select(Answer.question_id)
            .where(Answer.user_id == user_id, Answer.answered_at >= since)
            .distinct()
        )
    )
