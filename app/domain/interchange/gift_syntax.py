"""GIFT as Moodle's importer reads it: blocks, escapes, titles, format markers and answer blocks.

This layer knows the syntax only; gift_import decides what each question becomes. Where Moodle's
reader is the reference (question/format/gift/format.php), its rules are followed, including the odd
ones: a line is a comment only when it starts with `//`; an `=` anywhere in a choice answer block starts
a new answer unless escaped; the first `{` and the first `}` delimit the answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from .text_formats import BLANK_MARK, FORMATS, Formatted

ESCAPABLE = ":#={}~"
# Escaped characters are replaced by private-use stand-ins while the structure is read, as Moodle does
# with its `&&058;` placeholders, so `\{` can never open an answer block.
_STAND_IN = {c: chr(0xE000 + ord(c)) for c in ESCAPABLE}
_ESCAPED_NEWLINE = "\ue00a"
_RESTORE = str.maketrans({v: k for k, v in _STAND_IN.items()} | {_ESCAPED_NEWLINE: "\n"})
_WEIGHT = re.compile(r"^%(-*)(\d+(?:\.\d*)?)%")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_MOODLE_TRIM = " \t\n\r\0\x0b"  # PHP's trim(): other Unicode spaces are text


@dataclass(frozen=True)
class Source:
    """Text with escapes replaced by stand-ins, remembering the source line of every character."""

    text: str
    lines: tuple[int, ...]

    def line_at(self, index: int) -> int:
        if not self.lines:
            return 0
        return self.lines[min(max(index, 0), len(self.lines) - 1)]

    @property
    def first_line(self) -> int:
        return self.line_at(0)

    def cut(self, start: int, end: int | None = None) -> Source:
        end = len(self.text) if end is None else end
        return Source(self.text[start:end], self.lines[start:end])

    def strip(self) -> Source:
        start = len(self.text) - len(self.text.lstrip(_MOODLE_TRIM))
        end = len(self.text.rstrip(_MOODLE_TRIM))
        return self.cut(start, max(start, end))

    def split(self, separator: str, limit: int = -1) -> list[Source]:
        parts: list[Source] = []
        start = 0
        while limit < 0 or len(parts) < limit - 1:
            found = self.text.find(separator, start)
            if found < 0:
                break
            parts.append(self.cut(start, found))
            start = found + len(separator)
        parts.append(self.cut(start))
        return parts

    @property
    def plain(self) -> str:
        """The characters as the author meant them: stand-ins back to `:`, `#`, ..., `\\n` a newline."""
        return self.text.translate(_RESTORE)


@dataclass(frozen=True)
class Block:
    """Lines up to a blank line, each stripped as Moodle strips them: (line number, text)."""

    lines: tuple[tuple[int, str], ...]

    @property
    def comments(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.lines if text.startswith("//"))

    @property
    def content(self) -> tuple[tuple[int, str], ...]:
        return tuple((n, text) for n, text in self.lines if not text.startswith("//"))


@dataclass(frozen=True)
class GiftAnswer:
    mark: str  # "=" right, "~" wrong or weighted, "" text before the first mark
    weight: Decimal | None  # the %n% written after the mark, in percent
    text: Formatted
    feedback: Formatted | None
    line: int


@dataclass(frozen=True)
class GiftNumber:
    answer: Decimal | None  # None for `*`, any answer
    tolerance: Decimal
    weight: Decimal | None
    feedback: Formatted | None
    written: str
    line: int


@dataclass(frozen=True)
class GiftQuestion:
    """One question as written. `kind` follows Moodle's detection order: description (no braces), essay
    (empty braces), numerical (`{#`), multichoice (a `~`), matching (`=` and `->`), truefalse, shortanswer."""

    line: int
    title: str | None
    comments: tuple[str, ...]
    kind: str
    text: Formatted  # with BLANK_MARK where a missing word's answers stood
    missing_word: bool
    general_feedback: Formatted | None
    answers: tuple[GiftAnswer, ...] = ()  # multichoice, shortanswer
    pairs: tuple[
        tuple[Formatted, str, int], ...
    ] = ()  # matching: (prompt, plain answer, line); "" prompt: distractor
    truth: bool | None = None  # truefalse
    wrong_feedback: Formatted | None = None  # truefalse, numerical (`~` part)
    right_feedback: Formatted | None = None  # truefalse
    numbers: tuple[GiftNumber, ...] = ()  # numerical


@dataclass(frozen=True)
class GiftCategory:
    line: int
    name: str


@dataclass(frozen=True)
class GiftError:
    """A question Moodle would refuse to import; `message` says what is wrong and how to fix it."""

    line: int
    title: str | None
    message: str


GiftPiece = GiftQuestion | GiftCategory | GiftError


def split_blocks(text: str) -> list[Block]:
    """Questions are separated by blank lines; lines are stripped (so indentation is lost, as in Moodle)."""
    blocks: list[Block] = []
    current: list[tuple[int, str]] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.strip(_MOODLE_TRIM)
        if line:
            current.append((number, line))
        elif current:
            blocks.append(Block(tuple(current)))
            current = []
    if current:
        blocks.append(Block(tuple(current)))
    return blocks


def unescape(content: tuple[tuple[int, str], ...]) -> Source:
    """Join content lines with newlines and swap escapes for stand-ins.

    `\\\\` is a backslash, `\\n` a newline, `\\:` `\\#` `\\=` `\\{` `\\}` `\\~` the plain character; any other
    backslash stays as written.
    """
    chars: list[str] = []
    lines: list[int] = []
    for index, (number, text) in enumerate(content):
        if index:
            chars.append("\n")
            lines.append(number)
        i = 0
        while i < len(text):
            pair = text[i : i + 2]
            if pair == "\\\\":
                chars.append("\\")
            elif pair == "\\n":
                chars.append(_ESCAPED_NEWLINE)
            elif len(pair) == 2 and pair[0] == "\\" and pair[1] in ESCAPABLE:
                chars.append(_STAND_IN[pair[1]])
            else:
                chars.append(text[i])
                lines.append(number)
                i += 1
                continue
            lines.append(number)
            i += 2
    return Source("".join(chars), tuple(lines))


def read_pieces(text: str) -> list[GiftPiece]:
    """Every category change, question and unreadable question in a GIFT file, in order.

    A `$CATEGORY:` line takes its own line only: lines after it without a blank line between are read as
    the next question (Moodle would fold them into the category name).
    """
    pieces: list[GiftPiece] = []
    for block in split_blocks(text):
        content = block.content
        if content and content[0][1].startswith("$CATEGORY:"):
            category = unescape(content[:1]).cut(len("$CATEGORY:")).plain.strip()
            pieces.append(GiftCategory(content[0][0], category))
            rest = tuple(line for line in block.lines if line[0] > content[0][0])
            block = Block(rest)
        piece = read_block(block) if block.content else None
        if piece is not None:
            pieces.append(piece)
    return pieces


def read_block(block: Block) -> GiftQuestion | GiftError | None:
    """Read one question block; None for a block of comments only."""
    content = block.content
    if not content:
        return None
    source = unescape(content).strip()
    title: str | None = None
    if source.text.startswith("::"):
        end = source.text.find("::", 2)
        if end < 0:
            source = source.cut(2)  # Moodle keeps the text and names the question after it
        else:
            title = source.cut(2, end).plain.strip() or None
            source = source.cut(end + 2).strip()
    try:
        return _read_question(block, source, title)
    except _Invalid as invalid:
        return GiftError(invalid.line or block.lines[0][0], title, invalid.message)


class _Invalid(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _read_question(block: Block, source: Source, title: str | None) -> GiftQuestion:
    first_line = block.lines[0][0]
    start, finish = source.text.find("{"), source.text.find("}")
    if start < 0 and finish < 0:
        text = with_format(source, "moodle")
        return GiftQuestion(first_line, title, block.comments, "description", text, False, None)
    if finish < 0:
        raise _Invalid(
            source.line_at(start),
            "`{` without a closing `}`: close the answer block, or write `\\{` for a brace in text",
        )
    if start < 0 or finish < start:
        raise _Invalid(
            source.line_at(finish),
            "`}` without a `{` before it: open the answer block, or write `\\}` for a brace in text",
        )
    after = source.cut(finish + 1)
    if "{" in after.text or "}" in after.text:
        at = finish + 1 + min(i for i in (after.text.find("{"), after.text.find("}")) if i >= 0)
        raise _Invalid(
            source.line_at(at),
            "a second `{...}` answer block: a GIFT question has one; write `\\{` and `\\}` for braces in text",
        )
    missing_word = bool(after.text.strip(_MOODLE_TRIM))
    before = source.cut(0, start)
    question_source = Source(
        before.text + (BLANK_MARK if missing_word else "") + after.text,
        before.lines + ((source.line_at(start),) if missing_word else ()) + after.lines,
    )
    answers = source.cut(start + 1, finish).strip()
    general: Source | None = None
    split_at = answers.text.rfind("####")
    if split_at >= 0:
        general = answers.cut(split_at + 4)
        answers = answers.cut(0, split_at).strip()
    text = with_format(question_source.strip(), "moodle")
    feedback = with_format(general, text.format) if general is not None else None
    kind = _kind(answers.text)
    question = GiftQuestion(
        first_line,
        title,
        block.comments,
        kind,
        text,
        missing_word,
        feedback if feedback and feedback.text else None,
    )
    reader = {
        "multichoice": _multichoice,
        "match": _matching,
        "truefalse": _true_false,
        "shortanswer": _short_answer,
        "numerical": _numerical,
    }.get(kind)
    return reader(question, answers) if reader else question


def _kind(answers: str) -> str:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "~" in answers:
        return "multichoice"
    if "=" in answers and "->" in answers:
        return "match"
    head = answers.split("#", 1)[0].strip(_MOODLE_TRIM)
    return "truefalse" if head in _TRUE_FALSE else "shortanswer"


def with_format(source: Source, default: str) -> Formatted:
    """Moodle's parse_text_with_format: a leading `[markdown]`, `[html]`, `[plain]` or `[moodle]` sets the
    format of this text; anything else in brackets is text. The text is trimmed."""
    source = source.strip()
    text_format = default
    if source.text.startswith("["):
        end = source.text.find("]")
        if end > 0 and source.text[1:end] in FORMATS:
            text_format = source.text[1:end]
            source = source.cut(end + 1).strip()
    return Formatted(source.plain.strip(_MOODLE_TRIM), text_format, source.first_line)


# Reading an answer costs about 0.1 ms, so a 1 MB upload of one question with 300,000 `~` held the web
# worker for a minute; Moodle's own editor offers a handful of answers per question.
MAX_ANSWERS = 100


def _answer_pieces(answers: Source, marks: str) -> list[tuple[str, Source]]:
    """Cut an answer block before each mark; (mark, text after it). Moodle drops an empty first piece.
    More than MAX_ANSWERS marks (escaped ones do not count) make the question invalid, unread."""
    if sum(answers.text.count(mark) for mark in marks) > MAX_ANSWERS:
        raise _Invalid(
            answers.first_line,
            f"more than {MAX_ANSWERS} answers in one question: check for a stray `~` or `=` run, or split it",
        )
    pieces: list[tuple[str, Source]] = []
    mark, start = "", 0
    for index, char in enumerate(answers.text):
        if char in marks:
            pieces.append((mark, answers.cut(start, index)))
            mark, start = char, index + 1
    pieces.append((mark, answers.cut(start)))
    if not pieces[0][1].strip().text:
        pieces.pop(0)
    return pieces


def _weight(source: Source) -> tuple[Decimal | None, Source]:
    match = _WEIGHT.match(source.text)
    if not match:
        return None, source
    value = Decimal(match.group(2).rstrip(".") or "0")
    return (-value if match.group(1) else value), source.cut(match.end())


def _with_feedback(source: Source, text_format: str) -> tuple[Formatted, Formatted | None]:
    """Moodle's commentparser: text up to the first `#`, feedback after it."""
    parts = source.split("#", 2)
    feedback = with_format(parts[1], text_format) if len(parts) > 1 else None
    return with_format(parts[0], text_format), (feedback if feedback and feedback.text else None)


def _multichoice(question: GiftQuestion, answers: Source) -> GiftQuestion:
    pieces = _answer_pieces(answers, "~=")
    if len(pieces) < 2:
        raise _Invalid(
            question.line, "a multiple-choice question needs at least two answers (`=right ~wrong`)"
        )
    read: list[GiftAnswer] = []
    for mark, piece in pieces:
        piece = piece.strip()
        weight, rest = _weight(piece)
        text, feedback = _with_feedback(rest, question.text.format)
        read.append(GiftAnswer(mark, weight, text, feedback, piece.first_line or question.line))
    return replace(question, answers=tuple(read))


def _short_answer(question: GiftQuestion, answers: Source) -> GiftQuestion:
    read: list[GiftAnswer] = []
    for mark, piece in _answer_pieces(answers, "="):
        piece = piece.strip()
        weight, rest = _weight(piece)
        text, feedback = _with_feedback(rest, question.text.format)
        read.append(GiftAnswer(mark, weight, text, feedback, piece.first_line or question.line))
    return replace(question, answers=tuple(read))


def _matching(question: GiftQuestion, answers: Source) -> GiftQuestion:
    pairs: list[tuple[Formatted, str, int]] = []
    for _, piece in _answer_pieces(answers, "="):
        at = piece.text.find("->")
        if at < 0:
            raise _Invalid(piece.first_line, "a matching answer needs `->` between the item and its match")
        left = with_format(piece.cut(0, at), question.text.format)
        pairs.append((left, piece.cut(at + 2).plain.strip(_MOODLE_TRIM), piece.first_line or question.line))
    if len(pairs) < 2:
        raise _Invalid(question.line, "a matching question needs at least two pairs (`=item -> match`)")
    return replace(question, pairs=tuple(pairs))


def _true_false(question: GiftQuestion, answers: Source) -> GiftQuestion:
    parts = answers.split("#", 3)
    value = parts[0].plain.strip()
    wrong = with_format(parts[1], question.text.format) if len(parts) > 1 else None
    right = with_format(parts[2], question.text.format) if len(parts) > 2 else None
    return replace(
        question,
        truth=_TRUE_FALSE[value],
        wrong_feedback=wrong if wrong and wrong.text else None,
        right_feedback=right if right and right.text else None,
    )


def _numerical(question: GiftQuestion, answers: Source) -> GiftQuestion:
    body = answers.cut(1)
    wrong: Formatted | None = None
    tilde = body.text.find("~")
    if tilde >= 0:
        _, wrong = _with_feedback(body.cut(tilde + 1), question.text.format)
        body = body.cut(0, tilde)
    pieces = _answer_pieces(body, "=")
    if not pieces:
        raise _Invalid(question.line, "a numerical question needs an answer, like `{#5:0.5}` or `{#4..6}`")
    numbers: list[GiftNumber] = []
    for _, piece in pieces:
        piece = piece.strip()
        weight, rest = _weight(piece)
        text, feedback = _with_feedback(rest, question.text.format)
        answer, tolerance = _number_and_tolerance(text.text, piece.first_line or question.line)
        numbers.append(
            GiftNumber(answer, tolerance, weight, feedback, text.text, piece.first_line or question.line)
        )
    return replace(question, numbers=tuple(numbers), wrong_feedback=wrong)


def _number_and_tolerance(written: str, line: int) -> tuple[Decimal | None, Decimal]:
    """`5:0.5` (answer:margin), `4..6` (a range: its middle, half its width) or `5` (exact); `*` any."""
    if written == "*":
        return None, Decimal(0)
    if ".." in written[1:]:
        low, _, high = written.partition("..")
        low_value, high_value = _decimal(low, line), _decimal(high, line)
        return (low_value + high_value) / 2, (high_value - low_value) / 2
    if ":" in written[1:]:
        answer, _, tolerance = written.partition(":")
        return _decimal(answer, line), _decimal(tolerance, line)
    return _decimal(written, line), Decimal(0)


def _decimal(text: str, line: int) -> Decimal:
    text = text.strip()
    if _NUMBER.match(text):
        return Decimal(text)
    raise _Invalid(
        line, f"`{text}` is not a number: write numerical answers like `{{#5:0.5}}` or `{{#4..6}}`"
    )
