"""Parse and lint question files (the format in docs/authoring-questions.md).

CONTRACT (shared with sync, scoring, interchange): the dataclasses in types.py. `parse_questions` reads one
file and reports every problem in it; `lint_questions` runs the checks that need every file at once.
Neither ever raises on bad content: problems come back as values.

Modules: types (the parsed form), syntax (the line grammar), front_matter, sections (cutting a file at
`##` headings), reader (one section into raw parts), build (checking the parts, building the question),
parser (`parse_questions`), lint (`lint_questions`).
"""

from .lint import lint_questions
from .parser import parse_questions
from .types import (
    COGNITIVE_LEVELS,
    DOMAINS,
    FRONT_MATTER_KEYS,
    ID_PATTERN,
    METADATA_KEYS,
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

__all__ = [
    "COGNITIVE_LEVELS", "DOMAINS", "FRONT_MATTER_KEYS", "ID_PATTERN", "METADATA_KEYS", "POOLS",
    "TOPIC_PATTERN", "AcceptedAnswer", "MatchPair", "Option", "QuestionSpec", "QuestionType",
    "lint_questions", "normalise_answer", "option_key", "parse_questions",
]  # fmt: skip
