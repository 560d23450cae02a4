"""`flask content export`: published questions and scenarios back to files (Markdown, GIFT, Moodle XML
or QTI 2.1).

Markdown export writes files that `flask content sync` reads back unchanged: each question keeps its
verbatim section, and each file's front matter (the defaults its sections rely on) is inferred from
the sections that do not override them. Every written file is parsed again and compared, by content
hash, with what is stored; a mismatch stops the export instead of writing something that would change.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select

from app.domain.interchange import export_gift, export_moodle_xml, export_qti_package
from app.domain.questions import QuestionSpec, parse_questions
from app.extensions import db
from app.models import Draft, Question, QuestionVersion, Scenario, ScenarioVersion
from app.services import ServiceError

FORMATS = ("markdown", "gift", "moodle-xml", "qti")
_OVERRIDE = {key: re.compile(rf"(^|[·|])\s*{key}\s*:") for key in ("domain", "topics")}


class ExportError(ServiceError):
    pass


@dataclass(frozen=True)
class ExportReport:
    files: int
    questions: int
    scenarios: int


def _live_versions() -> list[QuestionVersion]:
    query = (
        select(QuestionVersion)
        .join(Question, Question.current_version_id == QuestionVersion.id)
        .where(Question.retired_at.is_(None))
        .order_by(QuestionVersion.source_path, QuestionVersion.source_line)
    )
    return list(db.session.scalars(query))


def _draft_names() -> dict[str, str]:
    """authoring/draft-N.md -> a file name from the draft's title ("pricing-basics"), unique among drafts."""
    titles = dict(db.session.execute(select(Draft.id, Draft.title)).all())
    names = {draft_id: _slug(title) or f"draft-{draft_id}" for draft_id, title in titles.items()}
    taken = Counter(names.values())
    return {
        f"authoring/draft-{draft_id}.md": name if taken[name] == 1 else f"{name}-{draft_id}"
        for draft_id, name in names.items()
    }


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")


def _origins(kind: str = "question") -> dict[tuple[str, str], tuple[str, int]]:
    """(draft path, slug) -> (file, line) an item came from before it was edited in the workspace."""
    found = {}
    for draft_id, edits in db.session.execute(select(Draft.id, Draft.edits).where(Draft.edits.is_not(None))):
        for e in edits or []:
            if e["kind"] == kind and not e["source"].startswith("authoring/"):
                found[(f"authoring/draft-{draft_id}.md", e["slug"])] = (e["source"], e["line"])
    return found


def question_files() -> dict[str, str]:
    """path -> text of every published question file, verified to parse back to the stored versions.

    A question edited in the workspace goes back into the file it was opened from, at its old place;
    other questions published from drafts go to content/questions/<the draft's title>.md.
    """
    names, origins = _draft_names(), _origins()
    groups: dict[str, list[tuple[int, QuestionVersion]]] = defaultdict(list)
    for version in _live_versions():
        origin = origins.get((version.source_path, version.question.slug))
        if origin is not None:
            groups[origin[0]].append((origin[1], version))
        elif version.source_path.startswith("authoring/"):
            name = names.get(
                version.source_path, version.source_path.removeprefix("authoring/").removesuffix(".md")
            )
            groups[f"content/questions/{name}.md"].append((version.source_line, version))
        else:
            groups[version.source_path].append((version.source_line, version))
    files = {}
    for path, placed in groups.items():
        versions = [v for _, v in sorted(placed, key=lambda lv: lv[0])]
        text = question_file_text(versions)
        parsed, problems = parse_questions(text, path)
        stored = {v.question.slug: v.content_hash for v in versions}
        again = {q.id: q.content_hash() for q in parsed}
        if [p for p in problems if p.is_error] or again != stored:
            changed = sorted(k for k in stored if again.get(k) != stored[k])
            raise ExportError(
                f"{path}: exporting would change {', '.join(changed) or 'the file'}; "
                "nothing was written. Check the sources of those questions.",
                500,
            )
        files[path] = text
    return files


def question_file_text(versions: list[QuestionVersion]) -> str:
    """A question file holding these versions' sections, with the front matter their sections rely on."""
    defaults: dict[str, object] = {}
    for version in versions:
        meta = version.source.splitlines()[1] if len(version.source.splitlines()) > 1 else ""
        if not _OVERRIDE["domain"].search(meta):
            defaults.setdefault("domain", version.domain)
        if not _OVERRIDE["topics"].search(meta):
            defaults.setdefault("topics", list(version.topics))
        if version.reference and "Reference:" not in version.source:
            defaults.setdefault("reference", version.reference)
    front = yaml.safe_dump(
        defaults, sort_keys=False, allow_unicode=True, default_flow_style=False, width=200
    ).strip()
    sections = "\n\n".join(v.source.strip() for v in versions)
    return f"---\n{front}\n---\n\n{sections}\n" if defaults else f"{sections}\n"


def scenario_files() -> dict[str, str]:
    """path -> text of every live scenario: back into the file it was opened from, else scenarios/<id>.md."""
    query = (
        select(ScenarioVersion)
        .join(Scenario, Scenario.current_version_id == ScenarioVersion.id)
        .where(Scenario.retired_at.is_(None))
    )
    origins = _origins("scenario")

    def path_of(v: ScenarioVersion) -> str:
        if not v.source_path.startswith("authoring/"):
            return v.source_path
        origin = origins.get((v.source_path, v.scenario.slug))
        return origin[0] if origin else f"scenarios/{v.scenario.slug}.md"

    return {path_of(v): v.source for v in db.session.scalars(query)}


def parsed_questions() -> list[QuestionSpec]:
    found = []
    for path, text in question_files().items():
        found += parse_questions(text, path)[0]
    return found


def export(fmt: str, out: Path) -> ExportReport:
    """Write the published content under `out` in `fmt`; nothing is written if any file fails its check."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}", 400)
    if fmt == "markdown":
        files = {**question_files(), **scenario_files()}
        written = {path: text.encode() for path, text in files.items()}
        scenarios = sum(1 for p in files if p.startswith("scenarios/"))
        questions = len(parsed_questions())
    elif fmt == "gift":
        questions_list = parsed_questions()
        written = {"questions.gift": export_gift(questions_list).encode()}
        questions, scenarios = len(questions_list), 0
    elif fmt == "moodle-xml":
        questions_list = parsed_questions()
        written = {"questions.xml": export_moodle_xml(questions_list)}
        questions, scenarios = len(questions_list), 0
    else:
        questions_list = parsed_questions()
        written = export_qti_package(questions_list)
        questions, scenarios = len(questions_list), 0
    for relative, data in written.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return ExportReport(len(written), questions, scenarios)
