"""The authoring workspace: drafts of question and scenario files, review, and publishing into the bank.

Who may do what (routes check the role with app.policy; this module checks the record):
- Anyone who may author (Action.AUTHOR) creates drafts. A draft is its author's alone to edit, submit
  or withdraw; anyone else who can see it gets 403 for those.
- A draft never submitted is private: anyone but its author gets 404, so ids reveal nothing. Once
  submitted, everyone who may approve content (authors and trainers) reads it and comments on it.
- A reviewer approves or returns a draft in review; nobody approves or returns their own (403).
- Text in review is locked (409): the author withdraws it to edit. Saving a published or returned
  draft makes it a draft again; its published revisions never change.
- Publishing puts the text through the parser and linter `flask content sync` uses and writes it with
  content_sync.apply: any error refuses it (DraftProblems, every problem listed); new content gets new
  bank versions, answers and attempts stay pinned to theirs, and an item the text no longer holds is
  retired. Each publish adds an immutable DraftRevision.
- A published item is retired (never deleted) by anyone who may approve content. It stays retired when
  a text that still holds it is published or synced again (an unrelated publish is no decision to
  serve it): only Restore brings it back.
- Any published question or scenario, from a file or from anyone's draft, can be opened with Edit in
  workspace: a draft pre-filled with its current Markdown that may publish new versions under the same
  id, through the same review. It is refused when someone published another version since it was
  opened. A file-synced item edited here is protected from the file: `flask content sync` keeps this
  version while the file is merely out of date, reports a conflict if the file changed too, and
  `flask content export` writes it back into its file.
These functions flush; the route commits.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from markupsafe import Markup
from sqlalchemy import select

from app.domain import rekey
from app.domain.interchange import GiftImport, import_gift, import_moodle_xml, markdown_file, summary_line
from app.domain.markdown_render import MarkdownRenderer
from app.domain.problems import Problem, ProblemList
from app.domain.questions import QuestionSpec, lint_questions, parse_questions
from app.domain.scenario_map import ScenarioMap, scenario_map
from app.domain.scenarios import analyse, lint_scenario, parse_scenario
from app.extensions import db
from app.models import (
    Draft,
    DraftComment,
    DraftKind,
    DraftRevision,
    DraftStatus,
    Question,
    QuestionVersion,
    Scenario,
    ScenarioVersion,
    User,
)
from app.services import ServiceError, content_export, content_sync, rekeying, rendering
from app.services.content_export import question_file_text
from app.services.content_files import ContentSet, ScenarioFile

IMPORT_FORMATS = {".gift": "GIFT", ".txt": "GIFT", ".xml": "Moodle XML"}
MAX_IMPORT_BYTES = 1024 * 1024  # a 1 MB GIFT file is about 1,500 questions: more is split into several drafts
MAX_DRAFT_CHARACTERS = 200_000  # what the editor saves (authoring/forms.py MAX_TEXT)


class AuthoringError(ServiceError):
    """A draft action that cannot be carried out; the message says why and what to do instead."""


class DraftProblems(AuthoringError):
    """The draft's text has errors, so it cannot be submitted or published; `problems` lists them all."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message, 422)
        self.problems = problems


def draft_path(draft: Draft) -> str:
    """The source path of everything published from this draft: messages and bank versions name it."""
    return f"authoring/draft-{draft.id}.md"


# -- loading, with the visibility rules ---------------------------------------------------------------


def visible_draft(user: User, draft_id: int, lock: bool = False) -> Draft:
    """The draft if this person may read it: its author always, others once it was submitted; else 404.

    `lock` takes a row lock (PostgreSQL) so that two reviewers cannot publish the same draft at once.
    """
    # Lock only the draft's own row: PostgreSQL refuses FOR UPDATE across the eager outer joins.
    draft = db.session.get(Draft, draft_id, with_for_update={"of": Draft} if lock else None)
    if draft is None or (draft.author_id != user.id and draft.submitted_at is None):
        raise AuthoringError("There is no such draft, or it is not shared with you yet.", 404)
    return draft


def own_draft(user: User, draft_id: int) -> Draft:
    """The draft if this person wrote it: 404 when they cannot see it, 403 when it is someone else's."""
    draft = visible_draft(user, draft_id)
    _require_author(draft, user)
    return draft


def draft_to_decide(user: User, draft_id: int, verb: str) -> Draft:
    """A draft in review this person may approve or return (`verb`): 404, then 403 for one's own, 409."""
    draft = visible_draft(user, draft_id, lock=True)
    _require_reviewer(draft, user, verb)
    return draft


def revision_of(draft: Draft, number: int) -> DraftRevision:
    revision = next((r for r in draft.revisions if r.number == number), None)
    if revision is None:
        raise AuthoringError(f"Draft {draft.id} has no published revision {number}.", 404)
    return revision


def drafts_of(user_id: int) -> list[Draft]:
    """The person's drafts, most recently changed first."""
    return list(
        db.session.scalars(select(Draft).where(Draft.author_id == user_id).order_by(Draft.updated_at.desc()))
    )


def review_queue(user_id: int) -> list[Draft]:
    """Drafts in review that this person may decide on (everyone else's), longest waiting first."""
    return list(
        db.session.scalars(
            select(Draft)
            .where(Draft.status == DraftStatus.IN_REVIEW.value, Draft.author_id != user_id)
            .order_by(Draft.submitted_at)
        )
    )


# -- checking and previewing text ----------------------------------------------------------------------


@dataclass
class DraftCheck(ProblemList):
    """What the parser and linter say about a draft's text, and what publishing it would write."""

    problems: list[Problem] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    scenario: ScenarioFile | None = None

    def content(self) -> ContentSet:
        scenarios = [self.scenario] if self.scenario else []
        return ContentSet(questions=self.questions, scenarios=scenarios, problems=self.problems)


def check_text(draft: Draft, text: str) -> DraftCheck:
    """Parse and lint the text as a file of the draft's kind, plus the checks against the bank.

    Against the bank: an id that belongs to an item published from anywhere else (a file or another
    draft) is an error, since ids are never reused; a question whose stored answer key changed is a
    warning, as in `flask content check`. A question draft without any question is an error.
    """
    path = draft_path(draft)
    claims = {(e["kind"], e["slug"]): e for e in draft.edits or []}
    if draft.kind == DraftKind.QUESTION:
        questions, problems = parse_questions(text, path)
        owners = _question_owners([q.id for q in questions])
        known = {
            slug: owner.key
            for slug, owner in owners.items()
            if owner.source == path or (DraftKind.QUESTION.value, slug) in claims
        }
        problems += lint_questions(questions, known)
        for q in questions:
            message = _ownership_problem("question", q.id, owners.get(q.id), path, claims)
            if message:
                problems.append(Problem(path, q.line, message))
        if not questions and not any(p.is_error for p in problems):
            problems.append(
                Problem(path, 1, "there is no question yet: start one with `## The question? {#its-id}`")
            )
        return DraftCheck(sorted(problems, key=lambda p: p.line), questions)
    scenario, problems = parse_scenario(text, path)
    if scenario is None:
        return DraftCheck(problems)
    analysis = analyse(scenario)
    problems += lint_scenario(scenario, analysis)
    message = _ownership_problem("scenario", scenario.id, _scenario_owner(scenario.id), path, claims)
    if message:
        problems.append(Problem(path, scenario.line_of("id"), message))
    return DraftCheck(sorted(problems, key=lambda p: p.line), scenario=ScenarioFile(scenario, analysis, text))


def key_changes(draft: Draft, check: DraftCheck) -> list[rekey.KeyChange]:
    """Questions of the checked text whose correct answer differs from their current bank version's."""
    if draft.kind != DraftKind.QUESTION:
        return []
    claims = {e["slug"] for e in draft.edits or [] if e["kind"] == DraftKind.QUESTION.value}
    path = draft_path(draft)
    stored = {
        slug: owner.key
        for slug, owner in _question_owners([q.id for q in check.questions]).items()
        if owner.source == path or slug in claims
    }
    return rekey.key_changes(check.questions, stored)


@dataclass(frozen=True)
class Owner:
    """Where the current version of a bank item came from."""

    key: str  # questions: the answer key; scenarios: ""
    source: str
    line: int | None
    version: int


def _ownership_problem(kind: str, slug: str, owner: Owner | None, path: str, claims: dict) -> str | None:
    """Why this draft may not publish the id, or None: new ids, its own items and items opened here are fine.

    An item opened with Edit in workspace may take a new version only while the version it was opened
    at is still current; otherwise the draft would silently undo what someone else published since.
    """
    if owner is None or owner.source == path:
        return None
    claim = claims.get((kind, slug))
    if claim is None:
        return _taken(f"{kind} id `{slug}`", owner.source, owner.line)
    if claim["version"] != owner.version:
        return (
            f"{kind} `{slug}` changed since you opened it: version {owner.version} from {owner.source} is "
            f"current now, this draft started from version {claim['version']}. Open it again with "
            "Edit in workspace and carry your change over"
        )
    return None


def _taken(what: str, source: str, line: int | None) -> str:
    where = f"{source}:{line}" if line else source
    return f"{what} is already used by {where}: ids are never reused, so choose a new one"


def _question_owners(slugs: list[str]) -> dict[str, Owner]:
    """slug -> the current version's owner, for the slugs already in the bank."""
    if not slugs:
        return {}
    rows = db.session.execute(
        select(
            Question.slug,
            QuestionVersion.answer_key,
            QuestionVersion.source_path,
            QuestionVersion.source_line,
            QuestionVersion.number,
        )
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(Question.slug.in_(slugs))
    ).all()
    return {slug: Owner(key, source, line, number) for slug, key, source, line, number in rows}


def _scenario_owner(slug: str) -> Owner | None:
    row = db.session.execute(
        select(ScenarioVersion.source_path, ScenarioVersion.number)
        .join(Scenario, Scenario.current_version_id == ScenarioVersion.id)
        .where(Scenario.slug == slug)
    ).first()
    return Owner("", row.source_path, None, row.number) if row else None


@dataclass
class Preview:
    """The text as trainees would see it, rendered by sync's own renderer, with every problem."""

    check: DraftCheck
    questions: list[tuple[QuestionSpec, dict]] = field(default_factory=list)  # with question_row values
    scenario: dict | None = None  # content_sync.scenario_row values
    map: ScenarioMap | None = None
    summary: list[str] = field(default_factory=list)


def preview(draft: Draft, text: str) -> Preview:
    """Check the text and render what would be published (the questions without errors, the scenario)."""
    check = check_text(draft, text)
    try:
        renderer = _renderer_within_budget(draft, check)
    except DraftProblems as too_slow:  # show every problem, the slowness included, and nothing rendered
        return Preview(DraftCheck(too_slow.problems))
    questions, scenario_row = _rows(check, renderer)
    result = Preview(check, questions=questions, scenario=scenario_row)
    if check.scenario is not None:
        scenario, analysis = check.scenario.scenario, check.scenario.analysis
        result.map = scenario_map(scenario, analysis)
        outcomes = ", ".join(f"{n} {name}" for name, n in sorted(analysis.outcome_counts.items()))
        truncated = " (analysis stopped at its limit)" if analysis.truncated else ""
        result.summary = [
            f"{analysis.path_count} distinct paths{truncated} ({outcomes or 'none complete'}); "
            f"{analysis.critical_free_path_count} without a critical error",
            f"Maximum-score path ({analysis.max_score:.1f}): {' › '.join(analysis.max_score_path) or 'none'}",
        ]
    elif draft.kind == DraftKind.QUESTION:
        result.summary = [f"{len(check.questions)} question{'s' if len(check.questions) != 1 else ''} ready"]
    return result


def _rows(
    check: DraftCheck, renderer: MarkdownRenderer
) -> tuple[list[tuple[QuestionSpec, dict]], dict | None]:
    """The bank rows publishing the checked text would write (content_sync's own), rendered by `renderer`."""
    questions = [(q, content_sync.question_row(q, renderer)) for q in check.questions]
    scenario = content_sync.scenario_row(check.scenario, renderer) if check.scenario is not None else None
    return questions, scenario


def _renderer_within_budget(draft: Draft, check: DraftCheck) -> MarkdownRenderer:
    """A renderer holding the checked text already rendered in a child process under the time budget
    (app.services.rendering), so no text can hold the web worker. Over budget it raises DraftProblems:
    the check's problems plus one at the question that was still rendering (line 1 for a scenario)."""
    try:
        return rendering.prerender(lambda renderer: _rows(check, renderer))
    except rendering.RenderTooSlow as too_slow:
        batch = too_slow.batch
        line = check.questions[batch].line if batch is not None and batch < len(check.questions) else 1
        problems = sorted(
            [*check.problems, Problem(draft_path(draft), line, str(too_slow))], key=lambda p: p.line
        )
        raise DraftProblems(f"This text cannot be rendered: {too_slow}", problems) from None


# -- the workflow ----------------------------------------------------------------------------------------


def create_draft(author: User, kind: DraftKind, title: str, text: str, now: datetime) -> Draft:
    draft = Draft(
        kind=kind.value, title=title.strip(), text=text, author_id=author.id, created_at=now, updated_at=now
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def save_draft(draft: Draft, author: User, title: str, text: str, now: datetime) -> None:
    """Store new text (problems and all: a draft may be unfinished). Locked while in review (409)."""
    _require_author(draft, author)
    if draft.status == DraftStatus.IN_REVIEW:
        raise AuthoringError("The draft is in review, so its text is locked. Withdraw it to edit.", 409)
    text, title = text.replace("\r\n", "\n"), title.strip()
    changed = (text, title) != (draft.text, draft.title)
    if changed and draft.status in (DraftStatus.PUBLISHED, DraftStatus.RETURNED):
        draft.status = DraftStatus.DRAFT.value
    draft.title, draft.text, draft.updated_at = title, text, now
    db.session.flush()


def submit(draft: Draft, author: User, now: datetime) -> None:
    """Send the draft for review. Refused with its problems while the text has errors (422)."""
    _require_author(draft, author)
    if draft.status == DraftStatus.IN_REVIEW:
        raise AuthoringError("The draft is already in review.", 409)
    if draft.status == DraftStatus.PUBLISHED:
        raise AuthoringError("This text is already published. Edit it to make a new revision first.", 409)
    check = check_text(draft, draft.text)
    if check.errors:
        raise DraftProblems(_refusal("submitted", check.errors), check.problems)
    _renderer_within_budget(draft, check)  # a reviewer must be able to open it and publish it
    draft.status, draft.submitted_at, draft.updated_at = DraftStatus.IN_REVIEW.value, now, now
    db.session.flush()


def withdraw(draft: Draft, author: User, now: datetime) -> None:
    """Take a draft out of review, back to editing."""
    _require_author(draft, author)
    if draft.status != DraftStatus.IN_REVIEW:
        raise AuthoringError("Only a draft in review can be withdrawn.", 409)
    draft.status, draft.updated_at = DraftStatus.DRAFT.value, now
    db.session.flush()


def approve(
    draft: Draft,
    reviewer: User,
    comment: str,
    now: datetime,
    key_reason: str = "",
    old_answers: str | None = None,
) -> DraftRevision:
    """Publish a draft in review into the bank, as a new immutable revision. Never one's own (403).

    When the text changes the correct answer of a question under its id (key_changes), the reviewer
    must give `key_reason` and choose `old_answers` (regrade or void, app.domain.rekey), else 422;
    the answers given under the old key are then regraded or voided, and the reason is kept as a
    comment on the draft.
    """
    _require_reviewer(draft, reviewer, "approve")
    check = check_text(draft, draft.text)
    if check.errors:
        raise DraftProblems(_refusal("published", check.errors), check.problems)
    changes = key_changes(draft, check)
    missing = rekey.decision_problems(changes, key_reason, old_answers)
    if missing:
        raise AuthoringError(" ".join(missing), 422)
    renderer = _renderer_within_budget(draft, check)
    report = content_sync.apply(check.content(), [draft_path(draft)], now, renderer=renderer)
    if changes:
        decision = rekey.OldAnswers(old_answers)
        rekeyed = rekeying.apply_key_changes(changes, decision, now)
        ids = ", ".join(f"`{c.slug}`" for c in changes)
        _comment(
            draft,
            reviewer,
            f"New answer key for {ids}: {key_reason.strip()}\n\nAnswers under the old key: "
            f"{decision.value} ({rekeyed.summary()}).",
            now,
            "rekeyed",
        )
    revision = DraftRevision(
        draft_id=draft.id,
        number=len(draft.revisions) + 1,
        title=draft.title,
        text=draft.text,
        author_id=draft.author_id,
        approved_by_id=reviewer.id,
        published_at=now,
        items=_published_items(draft),
        summary=report.summary(),
    )
    db.session.add(revision)
    draft.revisions.append(revision)
    draft.status, draft.updated_at = DraftStatus.PUBLISHED.value, now
    _comment(draft, reviewer, comment, now, "approved")
    db.session.flush()
    return revision


def return_draft(draft: Draft, reviewer: User, comment: str, now: datetime) -> None:
    """Send a draft in review back to its author with a comment saying what to change. Never one's own."""
    _require_reviewer(draft, reviewer, "return")
    draft.status, draft.updated_at = DraftStatus.RETURNED.value, now
    _comment(draft, reviewer, comment, now, "returned")
    db.session.flush()


def add_comment(draft: Draft, user: User, text: str, now: datetime) -> DraftComment:
    return _comment(draft, user, text, now, None)


def _comment(draft: Draft, user: User, text: str, now: datetime, action: str | None) -> DraftComment:
    comment = DraftComment(
        draft_id=draft.id, author_id=user.id, text=text.strip(), action=action, created_at=now
    )
    db.session.add(comment)
    draft.comments.append(comment)
    db.session.flush()
    return comment


def _require_author(draft: Draft, user: User) -> None:
    if draft.author_id != user.id:
        raise AuthoringError(
            f"Only {draft.author.name}, who wrote this draft, can change it. Leave a comment instead.", 403
        )


def _require_reviewer(draft: Draft, reviewer: User, verb: str) -> None:
    if draft.author_id == reviewer.id:
        raise AuthoringError(
            f"You wrote this draft, so you cannot {verb} it: another author or a trainer must review it.", 403
        )
    if draft.status != DraftStatus.IN_REVIEW:
        raise AuthoringError(f"Only a draft in review can be {verb}d; this one is {draft.status}.", 409)


def _refusal(what: str, errors: list[Problem]) -> str:
    count = len(errors)
    return f"The draft cannot be {what}: it has {count} error{'s' if count != 1 else ''}. Fix {'them' if count != 1 else 'it'} first."


# -- editing a published item in the workspace -------------------------------------------------------


def edit_published(author: User, kind: str, slug: str, now: datetime) -> Draft:
    """The draft in which this person edits a published question or scenario under its own id.

    - An item last published from this person's own draft opens that draft: it already holds the id.
    - A draft this person opened earlier for the item and has not published yet opens again.
    - Otherwise a new draft holds the item's current Markdown (a question with the front matter its
      section relies on) and records the version and file it started from (`Draft.edits`). It goes
      through the same review; publishing makes a new version of the same id. Retired items may be
      edited too; they stay retired until restored.
    404 when the bank holds no such item.
    """
    if kind == DraftKind.QUESTION:
        item = db.session.scalar(select(Question).where(Question.slug == slug))
    else:
        item = db.session.scalar(select(Scenario).where(Scenario.slug == slug))
    version = item.current_version if item is not None else None
    if version is None:
        raise AuthoringError(f"There is no published {kind} with the id {slug!r}.", 404)
    own = next((d for d in drafts_of(author.id) if draft_path(d) == version.source_path), None)
    if own is not None:
        return own
    for draft in drafts_of(author.id):
        opened = [e for e in draft.edits or [] if (e["kind"], e["slug"]) == (kind, slug)]
        if opened and opened[0]["version"] == version.number and not draft.revisions:
            return draft
    if kind == DraftKind.QUESTION:
        title, text = slug, question_file_text([version])
        line = version.source_line
    else:
        title, text, line = version.title, version.source, 1
    draft = create_draft(author, DraftKind(kind), title[:200], text, now)
    draft.edits = [
        {"kind": kind, "slug": slug, "version": version.number, "source": version.source_path, "line": line}
    ]
    _comment(
        draft,
        author,
        f"Opened {kind} `{slug}` version {version.number} from {version.source_path} "
        "to edit it under the same id.",
        now,
        "opened",
    )
    return draft


@dataclass(frozen=True)
class BankItem:
    kind: str  # question | scenario
    slug: str
    title: str  # a scenario's title; a question's prompt as plain text
    version: int
    source: str
    retired: bool


def bank_items(search: str = "") -> list[BankItem]:
    """Every published question and scenario (retired ones too), by source file; `search` filters by
    id, source path or title (case-insensitive substring)."""
    pattern = f"%{search.strip()}%"
    questions = db.session.execute(
        select(
            Question.slug,
            QuestionVersion.prompt_html,
            QuestionVersion.number,
            QuestionVersion.source_path,
            Question.retired_at,
        )
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(
            Question.slug.ilike(pattern)
            | QuestionVersion.source_path.ilike(pattern)
            | QuestionVersion.source.ilike(pattern)
        )
        .order_by(QuestionVersion.source_path, QuestionVersion.source_line)
    ).all()
    scenarios = db.session.execute(
        select(
            Scenario.slug,
            ScenarioVersion.title,
            ScenarioVersion.number,
            ScenarioVersion.source_path,
            Scenario.retired_at,
        )
        .join(ScenarioVersion, Scenario.current_version_id == ScenarioVersion.id)
        .where(
            Scenario.slug.ilike(pattern)
            | ScenarioVersion.source_path.ilike(pattern)
            | ScenarioVersion.title.ilike(pattern)
        )
        .order_by(ScenarioVersion.source_path)
    ).all()
    return [
        BankItem(DraftKind.QUESTION.value, slug, _plain(html), n, src, retired is not None)
        for slug, html, n, src, retired in questions
    ] + [
        BankItem(DraftKind.SCENARIO.value, slug, title, n, src, retired is not None)
        for slug, title, n, src, retired in scenarios
    ]


def _plain(html: str) -> str:
    return Markup(html).striptags()


# -- what a draft published -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedItem:
    kind: str  # question | scenario
    slug: str
    version: int  # number of the current version
    retired_at: datetime | None


def published_items(draft: Draft) -> list[PublishedItem]:
    """The bank items whose current version came from this draft, retired ones included."""
    path = draft_path(draft)
    questions = db.session.execute(
        select(Question.slug, QuestionVersion.number, Question.retired_at)
        .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
        .where(QuestionVersion.source_path == path)
        .order_by(QuestionVersion.source_line)
    ).all()
    scenarios = db.session.execute(
        select(Scenario.slug, ScenarioVersion.number, Scenario.retired_at)
        .join(ScenarioVersion, Scenario.current_version_id == ScenarioVersion.id)
        .where(ScenarioVersion.source_path == path)
    ).all()
    return [PublishedItem(DraftKind.QUESTION.value, *row) for row in questions] + [
        PublishedItem(DraftKind.SCENARIO.value, *row) for row in scenarios
    ]


def _published_items(draft: Draft) -> list[dict]:
    return [
        {"kind": i.kind, "slug": i.slug, "version": i.version}
        for i in published_items(draft)
        if not i.retired_at
    ]


def retire_item(draft: Draft, user: User, kind: str, slug: str, now: datetime) -> None:
    """Retire a question or scenario this draft published: never served again, never deleted.

    404 when the draft's published content holds no such item; 409 when it is already retired. It stays
    retired when a text that still holds it is published again, until restore_item.
    """
    row = _published_row(draft, kind, slug)
    if row.retired_at is not None:
        raise AuthoringError(f"The {kind} {slug!r} is already retired.", 409)
    row.retired_at, row.retired_by_hand = now, True
    _comment(draft, user, f"Retired the {kind} `{slug}`.", now, "retired")


def _published_row(draft: Draft, kind: str, slug: str) -> Question | Scenario:
    path = draft_path(draft)
    if kind == DraftKind.QUESTION:
        row = db.session.scalar(
            select(Question)
            .join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
            .where(Question.slug == slug, QuestionVersion.source_path == path)
        )
    else:
        row = db.session.scalar(
            select(Scenario)
            .join(ScenarioVersion, Scenario.current_version_id == ScenarioVersion.id)
            .where(Scenario.slug == slug, ScenarioVersion.source_path == path)
        )
    if row is None:
        raise AuthoringError(f"This draft published no {kind} with the id {slug!r}.", 404)
    return row


def restore_item(draft: Draft, user: User, kind: str, slug: str, now: datetime) -> None:
    """Serve a retired question or scenario this draft published again. 404 as retire_item; 409 if live."""
    row = _published_row(draft, kind, slug)
    if row.retired_at is None:
        raise AuthoringError(f"The {kind} {slug!r} is not retired.", 409)
    row.retired_at, row.retired_by_hand = None, False
    _comment(draft, user, f"Restored the {kind} `{slug}`: trainees get it again.", now, "restored")


def diff_to_previous(draft: Draft, revision: DraftRevision) -> list[str]:
    """Unified diff lines from the previous published revision (from nothing for the first)."""
    previous = next((r for r in draft.revisions if r.number == revision.number - 1), None)
    before = previous.text if previous else ""
    return list(
        difflib.unified_diff(
            before.splitlines(),
            revision.text.splitlines(),
            fromfile=f"revision {previous.number}" if previous else "(nothing published)",
            tofile=f"revision {revision.number}",
            lineterm="",
        )
    )


def unpublished_diff(draft: Draft) -> list[str]:
    """Unified diff lines from the latest published revision to the current text ([] when none or same)."""
    latest = draft.latest_revision
    if latest is None or latest.text == draft.text:
        return []
    return list(
        difflib.unified_diff(
            latest.text.splitlines(),
            draft.text.splitlines(),
            fromfile=f"revision {latest.number} (published)",
            tofile="this draft",
            lineterm="",
        )
    )


# -- importing GIFT and Moodle XML ---------------------------------------------------------------------


@dataclass
class ImportOutcome:
    result: GiftImport
    format: str
    draft: Draft | None  # None when nothing could be imported


def import_questions(
    author: User, filename: str, data: bytes, default_domain: str, title: str, now: datetime
) -> ImportOutcome:
    """Turn a GIFT (.gift, .txt) or Moodle XML (.xml) file into one question draft.

    Every imported and partial question goes into the draft's text; the import report (the summary
    line, the file's problems and each question's notes) is kept as the draft's first comment, so
    nothing is dropped silently. When nothing could be imported, no draft is made. A question whose
    stable id (GIFT `[id:...]`, Moodle <idnumber>) names a live question of the bank and that has not
    changed is reported `unchanged` and left out: importing our own export adds nothing. A file that is not
    UTF-8 or has another extension is refused (400).
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in IMPORT_FORMATS:
        raise AuthoringError(f"{filename} is not a .gift, .txt or .xml file: export GIFT or Moodle XML.", 400)
    check_import_size(filename, len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AuthoringError(
            f"{filename} is not UTF-8 text (byte {error.start}): save it as UTF-8 and upload it again.", 400
        ) from None
    taken = db.session.scalars(select(Question.slug)).all()
    known = {q.id: q for q in content_export.parsed_questions()}
    reader = import_moodle_xml if suffix == ".xml" else import_gift
    result = reader(text, filename, default_domain, taken, known)
    outcome = ImportOutcome(result, IMPORT_FORMATS[suffix], None)
    if not any(item.markdown for item in result.items):
        return outcome
    title = (title.strip() or f"Imported from {filename}")[:200]  # the column's length: a long file name fits
    markdown = markdown_file(result, title)
    if len(markdown) > MAX_DRAFT_CHARACTERS:
        raise AuthoringError(
            f"{filename} makes a draft of {len(markdown):,} characters; a draft holds at most "
            f"{MAX_DRAFT_CHARACTERS:,}: split the file and import each part.",
            413,
        )
    outcome.draft = create_draft(author, DraftKind.QUESTION, title, markdown, now)
    _comment(outcome.draft, author, import_report(filename, result), now, "imported")
    return outcome


def check_import_size(filename: str, size: int) -> None:
    """Refuse a file too large to import before reading or parsing it (the CLI checks the file's size)."""
    if size > MAX_IMPORT_BYTES:
        raise AuthoringError(
            f"{filename} is {size / 1024 / 1024:.1f} MB; an import takes at most "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB: split the file and import each part.",
            413,
        )


def import_report(filename: str, result: GiftImport) -> str:
    """The import's summary line, the file's problems and every question's notes, as plain text."""
    lines = [f"Imported from {filename}: {summary_line(result)}."]
    lines += [f"{filename}:{p.line}: {p.message}" for p in result.problems]
    for item in result.items:
        where = f" as `{item.question_id}`" if item.question_id else ""
        lines.append(f"- {item.title} (line {item.line}): {item.status}{where}")
        lines += [f"  - {note}" for note in item.notes]
    return "\n".join(lines)
