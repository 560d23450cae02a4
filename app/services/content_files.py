"""Find, read and check the content files: questions, scenarios, the exam blueprint, the promotion policy.

Reading is separate from syncing so that `flask content check` and `flask content sync` report the very
same problems. Paths in messages are relative to the project root, as authors see them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.exam import Blueprint, parse_blueprint
from app.domain.item_checks import parse_vocabulary, question_cues, scenario_cues, vocabulary_problems
from app.domain.problems import Problem, ProblemList
from app.domain.questions import QuestionSpec, lint_questions, parse_questions
from app.domain.readiness.promotion_rules import PromotionRules, parse_promotion_rules
from app.domain.scenarios import Analysis, ScenarioSpec, analyse, lint_scenario, parse_scenario

BLUEPRINT_FILE = "blueprint.yaml"
POLICY_FILE = "policy/promotion.yaml"
TOPICS_FILE = "topics.yaml"


@dataclass
class ScenarioFile:
    scenario: ScenarioSpec
    analysis: Analysis
    text: str


@dataclass
class ContentSet(ProblemList):
    """Everything read from the files, plus every problem found (errors and warnings)."""

    questions: list[QuestionSpec] = field(default_factory=list)
    scenarios: list[ScenarioFile] = field(default_factory=list)
    blueprint: Blueprint | None = None
    policy: PromotionRules | None = None
    vocabulary: dict[str, tuple[str, ...]] | None = None
    policy_topics: list[tuple[str, str, int]] = field(default_factory=list)  # (topic, path, line)
    problems: list[Problem] = field(default_factory=list)
    question_files: list[str] = field(default_factory=list)
    scenario_files: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.questions)} questions, {len(self.scenarios)} scenarios, "
            f"{len(self.errors)} errors, {len(self.warnings)} warnings"
        )


@dataclass(frozen=True)
class Roots:
    """Where content lives: content/ (questions/, blueprint.yaml, policy/) and scenarios/."""

    content: Path
    scenarios: Path
    project: Path

    def display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.project.resolve()))
        except ValueError:
            return str(path)

    def kind_of(self, path: Path) -> str | None:
        """questions | scenario | blueprint | policy | topics, or None for a file that is not content."""
        resolved = path.resolve()
        if resolved.is_relative_to(self.scenarios.resolve()) and path.suffix == ".md":
            return "scenario"
        if resolved.is_relative_to((self.content / "questions").resolve()) and path.suffix == ".md":
            return "questions"
        if resolved == (self.content / BLUEPRINT_FILE).resolve():
            return "blueprint"
        if resolved == (self.content / POLICY_FILE).resolve():
            return "policy"
        if resolved == (self.content / TOPICS_FILE).resolve():
            return "topics"
        return None


def expand(paths: Iterable[Path], roots: Roots) -> list[Path]:
    """Files named, and content files inside folders named, in a stable order."""
    files: set[Path] = set()
    for path in paths:
        if path.is_dir():
            files.update(p for p in path.rglob("*") if p.is_file() and roots.kind_of(p))
        elif path.exists():
            files.add(path)
    return sorted(files)


def has_content(roots: Roots) -> bool:
    return bool(expand([roots.content, roots.scenarios], roots))


def read_content(
    paths: Iterable[Path], roots: Roots, known_answer_keys: Mapping[str, str] | None = None
) -> ContentSet:
    """Parse and lint every file under `paths`; never raises on bad content."""
    found = ContentSet()
    for path in [Path(p) for p in paths]:
        if not path.exists():
            found.problems.append(Problem(roots.display(path), 1, "no such file or folder"))
    for file in expand(paths, roots):
        shown = roots.display(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            found.problems.append(Problem(shown, 1, f"cannot read the file as UTF-8 text: {exc}"))
            continue
        kind = roots.kind_of(file)
        if kind == "questions":
            questions, problems = parse_questions(text, shown)
            found.questions += questions
            found.question_files.append(shown)
        elif kind == "scenario":
            scenario, problems = parse_scenario(text, shown)
            found.scenario_files.append(shown)
            if scenario is not None:
                analysis = analyse(scenario)
                problems = problems + lint_scenario(scenario, analysis) + scenario_cues(scenario, analysis)
                found.scenarios.append(ScenarioFile(scenario, analysis, text))
        elif kind == "blueprint":
            found.blueprint, problems = parse_blueprint(text, shown)
        elif kind == "policy":
            found.policy, problems = parse_promotion_rules(text, shown)
            found.policy_topics = _policy_topics(text, shown)
        elif kind == "topics":
            found.vocabulary, problems = parse_vocabulary(text, shown)
        else:
            problems = [
                Problem(
                    shown,
                    1,
                    "not a content file: questions go in content/questions/*.md, scenarios in scenarios/*.md",
                )
            ]
        found.problems += problems
    found.problems += lint_questions(found.questions, known_answer_keys)
    found.problems += question_cues(found.questions)
    found.problems += _duplicate_scenarios(found.scenarios)
    if found.vocabulary is not None:
        found.problems += vocabulary_problems(
            found.vocabulary, found.questions, [s.scenario for s in found.scenarios], found.policy_topics
        )
    found.problems.sort(key=lambda p: (p.path, p.line))
    return found


def _policy_topics(text: str, path: str) -> list[tuple[str, str, int]]:
    """(topic, path, line) of every `item_topics: [...]` list in the promotion policy."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith("item_topics:") and "[" in line:
            inside = line.split("[", 1)[1].split("]", 1)[0]
            found += [(t.strip(), path, number) for t in inside.split(",") if t.strip()]
    return found


def _duplicate_scenarios(files: list[ScenarioFile]) -> list[Problem]:
    first: dict[str, ScenarioSpec] = {}
    problems = []
    for item in files:
        scenario = item.scenario
        earlier = first.setdefault(scenario.id, scenario)
        if earlier is not scenario:
            problems.append(
                Problem(
                    scenario.path,
                    scenario.lines.get("id", 1),
                    f"duplicate scenario id `{scenario.id}`: also used in {earlier.path}",
                )
            )
    return problems
