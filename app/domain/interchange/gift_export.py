"""Export our questions as GIFT, the text format Moodle imports."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ..questions import QuestionSpec, QuestionType
from .numbers import plain_number
from .safe_text import exportable

_SPECIAL = "~=#{}:"

_FORMAT_MARKER = re.compile(r"^\[(moodle|html|plain|markdown)\]")
_WEIGHT_LIKE = re.compile(r"^%-*\d")  # Moodle would read it as a weight after `~`


def escape_gift(text: str) -> str:
    """Moodle's own export rule: `\\` doubled, `~ = # { } :` escaped, a newline written as `\\n`.

    The result is one line, so a question never contains the blank line that would end it.
    """
    text = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def multiple_response_weight(correct_count: int) -> str:
    """Each right option's weight in percent, 100/k to five decimals as Moodle writes its grades.

    For k = 1-10 and 20 this is one of Moodle's own grade values (50, 33.33333, 25, ...); other k give
    weights Moodle accepts but shows as "not one of the standard values".
    """
    share = (Decimal(100) / correct_count).quantize(Decimal("0.00001"))
    text = format(share.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_gift(questions: Iterable[QuestionSpec], category: str | None = None) -> str:
    """A GIFT file with one question per block, in order.

    Rules:
    - `::id::` titles the question and `// [id:...] [tag:...]` carries the id and topics into Moodle's
      idnumber and tags; domain, difficulty, cognitive level, reference and unit go in comments, since
      GIFT has nowhere else for them.
    - The text is `[markdown]`: stem, a blank line, then the prompt (GIFT has one question text; ours
      starts with the question asked, but GIFT reads better with the case data first). The importer
      takes the last paragraph back as the prompt.
    - Rationales become per-answer feedback (`#`), the explanation general feedback (`####`).
    - Multiple response: right options `~%w%`, wrong ones `~%-w%`, with w = 100/k for k right options.
      Moodle adds up the chosen weights and keeps the total between 0 and 100%, which is exactly our
      scoring: (right chosen - wrong chosen) / k, never below 0.
    - True-false: `{TRUE#feedback if wrong#feedback if right}`; numeric: `{#answer:tolerance}`.
    - Matching: `=prompt -> answer` per pair and `= -> answer` per distractor (Moodle's own notation).
    - Short answer: `=answer` per full-credit answer, `=%50%answer` per partial one.
    - The `// [id:...]` comment is the stable id: importing the file into the same bank reports every
      question `unchanged` (gift_import), and the metadata comment carries what GIFT has no place for.
    - `category` adds a `$CATEGORY:` line first.
    """
    blocks = [f"$CATEGORY: {category}"] if category else []
    blocks.extend(gift_question(q) for q in questions)
    return "\n\n".join(blocks) + "\n"


def gift_question(question: QuestionSpec) -> str:
    """One question as a GIFT block (no blank lines inside)."""
    lines = _comments(question)
    text = f"{question.stem}\n\n{question.prompt}" if question.stem else question.prompt
    head = f"::{question.id}::[markdown]{escape_gift(exportable(text))}"
    general = f"####{_text(question.explanation)}"
    if question.type is QuestionType.TRUE_FALSE:
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        value = "TRUE" if right.text.lower() == "true" else "FALSE"
        lines.append(f"{head}{{{value}#{_text(wrong.rationale)}#{_text(right.rationale)}{general}}}")
    elif question.type is QuestionType.MATCHING:
        lines.append(head + "{")
        lines += [f"\t={escape_gift(p.prompt)} -> {escape_gift(p.answer)}" for p in question.pairs]
        lines += [f"\t= -> {escape_gift(d)}" for d in question.distractors]
        lines += [f"\t{general}", "}"]
    elif question.type is QuestionType.SHORT:
        lines.append(head + "{")
        for accepted in question.accepted:
            weight = "" if accepted.credit == 1.0 else f"%{plain_number(accepted.credit * 100)}%"
            if not weight and _WEIGHT_LIKE.match(accepted.text):
                weight = "%100%"  # an explicit weight, so the text keeps its %
            lines.append(f"\t={weight}{escape_gift(accepted.text)}")
        lines += [f"\t{general}", "}"]
    elif question.type is QuestionType.NUMERIC:
        assert question.answer is not None and question.tolerance is not None  # the parser guarantees both
        answer = f"{plain_number(question.answer)}:{plain_number(question.tolerance)}"
        lines.append(f"{head}{{#{answer}{general}}}")
    else:
        lines.append(head + "{")
        weight = multiple_response_weight(len(question.correct_keys) or 1)
        for option in question.options:
            if question.type is QuestionType.MULTIPLE:
                mark = f"~%{weight}%" if option.correct else f"~%-{weight}%"
            elif _WEIGHT_LIKE.match(option.text):
                mark = "=%100%" if option.correct else "~%0%"  # an explicit weight, so the text keeps its %
            else:
                mark = "=" if option.correct else "~"
            lines.append(f"\t{mark}{_text(option.text)}#{_text(option.rationale)}")
        lines += [f"\t{general}", "}"]
    return "\n".join(lines)


def _text(markdown: str) -> str:
    """An answer or feedback: escaped, with an explicit `[markdown]` when it starts like a format marker."""
    markdown = exportable(markdown)
    marker = "[markdown]" if _FORMAT_MARKER.match(markdown) else ""
    return marker + escape_gift(markdown)


def _comments(question: QuestionSpec) -> list[str]:
    tags = "".join(f" [tag:{t}]" for t in question.topics)
    lines = [
        f"// [id:{question.id}]{tags}",
        f"// domain: {question.domain} · difficulty: {question.difficulty} · cognitive: {question.cognitive}"
        f" · type: {question.type.value}",
    ]
    if question.item_set:
        lines[-1] += f" · set: {question.item_set}"
    if question.pool != "practice":
        lines[-1] += f" · pool: {question.pool}"
    if not question.shuffle:
        lines[-1] += " · shuffle: false"
    if question.unit:
        lines.append(f"// unit: {_one_line(question.unit)}")
    if question.reference:
        lines.append(f"// reference: {_one_line(question.reference)}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())
