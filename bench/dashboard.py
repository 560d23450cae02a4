"""dashboard_100k / dashboard_1m: time to render the cohort dashboard for 1,000 trainees with 100k and
then 1M stored answers, in one run. The dashboard reads maintained aggregates, so the answer count
should not move it (target: dashboard_1m <= 1.3 x dashboard_100k)."""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from app import create_app
from app.extensions import db
from app.models import (
    Answer,
    Cohort,
    Question,
    QuestionVersion,
    TraineeDomainStat,
    TraineeReadiness,
    User,
    UserRole,
    cohort_trainees,
    cohort_trainers,
)
from config import TestConfig

TRAINEES = 1000
DOMAINS = [f"D{i}" for i in range(1, 10)]
PASSWORD = "bench-password"


def _seed_people_and_items(rng: random.Random) -> tuple[list[int], list[tuple[int, int, str]]]:
    hashed = User(email="x", name="x", password_hash="")
    hashed.set_password(PASSWORD, "pbkdf2:sha256:1000")
    now = datetime.now(UTC)
    db.session.execute(
        insert(User),
        [
            {
                "email": "trainer@bench.test",
                "name": "Bench Trainer",
                "password_hash": hashed.password_hash,
                "active": True,
                "created_at": now,
            }
        ]
        + [
            {
                "email": f"t{i}@bench.test",
                "name": f"Trainee {i:04d}",
                "password_hash": hashed.password_hash,
                "active": True,
                "created_at": now,
            }
            for i in range(TRAINEES)
        ],
    )
    ids = dict(db.session.execute(select(User.email, User.id)).all())
    db.session.execute(
        insert(UserRole),
        [{"user_id": ids["trainer@bench.test"], "role": "trainer"}]
        + [{"user_id": ids[f"t{i}@bench.test"], "role": "trainee"} for i in range(TRAINEES)],
    )
    db.session.execute(insert(Cohort), [{"name": "Bench cohort", "created_at": now}])
    cohort_id = db.session.scalar(select(Cohort.id))
    db.session.execute(
        insert(cohort_trainers), [{"cohort_id": cohort_id, "user_id": ids["trainer@bench.test"]}]
    )
    trainee_ids = [ids[f"t{i}@bench.test"] for i in range(TRAINEES)]
    db.session.execute(insert(cohort_trainees), [{"cohort_id": cohort_id, "user_id": u} for u in trainee_ids])
    items = []
    for n in range(180):
        domain = DOMAINS[n % 9]
        qid = db.session.scalar(
            insert(Question).values(slug=f"bench-{n}", domain=domain, created_at=now).returning(Question.id)
        )
        vid = db.session.scalar(
            insert(QuestionVersion)
            .values(
                question_id=qid,
                number=1,
                content_hash=f"h{n}",
                domain=domain,
                topics=[],
                difficulty=3,
                cognitive="application",
                type="single",
                prompt_html="p",
                stem_html="",
                options=[],
                explanation_html="",
                answer_key="A",
                source="",
                source_path="bench",
                source_line=1,
                created_at=now,
            )
            .returning(QuestionVersion.id)
        )
        items.append((qid, vid, domain))
    db.session.execute(
        insert(TraineeReadiness),
        [
            {
                "user_id": u,
                "verdict": rng.choice(["ready", "almost", "not-yet", "not-enough-evidence"]),
                "pass_probability": rng.random(),
                "score_low": 0.5,
                "score_high": 0.8,
                "domains": {},
                "dimensions": {},
                "critical_recent": 0,
                "scenarios_passed": 0,
                "stale": False,
                "last_activity_at": now,
            }
            for u in trainee_ids
        ],
    )
    db.session.commit()
    return trainee_ids, items


def _add_answers(count: int, start: int, trainees: list[int], items, rng: random.Random) -> None:
    base = datetime(2026, 9, 1, tzinfo=UTC)
    batch = []
    for n in range(start, start + count):
        qid, vid, domain = items[rng.randrange(len(items))]
        correct = rng.random() < 0.7
        batch.append(
            {
                "user_id": trainees[rng.randrange(len(trainees))],
                "question_id": qid,
                "question_version_id": vid,
                "domain": domain,
                "mode": "study",
                "chosen": ["A"],
                "correct": correct,
                "credit": 1.0 if correct else 0.0,
                "submission_key": f"b{n}",
                "answered_at": base + timedelta(seconds=n),
            }
        )
        if len(batch) == 20_000:
            db.session.execute(insert(Answer), batch)
            batch = []
    if batch:
        db.session.execute(insert(Answer), batch)
    # The aggregates the app keeps current answer by answer, rebuilt here in one statement for speed.
    db.session.execute(TraineeDomainStat.__table__.delete())
    db.session.execute(
        text(
            "INSERT INTO trainee_domain_stats (user_id, domain, answered, correct, credit, last_answered_at) "
            "SELECT user_id, domain, count(*), sum(correct), sum(credit), max(answered_at) FROM answers "
            "GROUP BY user_id, domain"
        )
    )
    db.session.commit()


def _render_seconds(app, cohort_id: int, repeats: int = 7) -> float:
    client = app.test_client()
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    client.post("/login", data={"email": "trainer@bench.test", "password": PASSWORD, "csrf_token": token})
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(f"/trainer/cohorts/{cohort_id}")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200 and "Trainee 0999" in response.get_data(as_text=True)
    return statistics.median(timings)


def run(small: int = 100_000, large: int = 1_000_000) -> dict:
    work = Path(tempfile.mkdtemp(prefix="oda-dash-"))
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{work / 'dash.sqlite3'}"
    app = create_app(config)
    rng = random.Random(5)
    # Requests run outside these blocks: an app context left pushed would be shared with them.
    with app.app_context():
        db.create_all()
        trainees, items = _seed_people_and_items(rng)
        cohort_id = db.session.scalar(select(Cohort.id))
        _add_answers(small, 0, trainees, items, rng)
    first = _render_seconds(app, cohort_id)
    with app.app_context():
        _add_answers(large - small, small, trainees, items, rng)
        total = db.session.scalar(select(func.count()).select_from(Answer))
    second = _render_seconds(app, cohort_id)
    result = {
        "trainees": TRAINEES,
        "answers_small": small,
        "answers_large": total,
        "dashboard_100k_s": round(first, 4),
        "dashboard_1m_s": round(second, 4),
        "ratio_1m_to_100k": round(second / first, 3),
    }
    print(
        f"dashboard: {first * 1000:.0f} ms with {small:,} answers, {second * 1000:.0f} ms with {total:,} "
        f"(ratio {second / first:.2f}; target <= 1.3)"
    )
    return result


if __name__ == "__main__":
    run()
