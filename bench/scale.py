"""Pages as history grows: the same page, in-process (bench.cpu), at the demo's size and at a larger one.

Each key makes two copies of the prepared benchmark database (so the keys disturb neither each other nor
the pages run.py serves), grows one of them with SQLAlchemy Core executemany (fast), and then requests
the page from both in turns (bench.cpu.measure_pair), so that the shared machine's changing load falls
on both sizes alike. The ratio compares median CPU per request (wall time is kept beside it).

- practice_page_scale, answer_post_scale: 100 times the answers in the table (other trainees' answers,
  in their own study sessions) against the demo's size.
- dashboard_history_scale: the demo cohort's dashboard with 3 years of weekly readiness snapshots per
  trainee against 6 weeks.
- readiness_view_scale: a trainee's own readiness report when nothing is stale, with 200 against 10,000
  answers; the report is computed once per size (a warm-up request) and must not be recomputed after.
  The CPU of one view that does recompute it (after marking it stale) is reported beside.
"""

from __future__ import annotations

import os
import random
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update

from app.extensions import db
from app.models import Answer, ReadinessSnapshot, StudySession, TraineeReadiness, User, cohort_trainees
from app.models.user import Role
from app.services import accounts, practice
from bench import cpu, fixtures

SCALE_REQUESTS = int(
    os.environ.get("BENCH_SCALE_REQUESTS", "100")
)  # per size; the ratio needs a stable median, not the >= 300 of the cpu_ms keys
ANSWER_FACTOR = 100
WEEKS_SMALL, WEEKS_LARGE = 6, 156
READER_SMALL, READER_LARGE = 200, 10_000
READER = "reader@bench.test"
BATCH = 20_000


def copy_database(source: Path, target: Path) -> str:
    """A consistent copy of a SQLite database (WAL included) by SQLite's backup API; its URL."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def judged(small, large, unit_small: str, unit_large: str, extra: dict | None = None) -> dict:
    ratio = round(large.cpu_ms / small.cpu_ms, 3)
    return {
        f"cpu_ms_{unit_small}": small.cpu_ms,
        f"cpu_ms_{unit_large}": large.cpu_ms,
        f"wall_ms_{unit_small}": small.wall_ms,
        f"wall_ms_{unit_large}": large.wall_ms,
        "requests_per_size": small.n,
        "ratio": ratio,
        **(extra or {}),
    }


def _versions(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        return [(v.question_id, v.id, v.domain) for v in practice.live_versions()]


def _insert_answers(rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Answer.__table__), rows[start : start + BATCH])
    db.session.commit()


def _answer_rows(
    count: int, owners: list[tuple[int | None, int]], versions, rng, start: int, seen: set[tuple[int, int]]
) -> list[dict]:
    """`count` scored answers; owners are (session id or None, user id) pairs picked at random. As in the
    app, an answer is a first attempt (readiness evidence) only when it is the person's first to that
    question; `seen` holds the (user, question) pairs answered already and is updated."""
    base = datetime(2026, 1, 5, tzinfo=UTC)
    rows = []
    for n in range(start, start + count):
        session_id, user_id = owners[rng.randrange(len(owners))]
        question_id, version_id, domain = versions[rng.randrange(len(versions))]
        correct = rng.random() < 0.7
        first = (user_id, question_id) not in seen
        seen.add((user_id, question_id))
        rows.append(
            {
                "user_id": user_id,
                "question_id": question_id,
                "question_version_id": version_id,
                "domain": domain,
                "mode": "study",
                "chosen": ["A"],
                "correct": correct,
                "credit": 1.0 if correct else 0.0,
                "first_attempt": first,
                "submission_key": f"bench-scale-{n}",
                "session_id": session_id,
                "answered_at": base + timedelta(minutes=n),
            }
        )
    return rows


def answers_scale(prepared: Path, workdir: Path) -> dict[str, dict]:
    """practice_page_scale and answer_post_scale: demo size against 100 times the answers."""
    needed = SCALE_REQUESTS + cpu.WARM_UP
    sides = []
    for name in ("small", "large"):
        url = copy_database(prepared, workdir / f"answers-{name}.sqlite3")
        sessions = fixtures.practice_sessions(url, "trainee1@demo.test", sessions=-(-needed // 20))
        app = cpu.bench_app(url)
        with app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Answer))
            if name == "large":
                _grow_answers(app, count * (ANSWER_FACTOR - 1))
                count = db.session.scalar(select(func.count()).select_from(Answer))
        sides.append((cpu.Browser(app, "trainee1@demo.test"), sessions, count))
    (small_browser, small_sessions, small_count), (large_browser, large_sessions, large_count) = sides

    def answer(browser: cpu.Browser, sessions: fixtures.PracticeSessions):
        data = {
            "chosen": "A",
            "confidence": "medium",
            "served_at": "0",
            "csrf_token": browser.token("/practice/"),
        }
        return browser.post_each(sessions.all_item_paths(), data)

    page = cpu.measure_pair(
        small_browser.get(small_sessions.item_path(0, 0)),
        large_browser.get(large_sessions.item_path(0, 0)),
        SCALE_REQUESTS,
    )
    post = cpu.measure_pair(
        answer(small_browser, small_sessions), answer(large_browser, large_sessions), SCALE_REQUESTS
    )
    sizes = {"answers_small": small_count, "answers_large": large_count}
    results = {
        "practice_page_scale": judged(*page, "small", "large", sizes),
        "answer_post_scale": judged(*post, "small", "large", sizes),
    }
    for key, value in results.items():
        print(
            f"{key}: {value['cpu_ms_small']:.2f} ms at {small_count:,} answers, {value['cpu_ms_large']:.2f} ms "
            f"at {large_count:,} (ratio {value['ratio']:.2f}; target <= 1.3)",
            flush=True,
        )
    return results


def _grow_answers(app, count: int) -> None:
    """`count` more answers by the other trainees, in their own study sessions (inside an app context)."""
    trainee_id = accounts.find_user("trainee1@demo.test").id
    owners = [
        tuple(row)
        for row in db.session.execute(
            select(StudySession.id, StudySession.user_id).where(StudySession.user_id != trainee_id)
        )
    ]
    if not owners:
        others = db.session.scalars(select(User.id).where(User.id != trainee_id)).all()
        owners = [(None, user_id) for user_id in others]
    seen = set(db.session.execute(select(Answer.user_id, Answer.question_id)).tuples())
    _insert_answers(_answer_rows(count, owners, _versions(app), random.Random(17), 0, seen))


def _snapshot_rows(members: list[int], weeks: range, last_monday: date, rng) -> list[dict]:
    rows = []
    for user_id in members:
        p = rng.random()
        for back in weeks:
            p = min(1.0, max(0.0, p + rng.uniform(-0.05, 0.05)))
            rows.append(
                {
                    "user_id": user_id,
                    "week": last_monday - timedelta(weeks=back),
                    "verdict": "almost",
                    "pass_probability": p,
                    "mean_mastery": p,
                    "answered": rng.randrange(0, 80),
                }
            )
    return rows


def dashboard_history_scale(prepared: Path, workdir: Path) -> dict:
    """The demo cohort's dashboard with 6 weeks of snapshots per trainee against 156 (3 years)."""
    today = datetime.now(UTC).date()
    last_monday = today - timedelta(days=today.weekday())
    browsers, counts = [], []
    for weeks in (WEEKS_SMALL, WEEKS_LARGE):
        app = cpu.bench_app(copy_database(prepared, workdir / f"history-{weeks}.sqlite3"))
        with app.app_context():
            members = db.session.scalars(
                select(cohort_trainees.c.user_id).where(cohort_trainees.c.cohort_id == 1)
            ).all()
            db.session.execute(delete(ReadinessSnapshot))
            rows = _snapshot_rows(members, range(weeks), last_monday, random.Random(23))
            db.session.execute(insert(ReadinessSnapshot.__table__), rows)
            db.session.commit()
        browsers.append(cpu.Browser(app, "trainer@demo.test"))
        counts.append(len(rows))
    small, large = cpu.measure_pair(
        browsers[0].get("/trainer/cohorts/1"), browsers[1].get("/trainer/cohorts/1"), SCALE_REQUESTS
    )
    result = judged(
        small,
        large,
        f"{WEEKS_SMALL}_weeks",
        f"{WEEKS_LARGE}_weeks",
        {"trainees": len(members), "snapshots_small": counts[0], "snapshots_large": counts[1]},
    )
    print(
        f"dashboard_history_scale: {small.cpu_ms:.1f} ms at {WEEKS_SMALL} weeks, {large.cpu_ms:.1f} ms at "
        f"{WEEKS_LARGE} weeks for {len(members)} trainees (ratio {result['ratio']:.2f}; target <= 1.3)",
        flush=True,
    )
    return result


def readiness_view_scale(prepared: Path, workdir: Path) -> dict:
    """A trainee's own report, nothing stale, with 200 answers against 10,000."""
    browsers, readers, checks = [], [], []
    for answers in (READER_SMALL, READER_LARGE):
        app = cpu.bench_app(copy_database(prepared, workdir / f"readiness-{answers}.sqlite3"))
        with app.app_context():
            reader_id = accounts.create_user(READER, cpu.PASSWORD, {Role.TRAINEE}, name="Bench Reader").id
            db.session.commit()
            rows = _answer_rows(answers, [(None, reader_id)], _versions(app), random.Random(29), 0, set())
            _insert_answers(rows)
        browser = cpu.Browser(app, READER)
        browser.get("/readiness/")(0)  # evidence arrived: this view computes the report and stores it
        checks.append(_stored_report_check(app, reader_id))
        browsers.append(browser)
        readers.append((app, reader_id))
    small, large = cpu.measure_pair(
        browsers[0].get("/readiness/"), browsers[1].get("/readiness/"), SCALE_REQUESTS
    )
    for check in checks:
        check()
    first_views = [
        _recompute_view_ms(app, reader_id, browser)
        for (app, reader_id), browser in zip(readers, browsers, strict=True)
    ]
    result = judged(
        small,
        large,
        f"{READER_SMALL}_answers",
        f"{READER_LARGE}_answers",
        {
            f"stale_view_cpu_ms_{READER_SMALL}_answers": first_views[0],
            f"stale_view_cpu_ms_{READER_LARGE}_answers": first_views[1],
        },
    )
    print(
        f"readiness_view_scale: {small.cpu_ms:.1f} ms at {READER_SMALL} answers, {large.cpu_ms:.1f} ms at "
        f"{READER_LARGE:,} (ratio {result['ratio']:.2f}; target <= 1.3); a view recomputing it: "
        f"{first_views[0]:.0f} / {first_views[1]:.0f} ms",
        flush=True,
    )
    return result


def _recompute_view_ms(app, reader_id: int, browser: cpu.Browser) -> float:
    """CPU of one view right after new evidence (the report marked stale): the view that recomputes it."""
    with app.app_context():
        db.session.execute(
            update(TraineeReadiness).where(TraineeReadiness.user_id == reader_id).values(stale=True)
        )
        db.session.commit()
    return cpu.measure(browser.get("/readiness/"), n=1, warm_up=0).cpu_ms


def _stored_report_check(app, reader_id: int):
    """After the first view: the report must be stored and fresh; the returned check fails if any
    measured view recomputed it (then the measurement would not be of a view with nothing stale)."""
    with app.app_context():
        row = db.session.get(TraineeReadiness, reader_id)
        if row is None or row.stale:
            raise RuntimeError("the readiness report was not stored by its first view")
        computed_at = row.computed_at

    def check() -> None:
        with app.app_context():
            if db.session.get(TraineeReadiness, reader_id).computed_at != computed_at:
                raise RuntimeError("the readiness report was recomputed while nothing was stale")

    return check
