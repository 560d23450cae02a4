"""Question ids for imported items: kebab-case slugs, prefixed, unique within an import."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..questions import ID_PATTERN

MAX_ID_LENGTH = 80  # ID_PATTERN allows 3-80 characters
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = 60) -> str:
    """ASCII kebab-case of `text`, cut at a word boundary to at most `limit` characters ("" if none).

    Accents are folded (é -> e); anything else that is not a letter or digit becomes a hyphen.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:limit]
    return slug.strip("-")


class IdAllocator:
    """Hands out `<prefix>-<slug>` ids, never the same one twice and never one listed as taken.

    Rules: the first candidate with a non-empty slug wins (a title before the prompt); a clash gets
    `-2`, `-3`, ... appended; with no usable candidate the id is `<prefix>-question`.
    """

    def __init__(self, prefix: str, taken: Iterable[str] = ()):
        self.prefix = prefix
        self.taken = set(taken)

    def allocate(self, *candidates: str | None) -> str:
        room = MAX_ID_LENGTH - len(self.prefix) - 1 - 4  # keep space for a "-999" suffix
        slug = next((s for c in candidates if c and (s := slugify(c, room))), "question")
        base = f"{self.prefix}-{slug}"
        new_id, n = base, 1
        while new_id in self.taken:
            n += 1
            new_id = f"{base}-{n}"
        assert ID_PATTERN.fullmatch(new_id), new_id
        self.taken.add(new_id)
        return new_id
