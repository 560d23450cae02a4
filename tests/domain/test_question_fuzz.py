"""The question parser never raises: arbitrary text and mutated valid files come back as problems."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.problems import Problem
from app.domain.questions import QuestionSpec, lint_questions, parse_questions

from .test_question_parser import VALID_FILE

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID_LINES = VALID_FILE.split("\n")

# Fragments that steer random text towards the parser's interesting branches.
FRAGMENTS = [
    "---",
    "...",
    "## ",
    "## Q {#",
    "{#good-id}",
    "{#}",
    "difficulty: 3",
    " · ",
    " | ",
    "cognitive: recall",
    "type: numeric",
    "type: true-false",
    "- [x] ",
    "- [ ] ",
    "  : ",
    ": ",
    "Explanation:",
    "Reference:",
    "Answer: 1",
    "Tolerance: 0",
    "Unit: %",
    "```",
    "~~~",
    "<script>",
    "onload=",
    "javascript:",
    "domain: D4",
    "topics: [a, b]",
    "reference: 2024-13-45",
    "!!python/object:os.system",
    "&a [*a]",
    "\r",
    "\t",
    "\ufeff",
    "\x00",
    "\u2028",
    "\x0c",
    "True",
    "False",
    "|---|",
]


def check_result(text: str, questions: list[QuestionSpec], problems: list[Problem]) -> None:
    line_count = max(1, text.count("\n") + 1)
    assert all(isinstance(q, QuestionSpec) for q in questions)
    assert all(isinstance(p, Problem) for p in problems)
    assert all(1 <= p.line <= line_count for p in problems), [str(p) for p in problems]
    assert all(1 <= q.line <= line_count for q in questions)
    assert len({q.id for q in questions}) == len(questions)
    lint_questions(questions, {q.id: "changed" for q in questions})


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_never_raises(text: str) -> None:
    questions, problems = parse_questions(text, "fuzz.md")
    check_result(text, questions, problems)


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=60).map("".join))
def test_text_built_from_format_fragments_never_raises(text: str) -> None:
    questions, problems = parse_questions(text, "fuzz.md")
    check_result(text, questions, problems)


@st.composite
def mutated_valid_file(draw: st.DrawFn) -> str:
    """The valid example with a few lines deleted, duplicated, swapped, replaced or cut short."""
    lines = list(VALID_LINES)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "truncate", "insert"]))
        if action == "delete":
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "replace":
            lines[at] = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)))
        elif action == "truncate":
            lines[at] = lines[at][: draw(st.integers(0, max(0, len(lines[at]) - 1)))]
        else:
            lines.insert(at, draw(st.sampled_from(VALID_LINES)))
    return "\n".join(lines)


@FUZZ
@given(mutated_valid_file())
def test_mutated_valid_files_never_raise(text: str) -> None:
    questions, problems = parse_questions(text, "fuzz.md")
    check_result(text, questions, problems)
    if not any(p.is_error for p in problems):
        # A clean parse must be stable: the same text parses to the same questions again.
        assert parse_questions(text, "fuzz.md") == (questions, problems)


@FUZZ
@given(mutated_valid_file())
def test_each_question_source_parses_back_to_the_same_question(text: str) -> None:
    questions, problems = parse_questions(text, "fuzz.md")
    if any(p.line <= 5 for p in problems):
        return  # front-matter damage changes the defaults the sources rely on
    front = "\n".join(VALID_LINES[:5]) + "\n"
    for question in questions:
        [again], again_problems = parse_questions(front + question.source, "fuzz.md")
        assert again_problems == []
        assert (again.id, again.options, again.stem, again.explanation) == (
            question.id,
            tuple(
                o.__class__(o.key, o.text, o.rationale, o.correct, o.line - question.line + 6)
                for o in question.options
            ),
            question.stem,
            question.explanation,
        )
