"""Numbers written as our parser, GIFT and QTI all read them: plain decimals."""

from __future__ import annotations

from decimal import Decimal


def plain_number(value: float | Decimal) -> str:
    """Digits with no exponent and no trailing zeros: 50.0 -> `50`, 45.35 -> `45.35`, -0 -> `0`.

    A float goes through its shortest repr, so 0.1 stays `0.1` rather than its binary expansion.
    """
    decimal = value if isinstance(value, Decimal) else Decimal(repr(value))
    text = format(decimal.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
