"""Every content error is reported at its exact line, and cross-file checks find duplicates and changed keys."""

from __future__ import annotations

import pytest

from app.domain.problems import Problem, Severity
from app.domain.questions import QuestionSpec, lint_questions, parse_questions

PATH = "content/questions/t.md"
FRONT = "---\ndomain: D2\ntopics: [credit-check]\n---\n"  # lines 1-4


def question(
    qid: str = "credit-hold-first",
    meta: str = "difficulty: 3 · cognitive: application",
    body: str = "- [ ] Release it\n  : Not yours to release.\n- [x] Ask credit\n  : Credit owns it.\n",
    explanation: str = "Explanation: Credit decides.\n",
) -> str:
    """A question section; with FRONT before it the heading is line 5, metadata 6, blank 7, body from 8."""
    return f"## What do you do first? {{#{qid}}}\n{meta}\n\n{body}\n{explanation}"


def only_problem(text: str) -> Problem:
    """Parse, assert exactly one problem and that the broken question was left out."""
    questions, problems = parse_questions(text, PATH)
    assert len(problems) == 1, [str(p) for p in problems]
    assert questions == []
    assert problems[0].path == PATH and problems[0].is_error
    return problems[0]


def assert_problem(text: str, line: int, *phrases: str) -> None:
    problem = only_problem(text)
    assert problem.line == line, str(problem)
    for phrase in phrases:
        assert phrase in problem.message, str(problem)


def test_the_base_question_is_valid() -> None:
    questions, problems = parse_questions(FRONT + question(), PATH)
    assert problems == [] and len(questions) == 1


# ---- front matter


def test_unclosed_front_matter() -> None:
    assert_problem("---\ndomain: D2\n\n" + question(), 1, "not closed", "`---`")


def test_yaml_error_reports_yamls_line() -> None:
    text = "---\ndomain: D2\ntopics: [credit-check\nreference: x\n---\n" + question()
    problem = only_problem(text)
    assert problem.message.startswith("front matter is not valid YAML")
    assert problem.line == 4  # PyYAML notices the unclosed flow sequence at the next key


def test_yaml_value_that_breaks_the_constructor_is_reported_not_raised() -> None:
    assert_problem("---\nreference: 2024-13-45\n---\n" + question(), 2, "not valid YAML")


def test_unknown_front_matter_key() -> None:
    assert_problem("---\ndomain: D2\ndomian: D3\n---\n" + question(), 3, "unknown front matter key `domian`")


def test_unknown_domain_in_front_matter() -> None:
    assert_problem("---\ntopics: [credit-check]\ndomain: D12\n---\n" + question(), 3, "unknown domain `D12`")


def test_unknown_domain_on_the_metadata_line() -> None:
    text = FRONT + question(meta="difficulty: 3 · cognitive: application · domain: D0")
    assert_problem(text, 6, "unknown domain `D0`", "D1-D9")


def test_topic_that_is_not_kebab_case() -> None:
    assert_problem(
        FRONT + question(meta="difficulty: 3 · cognitive: recall · topics: Credit Check"),
        6,
        "topic `Credit Check` is not kebab-case",
    )


def test_no_domain_anywhere() -> None:
    assert_problem(question(), 1, "no domain")


# ---- headings and ids


def test_missing_id() -> None:
    assert_problem(FRONT + question().replace(" {#credit-hold-first}", ""), 5, "no id", "{#")


@pytest.mark.parametrize("bad_id", ["Credit_Hold", "ab", "-starts-with-hyphen", "has space"])
def test_bad_id(bad_id: str) -> None:
    assert_problem(FRONT + question(qid=bad_id), 5, f"bad id `{bad_id}`")


def test_duplicate_id_in_one_file_reports_the_second_and_keeps_the_first() -> None:
    text = FRONT + question() + "\n" + question()  # second heading: 5 + 9 lines of the first section + 1
    questions, problems = parse_questions(text, PATH)
    assert [q.line for q in questions] == [5]
    assert [(p.line, p.message) for p in problems] == [
        (15, "duplicate id `credit-hold-first`: also used at line 5; give each question its own id")
    ]


def test_heading_without_a_question_under_it() -> None:
    text = FRONT + "## Draft: ask about chargebacks {#chargeback-draft}\n\n" + question()
    questions, problems = parse_questions(text, PATH)
    assert [q.id for q in questions] == ["credit-hold-first"]
    assert [p.line for p in problems] == [5]
    assert "heading has no question under it" in problems[0].message


def test_question_parts_before_any_heading() -> None:
    text = (
        FRONT
        + "# Credit holds\n\nIntro prose is fine.\n\n- [x] Ask credit\n  : Credit owns it.\n\n"
        + question()
    )
    questions, problems = parse_questions(text, PATH)
    assert len(questions) == 1
    assert [p.line for p in problems] == [9]
    assert "before any question heading" in problems[0].message


# ---- metadata


def test_missing_metadata_line() -> None:
    assert_problem(FRONT + question(meta="Some stem text first."), 5, "missing metadata line")


@pytest.mark.parametrize("difficulty", ["0", "6", "3.5", "hard"])
def test_difficulty_not_1_to_5(difficulty: str) -> None:
    assert_problem(
        FRONT + question(meta=f"difficulty: {difficulty} · cognitive: recall"),
        6,
        f"difficulty must be a whole number from 1 to 5, not `{difficulty}`",
    )


def test_missing_difficulty() -> None:
    assert_problem(FRONT + question(meta="cognitive: recall"), 6, "missing difficulty")


def test_unknown_cognitive_level() -> None:
    assert_problem(
        FRONT + question(meta="difficulty: 2 · cognitive: synthesis"),
        6,
        "unknown cognitive level `synthesis`",
    )


def test_unknown_type() -> None:
    assert_problem(
        FRONT + question(meta="difficulty: 2 · cognitive: recall · type: essay"), 6, "unknown type `essay`"
    )


def test_unknown_metadata_key() -> None:
    assert_problem(
        FRONT + question(meta="difficulty: 2 · cognitive: recall · level: hard"),
        6,
        "unknown metadata `level`",
    )


# ---- options


def test_no_correct_option() -> None:
    body = "- [ ] Release it\n  : No.\n- [ ] Ask credit\n  : No.\n"
    assert_problem(FRONT + question(body=body), 8, "no option is marked correct")


def test_several_correct_options_on_a_single_answer_item_points_at_the_second() -> None:
    body = "- [x] Release it\n  : No.\n- [ ] Wait\n  : No.\n- [x] Ask credit\n  : Yes.\n"
    assert_problem(FRONT + question(body=body), 12, "2 options (A, C)", "type: multiple")


def test_true_false_needs_exactly_true_and_false() -> None:
    body = "- [x] Yes\n  : Right.\n- [ ] No\n  : Wrong.\n"
    text = FRONT + question(meta="difficulty: 1 · cognitive: recall · type: true-false", body=body)
    assert_problem(text, 8, "`True` and `False`")


def test_true_false_with_both_marked() -> None:
    body = "- [x] True\n  : Right.\n- [x] False\n  : Wrong.\n"
    text = FRONT + question(meta="difficulty: 1 · cognitive: recall · type: true-false", body=body)
    assert_problem(text, 10, "2 options (A, B) are marked correct on a true-false item")


def test_option_without_rationale() -> None:
    body = "- [ ] Release it\n- [x] Ask credit\n  : Credit owns it.\n"
    assert_problem(FRONT + question(body=body), 8, "option A has no rationale")


def test_fewer_than_two_options() -> None:
    body = "- [x] Ask credit\n  : Credit owns it.\n"
    text = FRONT + question(meta="difficulty: 2 · cognitive: recall · type: multiple", body=body)
    assert_problem(text, 8, "at least 2 options, found 1")


def test_choice_item_with_no_options_at_all() -> None:
    assert_problem(FRONT + question(body="Just a stem.\n"), 5, "at least 2 options, found 0")


def test_text_that_is_not_understood_where_an_option_was_expected() -> None:
    body = "- [ ] Release it\n  : No.\nThis line is neither an option nor a rationale.\n- [x] Ask credit\n  : Yes.\n"
    assert_problem(FRONT + question(body=body), 10, "not understood where an option was expected")


def test_option_after_the_explanation() -> None:
    explanation = "Explanation: Credit decides.\n- [ ] Late option\n  : Too late.\n"
    assert_problem(FRONT + question(explanation=explanation), 14, "option after `Explanation:`")


# ---- numeric items

NUMERIC_META = "difficulty: 3 · cognitive: application · type: numeric"


def test_numeric_item_without_answer() -> None:
    text = FRONT + question(meta=NUMERIC_META, body="Stem.\n\nTolerance: 0.1\n")
    assert_problem(text, 5, "no `Answer:` line")


def test_numeric_item_without_tolerance() -> None:
    text = FRONT + question(meta=NUMERIC_META, body="Stem.\n\nAnswer: 94.2\n")
    assert_problem(text, 5, "no `Tolerance:` line")


@pytest.mark.parametrize("value", ["94.2%", "about 94", "nan", "1,234"])
def test_numeric_answer_that_is_not_a_number(value: str) -> None:
    text = FRONT + question(meta=NUMERIC_META, body=f"Stem.\n\nAnswer: {value}\nTolerance: 0.1\n")
    assert_problem(text, 10, "`Answer:` must be a plain number", f"not `{value}`")


def test_numeric_tolerance_that_is_not_a_number_or_negative() -> None:
    text = FRONT + question(meta=NUMERIC_META, body="Stem.\n\nAnswer: 94.2\nTolerance: a little\n")
    assert_problem(text, 11, "`Tolerance:` must be a plain number")
    text = FRONT + question(meta=NUMERIC_META, body="Stem.\n\nAnswer: 94.2\nTolerance: -0.1\n")
    assert_problem(text, 11, "cannot be negative")


def test_numeric_item_with_options() -> None:
    body = "Stem.\n\nAnswer: 94.2\nTolerance: 0.1\n- [x] 94.2\n  : Yes.\n"
    assert_problem(FRONT + question(meta=NUMERIC_META, body=body), 12, "a numeric item has no options")


def test_answer_line_on_a_choice_item() -> None:
    body = "Answer: 94.2\n- [ ] Release it\n  : No.\n- [x] Ask credit\n  : Yes.\n"
    assert_problem(FRONT + question(body=body), 8, "`Answer:` is only for numeric items")


# ---- explanation and HTML


def test_missing_explanation() -> None:
    assert_problem(FRONT + question(explanation="Reference: policy 4\n"), 5, "missing `Explanation:`")


def test_empty_explanation() -> None:
    assert_problem(FRONT + question(explanation="Explanation:\n"), 13, "`Explanation:` is empty")


@pytest.mark.parametrize(
    ("html", "phrase"),
    [
        ("<script>alert(1)</script>", "raw <script> tag"),
        ('<img src=x onerror="alert(1)">', "event handler"),
        ("[click](javascript:alert(1))", "javascript: URL"),
        ("<iframe src=https://example.com></iframe>", "raw <iframe> tag"),
    ],
)
def test_raw_html_that_could_run_script_is_reported_at_its_line(html: str, phrase: str) -> None:
    body = f"- [ ] Release it\n  : No.\n- [x] Ask credit\n  : Credit owns it.\n  {html}\n"
    assert_problem(FRONT + question(body=body), 12, phrase)


def test_unclosed_code_block() -> None:
    body = "```\n| a | b |\n"
    assert_problem(FRONT + question(body=body), 8, "code block opened here is never closed")


# ---- one pass collects everything


def test_all_problems_of_a_file_are_collected_in_one_pass() -> None:
    text = (
        FRONT
        + question(qid="first-broken", meta="difficulty: 9 · cognitive: recall")  # lines 5-13
        + "\n"
        + question(qid="good-one")  # lines 15-23
        + "\n"
        + question(qid="second-broken", body="- [ ] A\n  : a.\n- [ ] B\n")  # lines 25-32
    )
    questions, problems = parse_questions(text, PATH)
    assert [q.id for q in questions] == ["good-one"]
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (6, "difficulty must be a whole number from 1 to 5, not `9`"),
        (28, "no option is marked correct"),
        (30, "option B has no rationale"),
    ]


def test_problems_print_as_path_line_message() -> None:
    problem = only_problem(FRONT + question(meta="difficulty: 7 · cognitive: recall"))
    assert str(problem) == f"{PATH}:6: difficulty must be a whole number from 1 to 5, not `7`"


# ---- cross-file lint


def parsed(text: str, path: str) -> list[QuestionSpec]:
    questions, problems = parse_questions(text, path)
    assert problems == []
    return questions


def test_duplicate_id_across_files_names_both_locations() -> None:
    first = parsed(FRONT + question(), "content/questions/a.md")
    second = parsed(FRONT + "\n\n" + question(), "content/questions/b.md")
    problems = lint_questions(first + second)
    assert problems == [
        Problem(
            "content/questions/b.md",
            7,
            "duplicate id `credit-hold-first`: also used at content/questions/a.md:5; "
            "ids must be unique across all files",
        )
    ]


def test_changed_answer_of_a_known_id_is_a_warning() -> None:
    questions = parsed(FRONT + question(), PATH)
    problems = lint_questions(questions, {"credit-hold-first": "Release it"})
    assert problems == [
        Problem(
            PATH,
            5,
            "the correct answer of credit-hold-first changed: publish it under a new id, or in the authoring workspace with a reason and regrade or void the old answers",
            Severity.WARNING,
        )
    ]
    assert str(problems[0]).startswith(f"{PATH}:5: warning: ")


def test_unchanged_answer_and_unknown_ids_are_fine() -> None:
    questions = parsed(FRONT + question(), PATH)
    assert lint_questions(questions, {"credit-hold-first": "Ask credit", "other-id": "x"}) == []
    assert lint_questions(questions) == []


def test_a_line_that_would_stall_the_markdown_renderer_is_an_error_and_never_rendered_slowly():
    import time

    from app.domain.markdown_render import MarkdownRenderer
    from app.domain.questions import parse_questions

    text = (
        "---\ndomain: D1\n---\n\n## Q {#q-brackets}\ndifficulty: 1 · cognitive: recall\n\n"
        + "[" * 90000
        + "\n\n- [x] A\n  : a\n- [ ] B\n  : b\n\nExplanation: e\n"
    )
    _, problems = parse_questions(text, "q.md")
    assert any(p.line == 8 and "`[` on one line" in p.message for p in problems)
    started = time.perf_counter()
    html = MarkdownRenderer().render("[" * 90000)
    assert time.perf_counter() - started < 10 and html.startswith("<p>[[[")


def test_the_raw_html_check_takes_linear_time_on_unclosed_tags_and_still_finds_handlers():
    import time

    from app.domain.markdown_render import unsafe_html

    started = time.perf_counter()
    assert unsafe_html("<a " * 33_000) == []  # 100 KB of unclosed tags: 40 s before the check was fixed
    assert time.perf_counter() - started < 10  # bounds a hang, not a speed: the quadratic check took 40 s
    found = unsafe_html('<a title="<" onclick="x()">hi</a>\n<img src=x onerror=y>')
    assert [offset for offset, message in found if "event handler" in message] == [0, 1]
