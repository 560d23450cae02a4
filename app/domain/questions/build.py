"""Checking a read question section and building the QuestionSpec: metadata values, options, answer lines
and the Explanation, each problem reported at its line."""

from __future__ import annotations

import math

from .front_matter import topic_problems, unknown_domain
from .reader import SectionReader
from .syntax import NUMBER, join_lines
from .types import (
    COGNITIVE_LEVELS,
    DOMAINS,
    POOLS,
    TOPIC_PATTERN,
    AcceptedAnswer,
    MatchPair,
    Option,
    QuestionSpec,
    QuestionType,
    normalise_answer,
    option_key,
)

_ANSWER_LINE_TYPES = (QuestionType.NUMERIC, QuestionType.MATCHING, QuestionType.SHORT)
_ANSWER_KEYWORDS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.NUMERIC: ("Answer", "Tolerance", "Unit"),
    QuestionType.SHORT: ("Answer", "Answer 50%"),
    QuestionType.MATCHING: ("Match", "Distractor"),
}


class QuestionBuilder:
    """Checks the parts a `SectionReader` collected and builds the question; problems go to the reader's
    list, so a section's problems stay in one place."""

    def __init__(self, raw: SectionReader):
        self.raw = raw

    def error(self, line: int, message: str) -> None:
        self.raw.error(line, message)

    def build(self) -> QuestionSpec | None:
        domain = self._domain()
        topics = self._topics()
        difficulty = self._difficulty()
        cognitive = self._cognitive()
        qtype = self._type()
        options = self._options(qtype)
        self._check_answer_lines(qtype)
        answer, tolerance, unit = self._numeric(qtype)
        pairs, distractors = self._matching(qtype)
        accepted = self._accepted(qtype)
        item_set, pool, shuffle = self._item_set(), self._pool(), self._shuffle()
        explanation = join_lines(self.raw.explanation or [])
        if self.raw.explanation is None:
            self.error(
                self.raw.heading_line,
                "missing `Explanation:`: add a line `Explanation: why the answer is right` after the options",
            )
        elif not explanation:
            self.error(self.raw.explanation_line, "`Explanation:` is empty: say why the answer is right")
        if (
            self.raw.problems
            or self.raw.id is None
            or domain is None
            or difficulty is None
            or cognitive is None
            or qtype is None
        ):
            return None
        reference = (
            join_lines(self.raw.reference) if self.raw.reference is not None else self.raw.defaults.reference
        )
        return QuestionSpec(
            id=self.raw.id,
            path=self.raw.path,
            line=self.raw.heading_line,
            domain=domain,
            topics=topics,
            difficulty=difficulty,
            cognitive=cognitive,
            type=qtype,
            prompt=self.raw.prompt,
            stem=join_lines(self.raw.stem),
            options=options,
            explanation=explanation,
            reference=reference or None,
            answer=answer,
            tolerance=tolerance,
            unit=unit,
            source=self._source(),
            item_set=item_set,
            pool=pool,
            shuffle=shuffle,
            pairs=pairs,
            distractors=distractors,
            accepted=accepted,
        )

    def _source(self) -> str:
        lines = [text for _, text in self.raw.section.lines]
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines) + "\n"

    def _domain(self) -> str | None:
        raw = self.raw.meta.get("domain")
        if raw is None:
            if self.raw.defaults.domain is None and not self.raw.defaults.broken:
                self.error(
                    self.raw.heading_line,
                    "no domain: set `domain:` in the front matter or on the metadata line",
                )
            return self.raw.defaults.domain
        if raw.upper() not in DOMAINS:
            self.error(self.raw.meta_line, unknown_domain(raw))
            return None
        return raw.upper()

    def _topics(self) -> tuple[str, ...]:
        raw = self.raw.meta.get("topics")
        if raw is None:
            return self.raw.defaults.topics
        topics = tuple(t.strip() for t in raw.split(",") if t.strip())
        for message in topic_problems(topics):
            self.error(self.raw.meta_line, message)
        return topics

    def _difficulty(self) -> int | None:
        raw = self.raw.meta.get("difficulty")
        if raw is None:
            if self.raw.has_metadata:
                self.error(
                    self.raw.meta_line, "missing difficulty: add `difficulty: 1-5` to the metadata line"
                )
            return None
        if raw not in ("1", "2", "3", "4", "5"):
            self.error(self.raw.meta_line, f"difficulty must be a whole number from 1 to 5, not `{raw}`")
            return None
        return int(raw)

    def _cognitive(self) -> str | None:
        raw = self.raw.meta.get("cognitive")
        if raw is None:
            if self.raw.has_metadata:
                self.error(
                    self.raw.meta_line,
                    "missing cognitive level: add `cognitive: recall`, `application` or "
                    "`analysis` to the metadata line",
                )
            return None
        if raw.lower() not in COGNITIVE_LEVELS:
            self.error(
                self.raw.meta_line, f"unknown cognitive level `{raw}`: use recall, application or analysis"
            )
            return None
        return raw.lower()

    def _item_set(self) -> str | None:
        raw = self.raw.meta.get("set")
        if raw is None:
            return None
        if not TOPIC_PATTERN.fullmatch(raw):
            self.error(self.raw.meta_line, f"set `{raw}` must be kebab-case, like `set: halvorsen-q3-ar`")
            return None
        return raw

    def _pool(self) -> str:
        raw = self.raw.meta.get("pool", "practice")
        if raw not in POOLS:
            self.error(self.raw.meta_line, f"unknown pool `{raw}`: use practice (the default) or reserve")
            return "practice"
        return raw

    def _shuffle(self) -> bool:
        raw = self.raw.meta.get("shuffle", "true").lower()
        if raw not in ("true", "false"):
            self.error(self.raw.meta_line, f"shuffle must be true or false, not `{raw}`")
            return True
        return raw == "true"

    def _type(self) -> QuestionType | None:
        raw = self.raw.meta.get("type", QuestionType.SINGLE.value)
        try:
            return QuestionType(raw.lower())
        except ValueError:
            self.error(
                self.raw.meta_line,
                f"unknown type `{raw}`: use single, multiple, true-false, numeric, matching or short",
            )
            return None

    def _options(self, qtype: QuestionType | None) -> tuple[Option, ...]:
        options = tuple(
            Option(option_key(i), join_lines(d.text), join_lines(d.rationale or []), d.correct, d.line)
            for i, d in enumerate(self.raw.options)
        )
        for draft, option in zip(self.raw.options, options, strict=True):
            if draft.text[0] and not option.rationale:
                self.error(
                    option.line,
                    f"option {option.key} has no rationale: add an indented "
                    "`: why it is right or wrong` line under it",
                )
        if qtype in _ANSWER_LINE_TYPES:
            if options:
                self.error(
                    options[0].line,
                    f"a {qtype.value} item has no options: remove the `- [ ]` lines or change `type:`",
                )
        elif qtype is not None:
            self._check_choices(qtype, options)
        return options

    def _check_choices(self, qtype: QuestionType, options: tuple[Option, ...]) -> None:
        first_line = options[0].line if options else self.raw.heading_line
        correct = [o for o in options if o.correct]
        if qtype is QuestionType.TRUE_FALSE:
            if sorted(o.text.lower() for o in options) != ["false", "true"]:
                self.error(
                    first_line,
                    "a true-false item needs exactly two options, `True` and `False`: "
                    "write `- [x] True` and `- [ ] False` (or the other way round)",
                )
                return
        elif len(options) < 2:
            self.error(
                first_line,
                f"a {qtype.value} item needs at least 2 options, found {len(options)}: "
                "add options as `- [ ] text` lines",
            )
            return
        if not correct:
            self.error(first_line, "no option is marked correct: mark the right answer `- [x]`")
        elif len(correct) > 1 and qtype is not QuestionType.MULTIPLE:
            keys = ", ".join(o.key for o in correct)
            fix = ", or add `type: multiple`" if qtype is QuestionType.SINGLE else ""
            self.error(
                correct[1].line,
                f"{len(correct)} options ({keys}) are marked correct on a "
                f"{qtype.value} item: mark exactly one `[x]`{fix}",
            )

    def _check_answer_lines(self, qtype: QuestionType | None) -> None:
        """Each answer keyword where its type allows it; one `Answer:`, `Tolerance:`, `Unit:` on numeric."""
        if qtype is None:
            return
        seen: set[str] = set()
        for line, name, weight, _ in self.raw.answer_lines:
            kind = "Answer 50%" if weight is not None else name
            allowed = _ANSWER_KEYWORDS.get(qtype, ())
            if kind not in allowed:
                owners = [t.value for t, names in _ANSWER_KEYWORDS.items() if kind in names]
                what = " items and ".join(owners)
                types = " or ".join(f"`type: {o}`" for o in owners)
                self.error(
                    line,
                    f"`{kind}:` is only for {what} items: add {types} to the metadata line, or remove it",
                )
            elif qtype is QuestionType.NUMERIC and name in seen:
                self.error(line, f"second `{name}:` line: keep one")
            seen.add(name)

    def _matching(self, qtype: QuestionType | None) -> tuple[tuple[MatchPair, ...], tuple[str, ...]]:
        """Pairs `Match: prompt -> answer` (at least two, prompts distinct) and `Distractor: answer`
        lines (never one of the right answers)."""
        if qtype is not QuestionType.MATCHING:
            return (), ()
        pairs: list[MatchPair] = []
        distractors: list[str] = []
        for line, name, _, value in self.raw.answer_lines:
            if name == "Match":
                prompt, arrow, answer = value.partition("->")
                prompt, answer = prompt.strip(), answer.strip()
                if not arrow or not prompt or not answer:
                    self.error(
                        line, "a `Match:` line needs a prompt and its answer: `Match: EXW -> buyer collects`"
                    )
                elif any(p.prompt == prompt for p in pairs):
                    self.error(line, f"prompt `{prompt}` is matched twice: keep one `Match:` line for it")
                else:
                    pairs.append(MatchPair(f"p{len(pairs) + 1}", prompt, answer, line))
            elif name == "Distractor":
                if not value:
                    self.error(line, "`Distractor:` is empty: write an answer that matches no prompt")
                else:
                    distractors.append(value)
        if sum(1 for _, n, _, _ in self.raw.answer_lines if n == "Match") < 2:
            self.error(
                self.raw.heading_line,
                "a matching item needs at least 2 `Match: prompt -> answer` lines below the stem",
            )
        rights = {p.answer for p in pairs}
        for line, name, _, value in self.raw.answer_lines:
            if name == "Distractor" and value in rights:
                self.error(line, f"distractor `{value}` is also a right answer: remove it or reword it")
        return tuple(pairs), tuple(dict.fromkeys(distractors))

    def _accepted(self, qtype: QuestionType | None) -> tuple[AcceptedAnswer, ...]:
        """`Answer: text` (full credit) and `Answer 50%: text` (partial): at least one full-credit answer,
        no two the same once normalised, weights above 0 and at most 100."""
        if qtype is not QuestionType.SHORT:
            return ()
        accepted: list[AcceptedAnswer] = []
        first: dict[str, int] = {}
        for line, name, weight, value in self.raw.answer_lines:
            if name != "Answer":
                continue
            credit = 1.0
            if weight is not None:
                percent = float(weight) if NUMBER.match(weight) else math.nan
                if not (0 < percent <= 100):
                    self.error(line, f"answer weight `{weight}%` must be a number above 0 and at most 100")
                    continue
                credit = percent / 100
            if not value:
                self.error(line, "`Answer:` is empty: write the answer a trainee would type")
                continue
            normal = normalise_answer(value)
            if normal in first:
                self.error(
                    line, f"answer `{value}` repeats line {first[normal]} (case and spacing do not count)"
                )
                continue
            first[normal] = line
            accepted.append(AcceptedAnswer(value, credit, line))
        if not any(a.credit == 1.0 for a in accepted) and not self.raw.problems:
            self.error(
                self.raw.heading_line,
                "a short-answer item needs at least one full-credit `Answer: text` line below the stem",
            )
        return tuple(accepted)

    def _numeric(self, qtype: QuestionType | None) -> tuple[float | None, float | None, str | None]:
        if qtype is not QuestionType.NUMERIC:
            return None, None, None
        answer = self._number("Answer", "94.2")
        tolerance = self._number("Tolerance", "0.1")
        if tolerance is not None and tolerance < 0:
            self.error(
                self.raw.numeric["Tolerance"][0],
                "`Tolerance:` cannot be negative: it is the absolute "
                "distance from the answer still counted right",
            )
            tolerance = None
        unit = self.raw.numeric.get("Unit", (0, ""))[1].strip()
        return answer, tolerance, unit or None

    def _number(self, name: str, example: str) -> float | None:
        if name not in self.raw.numeric:
            extra = " (absolute; 0 for an exact answer)" if name == "Tolerance" else ""
            self.error(
                self.raw.heading_line,
                f"numeric item has no `{name}:` line: add one like `{name}: {example}`{extra} below the stem",
            )
            return None
        line, raw = self.raw.numeric[name]
        value = float(raw) if NUMBER.match(raw) else math.nan
        if not math.isfinite(value):
            self.error(
                line,
                f"`{name}:` must be a plain number like {example}, not `{raw}`: put a unit on a `Unit:` line",
            )
            return None
        return value
