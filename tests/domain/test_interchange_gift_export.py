"""GIFT export: escapes, each question type, the multiple-response weights, and the round trip
our file -> QuestionSpec -> GIFT -> import -> our parser, over the docs example and all real content."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.domain.interchange import ImportStatus, export_gift, import_gift
from app.domain.interchange.gift_export import escape_gift, gift_question, multiple_response_weight
from app.domain.interchange.safe_text import RAW_HTML
from app.domain.questions import QuestionSpec, QuestionType, parse_questions
from app.domain.scoring import score_answer

ROOT = Path(__file__).resolve().parents[2]
CONTENT = sorted((ROOT / "content" / "questions").glob("*.md"))

SMALL = """\
---
domain: D4
topics: [edi, retailer-chargeback]
reference: Retailer routing guide, section 2
---

## Which of these cause a chargeback? {#chargeback-causes-export}
difficulty: 2 · cognitive: recall · type: multiple

Acme's guide charges back for: {late} windows; ASN ~ mismatches; "#" labels = wrong.

- [x] A delivery outside the window
  : Window violations are charged back.
- [x] An ASN that does not match the cartons
  : The retailer receives against the 856.
- [ ] Invoicing on terms
  : Nothing to charge back: a ratio 1:1 with the PO.
  A second line, with a backslash \\ in it.
- [x] A carrier the routing guide does not allow
  : Routing-guide violations cost the freight difference.

Explanation: Fix the root cause.

Watch the windows, the ASN and the routing guide.

## The 855 is sent by the supplier. {#po-ack-sender}
difficulty: 1 · cognitive: recall · type: true-false

- [x] True
  : The supplier acknowledges the buyer's PO.
- [ ] False
  : The buyer sends the 850; the supplier answers with the 855.

Explanation: The 855 is the purchase order acknowledgment.

## What is the line fill rate? {#fill-rate-export}
difficulty: 2 · cognitive: application · type: numeric

An order of 200 lines ships 190 complete.

Answer: 95
Tolerance: 0.5
Unit: %

Explanation: 190 / 200 = 95%.
"""


def parse(text: str, path: str = "small.md") -> list[QuestionSpec]:
    questions, problems = parse_questions(text, path)
    assert [str(p) for p in problems] == []
    return questions


def docs_example() -> str:
    docs = (ROOT / "docs" / "authoring-questions.md").read_text(encoding="utf-8")
    [example] = [
        b for b in re.findall(r"^````markdown\n(.*?)^````$", docs, flags=re.M | re.S) if b.startswith("---")
    ]
    return example


def test_escape_gift_follows_moodle() -> None:
    assert escape_gift("a:b=c~d#e{f}g\\h\nnext\r") == "a\\:b\\=c\\~d\\#e\\{f\\}g\\\\h\\nnext"


def test_single_choice_question_is_written_with_title_marker_feedback_and_comments() -> None:
    question = parse(docs_example(), "docs.md")[0]
    block = gift_question(question)
    lines = block.split("\n")
    assert lines[0] == "// [id:credit-release-authority] [tag:credit-check] [tag:escalation]"
    assert lines[1] == "// domain: D2 · difficulty: 3 · cognitive: application · type: single"
    assert lines[2] == "// reference: CSCP-style practice; see domain notes on credit holds"
    assert lines[3].startswith("::credit-release-authority::[markdown]Halvorsen Foods")
    assert lines[3].endswith(
        "A key account's $240k order is on credit hold at quarter end. What do you do first?{"
    )
    assert lines[5].startswith("\t=Send credit the exposure and the order, and ask for a decision")
    assert lines[5].endswith(
        "#Credit owns the decision; giving them the numbers makes a fast answer possible."
    )
    assert lines[-2].startswith("\t####The order plus open AR ($452,050) exceeds the limit")
    assert lines[-1] == "}"
    assert "" not in lines  # a blank line would end the question


def test_true_false_and_numeric_are_one_line() -> None:
    _, truth, numeric = parse(SMALL)
    assert gift_question(truth).split("\n")[-1] == (
        "::po-ack-sender::[markdown]The 855 is sent by the supplier.{TRUE"
        "#The buyer sends the 850; the supplier answers with the 855."
        "#The supplier acknowledges the buyer's PO."
        "####The 855 is the purchase order acknowledgment.}"
    )
    block = gift_question(numeric).split("\n")
    assert "// unit: %" in block
    assert block[-1] == (
        "::fill-rate-export::[markdown]An order of 200 lines ships 190 complete.\\n\\nWhat is the line fill rate?"
        "{#95:0.5####190 / 200 \\= 95%.}"
    )


def test_multiple_response_weights_are_moodle_grades_and_wrong_options_take_one_share() -> None:
    chargeback = parse(SMALL)[0]
    answers = [line for line in gift_question(chargeback).split("\n") if line.startswith("\t~")]
    assert [a.split("%")[1] for a in answers] == ["33.33333", "33.33333", "-33.33333", "33.33333"]
    moodle_grades = {
        "100",
        "50",
        "33.33333",
        "25",
        "20",
        "16.66667",
        "14.28571",
        "12.5",
        "11.11111",
        "10",
        "5",
    }
    assert {multiple_response_weight(k) for k in (*range(1, 11), 20)} <= moodle_grades


def test_moodle_scoring_of_the_exported_weights_equals_ours_for_every_choice() -> None:
    question = parse(SMALL)[0]
    weight = float(multiple_response_weight(len(question.correct_keys)))
    keys = [o.key for o in question.options]
    for size in range(1, len(keys) + 1):
        for chosen in itertools.combinations(keys, size):
            # Moodle adds the chosen options' weights and keeps the total within 0-100%.
            total = sum(weight if key in question.correct_keys else -weight for key in chosen)
            moodle = min(1.0, max(0.0, total / 100))
            assert moodle == pytest.approx(score_answer(question, chosen).credit, abs=1e-6)


def test_a_category_line_comes_first_when_asked() -> None:
    assert export_gift(parse(SMALL)[:1], category="Order desk/D4").startswith(
        "$CATEGORY: Order desk/D4\n\n//"
    )


def insignificant(text: str) -> str:
    """Markdown with spaces at line ends and runs of blank lines reduced: they change nothing shown."""
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n")))


def assert_round_trip(questions: list[QuestionSpec], same: Callable[[str], str] = str) -> None:
    """Export, import, parse: the same text (after `same`), options, keys, numbers and topics come back."""
    result = import_gift(export_gift(questions), "exported.gift", default_domain="D1")
    assert result.problems == []
    assert [(i.status, i.notes) for i in result.items] == [(ImportStatus.IMPORTED, ())] * len(questions)
    for original, item in zip(questions, result.items, strict=True):
        assert item.markdown is not None
        [back] = parse(item.markdown, "back.md")
        assert back.id == f"gift-{original.id}"
        assert (back.type, back.prompt, same(back.stem), same(back.explanation)) == (
            original.type,
            original.prompt,
            same(original.stem),
            same(original.explanation),
        )
        assert [(o.key, o.text, o.correct, same(o.rationale)) for o in back.options] == [
            (o.key, o.text, o.correct, same(o.rationale)) for o in original.options
        ]
        assert (back.answer, back.tolerance, back.topics) == (
            original.answer,
            original.tolerance,
            original.topics,
        )
        assert (back.pairs, back.distractors, back.accepted) == (
            original.pairs,
            original.distractors,
            original.accepted,
        )


def test_round_trip_of_tricky_text_escapes_and_every_type() -> None:
    questions = parse(SMALL)
    assert {q.type for q in questions} == {
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.NUMERIC,
    }
    assert_round_trip(questions)


def test_round_trip_of_the_docs_example() -> None:
    assert_round_trip(parse(docs_example(), "docs.md"))


@pytest.mark.parametrize("path", CONTENT, ids=lambda p: p.name)
def test_round_trip_of_all_real_content(path: Path) -> None:
    assert_round_trip(parse(path.read_text(encoding="utf-8"), str(path)))


# Characters that GIFT, Markdown or our own format give a meaning to.
TRICKY = st.text(alphabet=st.sampled_from(list("ab :=~#{}\\*_%[]<>&-|`.5\n")), min_size=1, max_size=24)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prompt=TRICKY.map(lambda t: "Q " + t.replace("\n", " ")),
    right=TRICKY.map(lambda t: t.replace("\n", " ")),
    wrong=TRICKY.map(lambda t: "%50%" + t.replace("\n", " ")),
    rationale=TRICKY,
    explanation=TRICKY,
    stem=TRICKY.map(lambda t: "Case " + t),
)
def test_round_trip_of_any_characters(
    prompt: str, right: str, wrong: str, rationale: str, explanation: str, stem: str
) -> None:
    indented = "\n".join("  " + line if line.strip() else "" for line in rationale.split("\n"))
    text = (
        f"## {prompt} {{#round-trip}}\ndifficulty: 2 · cognitive: recall · domain: D1\n\n{stem}\n\n"
        f"- [x] {right}\n  : {indented.strip()}\n- [ ] {wrong}\n  : why not\n\nExplanation: {explanation}\n"
    )
    questions, problems = parse_questions(text, "any.md")
    assume(not problems and questions)
    assume(not RAW_HTML.search(text))  # raw HTML goes out sanitised (the next test), not as written
    assert_round_trip(questions, insignificant)


def test_exports_carry_the_sanitised_form_never_the_authors_raw_html():
    from app.domain.interchange import export_moodle_xml

    tricky = SMALL.replace(": Invoicing terms are not", ": Invoicing terms are not").replace(
        ": Nothing to charge back: a ratio 1:1 with the PO.",
        ': Nothing to charge back, <a href="&#106;avascript:alert(1)">see the guide</a> '
        '<span class="flash">Sign in again</span>.',
    )
    question = parse(tricky, "tricky.md")[0]
    xml = export_moodle_xml([question])
    for exported in (export_gift([question]), xml.decode() if isinstance(xml, bytes) else xml):
        lowered = exported.lower()
        assert "javascript" not in lowered and "&#106;" not in exported and "<span" not in exported
        assert "see the guide" in exported and "Sign in again" in exported  # the words stay, the markup goes
    plain = parse(SMALL)[0]
    assert "ratio 1\\:1 with the PO." in gift_question(plain)  # text without raw HTML goes out as written
