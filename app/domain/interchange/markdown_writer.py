"""Write a DraftSpec as a question section in our format, and prove it parses before handing it out."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..markdown_render import unsafe_html
from ..questions import DOMAINS, QuestionSpec, QuestionType, parse_questions
from .drafts import NO_EXPLANATION, NO_RATIONALE, DraftSpec
from .html_to_markdown import escape_plain
from .ids import IdAllocator
from .numbers import plain_number
from .results import ImportedItem, ImportStatus

DEFAULT_DIFFICULTY = 3
DEFAULT_COGNITIVE = "application"

# The parser's own patterns, matched here so that imported text can never be read as structure.
_HEADING = re.compile(r"^ {0,3}##(?:[ \t]+.*)?$")
_OPTION = re.compile(r"^( {0,3}[-*+][ \t]+)\[")
_KEYWORD = re.compile(r"^(Explanation|Reference|Answer|Tolerance|Unit|Match|Distractor)([ \t]*:)")
# Which keywords start structure where (questions/syntax.py, questions/reader.py): in a stem, Explanation, Answer and Tolerance (and
# Unit on a numeric item); after `Explanation:`, a new Explanation or Reference.
_STEM_KEYWORDS = frozenset({"Explanation", "Answer", "Tolerance"})
_WEIGHTED_ANSWER = re.compile(r"^Answer[ \t]+\S*?%[ \t]*:")
_TAIL_KEYWORDS = frozenset({"Explanation", "Reference"})
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RATIONALE_START = re.compile(r"^:(?:[ \t]|$)")
# A block that is a plain paragraph (not a list, table, quote, heading, code or rule) can be a prompt.
_NOT_PARAGRAPH = re.compile(
    r"^(\s{4}|\s*([-*+]\s|\d+[.)]\s|>|#|\||```|~~~|\* \* \*|<(div|table|p|ul|ol|dl|pre|blockquote|h[1-6]|hr)\b))",
    re.I,
)


def check_domain(domain: str) -> str:
    """The domain in canonical form; ValueError when it is not D1-D9 (a caller's mistake, not content)."""
    if domain.upper() not in DOMAINS:
        raise ValueError(f"default domain must be one of D1-D9, not {domain!r}")
    return domain.upper()


def write_item(
    draft: DraftSpec,
    ids: IdAllocator,
    domain: str,
    path: str,
    category: str | None,
    known: Mapping[str, QuestionSpec] | None = None,
) -> ImportedItem:
    """The ImportedItem for a draft: Markdown, status and notes.

    Identity: when the file carries a stable id (`draft.stable_id`) that names a question in `known`
    (the live bank), what the format cannot carry (domain, difficulty, cognitive level, set, pool,
    shuffle, reference, unit, the True/False order) comes from that question, and when the result is
    the same question (same content hash) the item is `unchanged` and has no Markdown: re-importing an
    export never duplicates the bank. When it differs, it is imported under a new id with a note
    naming what changed, since ids are never reused.

    Rules: the last plain paragraph of the question text is the prompt (GIFT puts the question after
    the case data), everything before it the stem; without one the title is the prompt. Missing
    rationales and explanations get a visible placeholder and make the item partial. The section is
    parsed before it is returned; should it ever fail, the item is skipped with the parser's messages.
    """
    prompt, stem = split_prompt(draft.text)
    if not prompt:
        if not draft.title:
            what = (
                "has no text" if not draft.text.strip() else "has no plain paragraph to ask as the question"
            )
            draft.note(draft.line, f"the question {what} and no title: skipped")
            return skipped_item(draft, category)
        prompt = escape_plain(_one_line(draft.title))  # a title is plain text, not Markdown
        draft.note(draft.line, "no one-line question found in the text: the title is the prompt")
    for index, choice in enumerate(draft.choices):
        if not choice.text.strip():
            draft.note(choice.line, f"answer {index + 1} has no text: skipped")
            return skipped_item(draft, category)
        if not choice.rationale.strip():
            choice.rationale = NO_RATIONALE
            draft.note(
                choice.line,
                f"answer `{_short(choice.text)}` has no feedback: a placeholder rationale was added",
            )
    if not draft.explanation.strip():
        draft.explanation = NO_EXPLANATION
        draft.note(draft.line, "no general feedback: a placeholder explanation was added")
    _note_unsafe_html(draft)
    same = (known or {}).get(draft.stable_id or "")
    if same is not None:
        _fill_from(draft, same)
        markdown = _section(draft, same.id, prompt, stem, domain)
        back, _ = parse_questions(markdown, path)
        if back and back[0].content_hash() == same.content_hash():
            return ImportedItem(
                _title(draft, prompt), draft.line, ImportStatus.UNCHANGED, None, (), category, same.id
            )
        changed = ", ".join(_differences(back[0], same)) if back else "the text"
        draft.note(
            draft.line,
            f"`{same.id}` is in the bank, but this differs ({changed}): imported as a new question, "
            "since ids are never reused; retire the old one if this replaces it",
            lossy=False,
        )
    question_id = ids.allocate(draft.title, *draft.id_hints, prompt)
    markdown = _section(draft, question_id, prompt, stem, domain)
    _, problems = parse_questions(markdown, path)
    if problems:
        draft.note(
            draft.line, "could not be written as a valid question: " + "; ".join(p.message for p in problems)
        )
        return skipped_item(draft, category)
    status = ImportStatus.PARTIAL if draft.lossy else ImportStatus.IMPORTED
    return ImportedItem(
        _title(draft, prompt), draft.line, status, markdown, tuple(draft.notes), category, question_id
    )


def _fill_from(draft: DraftSpec, question: QuestionSpec) -> None:
    """Take from the bank's question what the file did not carry."""
    draft.domain = draft.domain or question.domain
    draft.difficulty = draft.difficulty or question.difficulty
    draft.cognitive = draft.cognitive or question.cognitive
    draft.item_set = draft.item_set or question.item_set
    draft.pool = question.pool if draft.pool == "practice" else draft.pool
    draft.shuffle = draft.shuffle and question.shuffle
    if draft.reference is None:
        draft.reference = question.reference
    if draft.unit is None:
        draft.unit = question.unit
    if question.type is QuestionType.TRUE_FALSE and [c.text for c in reversed(draft.choices)] == [
        o.text for o in question.options
    ]:
        draft.choices.reverse()


_COMPARED = {
    "type": "type",
    "prompt": "question",
    "stem": "stem",
    "options": "options",
    "explanation": "explanation",
    "reference": "reference",
    "answer": "answer",
    "tolerance": "tolerance",
    "unit": "unit",
    "topics": "topics",
    "domain": "domain",
    "difficulty": "difficulty",
    "cognitive": "cognitive level",
    "pairs": "pairs",
    "distractors": "distractors",
    "accepted": "accepted answers",
}


def _differences(new: QuestionSpec, old: QuestionSpec) -> list[str]:
    found = [name for field, name in _COMPARED.items() if getattr(new, field) != getattr(old, field)]
    return found or ["set, pool or shuffle"]


def skipped_item(draft: DraftSpec, category: str | None) -> ImportedItem:
    """An item for a question we do not import; its notes say why."""
    prompt, _ = split_prompt(draft.text)
    return ImportedItem(
        _title(draft, prompt), draft.line, ImportStatus.SKIPPED, None, tuple(draft.notes), category
    )


def _title(draft: DraftSpec, prompt: str) -> str:
    return draft.title or _short(prompt or draft.text, 80) or f"question at line {draft.line}"


def split_prompt(text: str) -> tuple[str, str]:
    """(prompt, stem): the last plain paragraph joined into one line, and the blocks before it."""
    blocks = [b.strip("\n") for b in _blocks(text.strip())]
    blocks = [b for b in blocks if b.strip()]
    if not blocks or _NOT_PARAGRAPH.match(blocks[-1]):
        return "", "\n\n".join(blocks)
    return _one_line(blocks[-1]), "\n\n".join(blocks[:-1])


def _blocks(text: str) -> list[str]:
    """Blank-line separated blocks, never cutting inside a fenced code block."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        opener = _FENCE.match(line)
        if fence is None and opener:
            fence = opener.group(1)
        elif fence is not None and _closes(line, fence):
            fence = None
        if fence is None and not line.strip():
            blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    blocks.append("\n".join(current))
    return blocks


def _opens_code_block(first: str, rest: str) -> bool:
    """A fence line that a later line closes; an unclosed one is text after `Explanation:`."""
    opener = _FENCE.match(first)
    return bool(opener) and any(_closes(line, opener.group(1)) for line in rest.split("\n"))


def _closes(line: str, fence: str) -> bool:
    """As the parser reads it: the fence character only, at least as many, indented at most three spaces."""
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    return indent <= 3 and len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _section(draft: DraftSpec, question_id: str, prompt: str, stem: str, domain: str) -> str:
    meta = [
        f"difficulty: {draft.difficulty or DEFAULT_DIFFICULTY}",
        f"cognitive: {draft.cognitive or DEFAULT_COGNITIVE}",
        f"type: {draft.type.value}",
        f"domain: {draft.domain or domain}",
    ]
    if draft.topics:
        meta.append("topics: " + ", ".join(draft.topics))
    if draft.item_set:
        meta.append(f"set: {draft.item_set}")
    if draft.pool != "practice":
        meta.append(f"pool: {draft.pool}")
    if not draft.shuffle:
        meta.append("shuffle: false")
    lines = [f"## {_defuse_html(prompt)} {{#{question_id}}}", " · ".join(meta), ""]
    if stem:
        numeric = draft.type is QuestionType.NUMERIC
        matching = draft.type is QuestionType.MATCHING
        extra = ({"Unit"} if numeric else set()) | ({"Match", "Distractor"} if matching else set())
        lines += [*_free_text(stem, _STEM_KEYWORDS | extra), ""]
    if draft.type is QuestionType.NUMERIC:
        assert draft.answer is not None and draft.tolerance is not None
        lines += [f"Answer: {plain_number(draft.answer)}", f"Tolerance: {plain_number(draft.tolerance)}"]
        if draft.unit:
            lines.append(f"Unit: {_defuse_html(_one_line(draft.unit))}")
        lines.append("")
    if draft.type is QuestionType.MATCHING:
        lines += [
            f"Match: {_defuse_html(_one_line(p))} -> {_defuse_html(_one_line(a))}" for p, a in draft.pairs
        ]
        lines += [f"Distractor: {_defuse_html(_one_line(d))}" for d in draft.distractors]
        lines.append("")
    if draft.type is QuestionType.SHORT:
        for text, weight in draft.accepted:
            percent = "" if weight >= 100 else f" {plain_number(weight)}%"
            lines.append(f"Answer{percent}: {_defuse_html(_one_line(text))}")
        lines.append("")
    for choice in draft.choices:
        lines.append(f"- [{'x' if choice.correct else ' '}] {_defuse_html(_one_line(choice.text))}")
        lines += _rationale(choice.rationale)
    if draft.choices:
        lines.append("")
    first, _, rest = draft.explanation.strip().partition("\n")
    if _opens_code_block(first, rest):  # a code block must open on its own line to be read as one
        lines += ["Explanation:", *_free_text(draft.explanation.strip(), _TAIL_KEYWORDS), ""]
    else:  # the rest of the `Explanation:` line is never read as structure
        lines += [
            f"Explanation: {_defuse_html(first)}",
            *(_free_text(rest, _TAIL_KEYWORDS) if rest else []),
            "",
        ]
    if draft.reference:
        lines += [f"Reference: {_defuse_html(_one_line(draft.reference))}", ""]
    return "\n".join(lines)


def _note_unsafe_html(draft: DraftSpec) -> None:
    texts = [
        draft.text,
        draft.explanation,
        draft.unit or "",
        *(f"{c.text}\n{c.rationale}" for c in draft.choices),
        *(f"{p}\n{a}" for p, a in draft.pairs),
        *draft.distractors,
        *(text for text, _ in draft.accepted),
    ]
    found = sorted({message for text in texts for _, message in unsafe_html(text)})
    if found:
        draft.note(
            draft.line, "raw HTML that could run script is shown as text, not run: " + "; ".join(found)
        )


def _free_text(text: str, keywords: frozenset[str] | set[str]) -> list[str]:
    """Lines of a stem or explanation, changed only where our parser would read them as structure.

    A `##` heading becomes `###`, an option-like `- [ ]` line escapes its bracket, a line starting with
    one of `keywords` (`Answer:`...) starts with an entity instead, an unclosed code block is closed, and
    raw HTML that could run script is shown as text.
    """
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        if fence is not None:
            if _closes(line, fence):
                fence = None
            out.append(line)
            continue
        if opener := _FENCE.match(line):
            fence = opener.group(1)
            out.append(line)
            continue
        if _HEADING.match(line):
            line = "#" + line.lstrip()
        line = _OPTION.sub(lambda m: m.group(1) + "\\[", line)
        line = _KEYWORD.sub(lambda m: _entity_start(m) if m.group(1) in keywords else m.group(0), line)
        if _WEIGHTED_ANSWER.match(line):
            line = "&#65;" + line[1:]
        out.append(_defuse_html(line))
    if fence is not None:
        out.append(fence)
    return out


def _entity_start(match: re.Match[str]) -> str:
    """`Answer:` -> `&#65;nswer:`: renders the same, but is no longer the keyword."""
    word = match.group(1)
    return f"&#{ord(word[0])};{word[1:]}{match.group(2)}"


def _rationale(text: str) -> list[str]:
    """`  : first line` then continuation lines indented by two spaces (four where two would be read as
    a heading, fence or option, since those patterns allow up to three spaces)."""
    lines = [_defuse_html(line.strip()) for line in text.strip().split("\n")]
    out = [f"  : {lines[0]}"]
    for line in lines[1:]:
        if _RATIONALE_START.match(line):
            line = "&#58;" + line[1:]  # `: text` would start a new rationale paragraph
        deep = line.startswith(("#", "```", "~~~")) or _OPTION.match(line)
        out.append(("    " if deep else "  ") + line if line else "")
    return out


def _defuse_html(line: str) -> str:
    """Show raw HTML that could run script as text, so the parser's safety check passes."""
    if not unsafe_html(line):
        return line
    return re.sub(r"javascript(\s*):", r"javascript\1&#58;", line.replace("<", "&lt;"), flags=re.I)
