"""The text a new draft starts with: a small, valid example of its kind that the author rewrites."""

from __future__ import annotations

import json

from app.domain.interchange.ids import slugify
from app.models import DraftKind

QUESTION = """---
domain: D2
topics: [order-entry]
---

# {title}

## A customer e-mails a PO whose prices differ from the contract. What do you do first? {{#{slug}}}
difficulty: 2 · cognitive: application

PO 4711 lists SKU AB-100 at $9.50; the contract price is $10.20.

- [ ] Enter the order at the PO price so it ships on time
  : Entering a price nobody agreed to creates a deduction later.
- [x] Hold the line and ask the account's pricing owner which price applies
  : Pricing owns the contract; the desk routes the mismatch to them with the facts.

Explanation: A price mismatch is resolved by whoever owns the price, before the order is released.
"""

SCENARIO = """---
id: {slug}
title: {yaml_title}
exception_types: [split-partial-shipment]
domains: [D3]
topics: [split-shipments]
difficulty: junior
order_value: 12000
customer_tier: standard
functions: [customer-service, warehouse, planning]
state:
  csat: 70
  hours: 0
rubric:
  accuracy: 40
  resolution_time: 20
  customer_recovery: 20
  coordination: 10
  compliance: 10
pass_mark: 60
---

# Case file

## Order SO-9001
| Line | SKU | Qty | Extended |
|---|---|---:|---:|
| 1 | AB-1 | 10 | $10,000.00 |
| 2 | AB-2 | 4 | $2,000.00 |

Line 2 is short until Friday; partial shipments are allowed on this account.

# Line 2 is short {{#start}}

The customer wants everything by Wednesday.

- Ship line 1 now and backorder line 2 -> end-good
  effects: hours + 1; csat + 5
  score: accuracy +10, customer_recovery +10, coordination +5, resolution_time +5, compliance +5
  involves: warehouse
  feedback: Partial shipments are allowed on this account.
- Hold everything until Friday -> end-late
  effects: hours + 48; csat - 20
  score: accuracy -10, resolution_time -10
  involves: customer-service
  feedback: The account allows partial shipments; holding helps nobody.
- Take line 2 from another customer's allocation -> end-bad
  score: compliance -20, accuracy -10
  critical: Took stock allocated to another customer
  involves: planning
  feedback: Allocation belongs to planning, not to the desk.

# Ending: Shipped in part, rest on Friday {{#end-good}}
outcome: good · kpi: order fill = partial

Line 1 arrives Wednesday.

# Ending: Everything late {{#end-late}}
outcome: mixed · kpi: otif = late

The customer waits.

# Ending: Another customer shorted {{#end-bad}}
outcome: bad · kpi: otif of other orders = down

Planning reverses the allocation.
"""


def starter_text(kind: DraftKind, title: str) -> str:
    """The starting text for a new draft, its id made from the title."""
    slug = slugify(title, 60)
    if len(slug) < 3:
        slug = f"new-{kind.value}"
    template = QUESTION if kind == DraftKind.QUESTION else SCENARIO
    title = " ".join(title.split())
    return template.format(title=title, yaml_title=json.dumps(title), slug=slug)
