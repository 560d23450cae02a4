"""The order options and choices are shown in: random per serving, fixed by a stored seed.

Answers are stored by option id, never by position, so the shown order only has to be reproducible:
the same seed and place give the same order on reload, resume, feedback and review.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def new_seed() -> str:
    """A fresh seed for one serving (a study session, an exam form, a scenario attempt)."""
    return secrets.token_hex(8)


def token(seed: str, item_id: str) -> str:
    """An opaque id for `item_id` within one serving: the page never shows the authored position."""
    return hashlib.sha256(f"{seed}:{item_id}".encode()).hexdigest()[:12]


def shown_order(items: Sequence[T], seed: str, place: str, shuffle: bool = True) -> list[T]:
    """`items` in the order shown at `place` (a position, a node id) of the serving with `seed`.

    `shuffle=False` keeps the authored order (an item whose options are an ordered range).
    String seeds are hashed with SHA-512 by `random.Random`, so the order is the same in every process.
    """
    shown = list(items)
    if shuffle and len(shown) > 1:
        random.Random(f"{seed}:{place}").shuffle(shown)
    return shown
