"""Load checked content into the database: all-or-nothing, idempotent, versioned by content hash.

Rules:
- Any error in any file and nothing changes (`ContentError` carries every problem).
- A question or scenario whose content hash is new gets a new version; answers and attempts stay
  pinned to the version they used. An unchanged item costs one hash comparison and no rendering.
- An item that disappears from the files within the synced scope is retired (never deleted); one that
  comes back is restored. An item retired by hand (the workspace's Retire button) stays retired, even
  with new text, until someone restores it: publishing or syncing the text that still holds it is no
  decision to serve it again. The report counts those as kept retired.
- An item edited in the authoring workspace keeps that version while its file holds an older one; a
  file that changed too is a conflict (see `sync`).
- Markdown is rendered and sanitised here, once; requests never render it again.
The caller commits (or rolls back); this module only flushes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from app.domain.markdown_render import MarkdownRenderer, strip_paragraph
from app.domain.problems import ContentError, Problem
from app.domain.questions import QuestionSpec
from app.domain.scenarios import analyse, parse_scenario
from app.extensions import db
from app.models import Question, QuestionVersion, Scenario, ScenarioVersion
from app.services.content_files import ContentSet, Roots, ScenarioFile, read_content

Progress = Callable[[int], None]


@dataclass
class SyncReport:
    questions_added: int = 0
    question_versions_added: int = 0
    questions_unchanged: int = 0
    questions_retired: int = 0
    scenarios_added: int = 0
    scenario_versions_added: int = 0
    scenarios_unchanged: int = 0
    scenarios_retired: int = 0
    kept_retired: int = 0  # items retired by hand that the content still holds: they stay retired
    kept_in_app: int = 0  # items edited in the workspace whose files still hold an older version
    analyses_stored: int = 0  # older scenario versions whose path analysis was stored at last
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"questions: {self.questions_added} new, {self.question_versions_added} new versions, "
            f"{self.questions_unchanged} unchanged, {self.questions_retired} retired; "
            f"scenarios: {self.scenarios_added} new, {self.scenario_versions_added} new versions, "
            f"{self.scenarios_unchanged} unchanged, {self.scenarios_retired} retired"
            + (
                f"; {self.kept_retired} retired by hand kept retired (restore them to serve them again)"
                if self.kept_retired
                else ""
            )
            + (
                f"; {self.kept_in_app} kept as edited in the authoring workspace (their files are out of date: "
                "flask content export)"
                if self.kept_in_app
                else ""
            )
            + (
                f"; path analysis stored for {self.analyses_stored} older scenario versions"
                if self.analyses_stored
                else ""
            )
        )


def stored_answer_keys() -> dict[str, str]:
    """slug -> answer key of the current version, for the 'answer changed' warning.

    An author may check files before any database exists; then there is nothing to compare with.
    """
    query = select(Question.slug, QuestionVersion.answer_key).join(
        QuestionVersion, Question.current_version_id == QuestionVersion.id
    )
    try:
        return dict(db.session.execute(query).all())
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return {}


def check(paths: Iterable[Path], roots: Roots) -> ContentSet:
    return read_content(paths, roots, stored_answer_keys())


class SyncConflict(ContentError):
    """Files would overwrite items last changed in the authoring workspace."""


def sync(
    paths: Iterable[Path], roots: Roots, now: datetime, progress: Progress | None = None, force: bool = False
) -> SyncReport:
    """Check everything under `paths`, then apply it. Raises ContentError (nothing changed) on any error.

    Items whose current version was published in the authoring workspace (unless `force`, which lets
    the files win):
    - a file that still holds a version the workspace has superseded is out of date, not an edit: the
      item keeps its workspace version and the report counts it (`flask content export` updates the file);
    - a file that holds text the bank has never had was edited too: SyncConflict, nothing changes.
    """
    paths = [Path(p) for p in paths]
    content = check(paths, roots)
    behind: set[tuple[str, str]] = set()
    if not force and not content.errors:
        conflicts, behind = in_app_edits(content)
        if conflicts:
            raise SyncConflict(
                [
                    Problem(
                        path,
                        line,
                        f"`{slug}` was last published in the authoring workspace "
                        "and the file changed too; it would overwrite that edit (export it, "
                        "merge the two, or sync --force)",
                    )
                    for slug, path, line in conflicts
                ]
            )
        content = replace(
            content,
            questions=[q for q in content.questions if ("question", q.id) not in behind],
            scenarios=[s for s in content.scenarios if ("scenario", s.scenario.id) not in behind],
        )
    report = apply(content, [roots.display(p) for p in paths], now, progress)
    report.kept_in_app = len(behind)
    report.analyses_stored = store_missing_analyses()
    return report


def store_missing_analyses() -> int:
    """Store the path analysis of scenario versions synced before versions kept it (migration 0025), so
    they are analysed once here rather than once per worker; returns how many were filled."""
    filled = 0
    for version in db.session.scalars(select(ScenarioVersion).where(ScenarioVersion.analysis.is_(None))):
        scenario, problems = parse_scenario(version.source, version.source_path)
        if scenario is not None and not any(p.is_error for p in problems):
            version.analysis = analyse(scenario).to_json()
            filled += 1
    return filled


def in_app_conflicts(content: ContentSet) -> list[tuple[str, str, int]]:
    """(slug, file, line) for file items whose text differs from every version of an item edited in the app."""
    return in_app_edits(content)[0]


def in_app_edits(content: ContentSet) -> tuple[list[tuple[str, str, int]], set[tuple[str, str]]]:
    """File items of items whose current version was published in the app: (conflicts, behind).

    Behind: (kind, slug) of files holding an older version of the item (no news, the file is out of
    date). Conflicts: (slug, file, line) of files holding text the bank never had for the item.
    """
    questions = _versions_of_app_edited(Question, QuestionVersion, QuestionVersion.question_id)
    scenarios = _versions_of_app_edited(Scenario, ScenarioVersion, ScenarioVersion.scenario_id)
    conflicts: list[tuple[str, str, int]] = []
    behind: set[tuple[str, str]] = set()
    files = [("question", q.id, q.content_hash(), q.path, q.line) for q in content.questions] + [
        ("scenario", s.scenario.id, s.scenario.content_hash(), s.scenario.path, 1) for s in content.scenarios
    ]
    for kind, slug, digest, path, line in files:
        known = (questions if kind == "question" else scenarios).get(slug)
        if known is None or digest == known[0]:
            continue
        if digest in known[1]:
            behind.add((kind, slug))
        else:
            conflicts.append((slug, path, line))
    return conflicts, behind


def _versions_of_app_edited(item, version, item_id) -> dict[str, tuple[str, set[str]]]:
    """slug -> (current hash, every version's hash) for the items whose current version came from the app."""
    current = {
        slug: digest
        for slug, digest in db.session.execute(
            select(item.slug, version.content_hash)
            .join(version, item.current_version_id == version.id)
            .where(version.source_path.startswith("authoring/"))
        )
    }
    found: dict[str, tuple[str, set[str]]] = {slug: (digest, set()) for slug, digest in current.items()}
    if found:
        for slug, digest in db.session.execute(
            select(item.slug, version.content_hash)
            .join(version, item_id == item.id)
            .where(item.slug.in_(list(found)))
        ):
            found[slug][1].add(digest)
    return found


def apply(
    content: ContentSet,
    scope: list[str],
    now: datetime,
    progress: Progress | None = None,
    renderer: MarkdownRenderer | None = None,
) -> SyncReport:
    """Write checked content: new items and versions, restored items, and retire what left `scope`.

    `scope` holds source paths (files or folders): an item whose current version came from one of them
    and that is no longer in `content` is retired. Raises ContentError, changing nothing, when `content`
    has any error. `sync` calls this after reading the files; publishing a draft from the authoring
    workspace calls it with the draft's parsed text, so both make versions the same way (with a
    `renderer` that already rendered it under a time budget, app.services.rendering).
    """
    if content.errors:
        raise ContentError(content.problems)
    report = SyncReport(warnings=content.warnings)
    renderer = renderer or MarkdownRenderer()
    _sync_questions(content.questions, scope, now, renderer, report, progress)
    _sync_scenarios(content.scenarios, scope, now, renderer, report, progress)
    db.session.flush()
    return report


def _in_scope(source_path: str, scope: list[str]) -> bool:
    return any(source_path == s or source_path.startswith(s.rstrip("/") + "/") for s in scope)


def _restore_unless_retired_by_hand(row: Question | Scenario, report: SyncReport) -> None:
    """An item the content holds is served again, unless someone retired it by hand."""
    if row.retired_at is None:
        return
    if row.retired_by_hand:
        report.kept_retired += 1
    else:
        row.retired_at = None


# -- questions ---------------------------------------------------------------------------------------


def _matching_options(q: QuestionSpec, html: list[str]) -> list[dict]:
    """A matching item's prompts (`p1`, with the key of their answer) then its answer column (`a1`).

    They live in `options` beside choice options, marked by `role`; `correct` stays False so the
    choice-option statistics (distractor analysis) leave them out.
    """
    keys = {text: key for key, text in q.match_answers}
    prompts = [
        {
            "key": p.key,
            "role": "prompt",
            "html": html[i],
            "match": keys[p.answer],
            "correct": False,
            "rationale_html": "",
        }
        for i, p in enumerate(q.pairs)
    ]
    answers = [
        {"key": key, "role": "answer", "html": html[len(q.pairs) + i], "correct": False, "rationale_html": ""}
        for i, (key, _) in enumerate(q.match_answers)
    ]
    return prompts + answers


def question_row(q: QuestionSpec, renderer: MarkdownRenderer) -> dict:
    """A question version's stored values, its Markdown rendered and sanitised (sync and draft previews)."""
    fragments = [q.prompt, q.stem, q.explanation]
    for option in q.options:
        fragments += [option.text, option.rationale]
    fragments += [p.prompt for p in q.pairs] + [text for _, text in q.match_answers]
    html = renderer.render_many(fragments)
    prompt, stem, explanation = html[:3]
    options = [
        {
            "key": o.key,
            "html": strip_paragraph(html[3 + 2 * i]),
            "rationale_html": html[4 + 2 * i],
            "correct": o.correct,
        }
        for i, o in enumerate(q.options)
    ]
    options += _matching_options(q, [strip_paragraph(h) for h in html[3 + 2 * len(q.options) :]])
    options += [
        {
            "key": f"s{i}",
            "role": "accepted",
            "text": a.text,
            "credit": a.credit,
            "correct": False,
            "html": "",
            "rationale_html": "",
        }
        for i, a in enumerate(q.accepted, start=1)
    ]
    return {
        "content_hash": q.content_hash(),
        "domain": q.domain,
        "topics": list(q.topics),
        "difficulty": q.difficulty,
        "cognitive": q.cognitive,
        "type": q.type.value,
        "prompt_html": strip_paragraph(prompt),
        "stem_html": stem,
        "options": options,
        "explanation_html": explanation,
        "reference": q.reference,
        "answer": q.answer,
        "tolerance": q.tolerance,
        "unit": q.unit,
        "answer_key": q.answer_key(),
        "source": q.source,
        "source_path": q.path,
        "source_line": q.line,
        "item_set": q.item_set,
        "pool": q.pool,
        "shuffle": q.shuffle,
    }


def _sync_questions(
    parsed: list[QuestionSpec],
    scope: list[str],
    now: datetime,
    renderer: MarkdownRenderer,
    report: SyncReport,
    progress: Progress | None,
) -> None:
    """Add new questions, a version for each changed one, and retire those gone from files in scope."""
    existing = _question_rows(parsed, now, report)
    pending = _changed_questions(parsed, existing, renderer, report, progress)
    _add_question_versions(pending, now, report)
    _retire_gone_questions(parsed, existing, scope, now, report)


def _question_rows(parsed: list[QuestionSpec], now: datetime, report: SyncReport) -> dict[str, Question]:
    """Every question row by slug, the new ones inserted in one statement."""
    existing = {q.slug: q for q in db.session.scalars(select(Question))}
    new_slugs = [q.id for q in parsed if q.id not in existing]
    if new_slugs:
        db.session.execute(
            insert(Question),
            [{"slug": q.id, "domain": q.domain, "created_at": now} for q in parsed if q.id not in existing],
        )
        existing.update(
            {q.slug: q for q in db.session.scalars(select(Question).where(Question.slug.in_(new_slugs)))}
        )
        report.questions_added = len(new_slugs)
    return existing


def _changed_questions(
    parsed: list[QuestionSpec],
    existing: dict[str, Question],
    renderer: MarkdownRenderer,
    report: SyncReport,
    progress: Progress | None,
) -> list[tuple[Question, dict]]:
    """(row, new version values) for each question whose content hash differs from its current version."""
    current_hash = dict(
        db.session.execute(
            select(Question.id, QuestionVersion.content_hash).join(
                QuestionVersion, Question.current_version_id == QuestionVersion.id
            )
        ).all()
    )
    pending: list[tuple[Question, dict]] = []
    for done, q in enumerate(parsed, 1):
        row = existing[q.id]
        if current_hash.get(row.id) == q.content_hash():
            report.questions_unchanged += 1
            _restore_unless_retired_by_hand(row, report)
        else:
            pending.append((row, question_row(q, renderer)))
        if progress and done % 100 == 0:
            progress(100)
    if progress:
        progress(len(parsed) % 100)
    return pending


def _retire_gone_questions(
    parsed: list[QuestionSpec],
    existing: dict[str, Question],
    scope: list[str],
    now: datetime,
    report: SyncReport,
) -> None:
    """Retire the live questions no file has any more, when their file is within the synced paths."""
    present = {q.id for q in parsed}
    gone = {
        row.current_version_id: row
        for slug, row in existing.items()
        if slug not in present and row.retired_at is None and row.current_version_id is not None
    }
    if not gone or not scope:
        return
    # One query for the source paths: a publish of one draft leaves every other question "gone".
    source_paths = db.session.execute(
        select(QuestionVersion.id, QuestionVersion.source_path).join(
            Question, Question.current_version_id == QuestionVersion.id
        )
    ).all()
    for version_id, source_path in source_paths:
        if version_id in gone and _in_scope(source_path, scope):
            gone[version_id].retired_at = now
            report.questions_retired += 1


def _add_question_versions(pending: list[tuple[Question, dict]], now: datetime, report: SyncReport) -> None:
    """Insert the new versions in bulk; reuse an older identical version when an edit is reverted."""
    if not pending:
        return
    ids = [row.id for row, _ in pending]
    known = {
        (qid, h): vid
        for qid, h, vid in db.session.execute(
            select(QuestionVersion.question_id, QuestionVersion.content_hash, QuestionVersion.id).where(
                QuestionVersion.question_id.in_(ids)
            )
        ).all()
    }
    numbers = dict(
        db.session.execute(
            select(QuestionVersion.question_id, func.max(QuestionVersion.number))
            .where(QuestionVersion.question_id.in_(ids))
            .group_by(QuestionVersion.question_id)
        ).all()
    )
    fresh = []
    for row, values in pending:
        reused = known.get((row.id, values["content_hash"]))
        if reused is not None:
            row.current_version_id, row.domain = reused, values["domain"]
            _restore_unless_retired_by_hand(row, report)
            continue
        fresh.append(
            (row, {**values, "question_id": row.id, "number": numbers.get(row.id, 0) + 1, "created_at": now})
        )
    if fresh:
        version_ids = db.session.scalars(
            insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True),
            [values for _, values in fresh],
        ).all()
        for (row, values), version_id in zip(fresh, version_ids, strict=True):
            row.current_version_id, row.domain = version_id, values["domain"]
            _restore_unless_retired_by_hand(row, report)
    report.question_versions_added += len(pending)


# -- scenarios ---------------------------------------------------------------------------------------


def scenario_row(item: ScenarioFile, renderer: MarkdownRenderer) -> dict:
    """A scenario version's stored values, its fragments rendered and sanitised (sync and draft previews)."""
    scenario, analysis = item.scenario, item.analysis
    fragments = list(scenario.markdown_fragments())
    html = renderer.render_many([f.markdown for f in fragments])
    rendered = {f.key: (strip_paragraph(h) if f.inline else h) for f, h in zip(fragments, html, strict=True)}
    return {
        "content_hash": scenario.content_hash(),
        "title": scenario.title,
        "difficulty": scenario.difficulty,
        "exception_types": list(scenario.exception_types),
        "domains": list(scenario.domains),
        "order_value": scenario.order_value,
        "customer_tier": scenario.customer_tier,
        "source": item.text,
        "fragments": rendered,
        "max_score_path": list(analysis.max_score_path),
        "path_count": analysis.path_count,
        "analysis": analysis.to_json(),
        "source_path": scenario.path,
    }


def _sync_scenarios(
    files: list[ScenarioFile],
    scope: list[str],
    now: datetime,
    renderer: MarkdownRenderer,
    report: SyncReport,
    progress: Progress | None,
) -> None:
    existing = {s.slug: s for s in db.session.scalars(select(Scenario))}
    for item in files:
        scenario = item.scenario
        row = existing.get(scenario.id)
        if row is None:
            row = Scenario(slug=scenario.id, created_at=now)
            db.session.add(row)
            db.session.flush()
            existing[scenario.id] = row
            report.scenarios_added += 1
        versions = {
            v.content_hash: v
            for v in db.session.scalars(select(ScenarioVersion).where(ScenarioVersion.scenario_id == row.id))
        }
        digest = scenario.content_hash()
        current = versions.get(digest)
        if current is not None and row.current_version_id == current.id:
            report.scenarios_unchanged += 1
        elif current is not None:
            row.current_version_id = current.id
            report.scenario_versions_added += 1
        else:
            number = max((v.number for v in versions.values()), default=0) + 1
            version = ScenarioVersion(
                scenario_id=row.id, number=number, created_at=now, **scenario_row(item, renderer)
            )
            db.session.add(version)
            db.session.flush()
            row.current_version_id = version.id
            report.scenario_versions_added += 1
        _restore_unless_retired_by_hand(row, report)
        if progress:
            progress(1)
    present = {item.scenario.id for item in files}
    for slug, row in existing.items():
        if slug in present or row.retired_at is not None or row.current_version_id is None:
            continue
        if _in_scope(db.session.get(ScenarioVersion, row.current_version_id).source_path, scope):
            row.retired_at = now
            report.scenarios_retired += 1
