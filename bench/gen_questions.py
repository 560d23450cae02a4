"""Generate valid, realistic-looking question files for the content-sync benchmark.

    python bench/gen_questions.py OUT_DIR [--count N] [--seed S]

writes N questions (mixed types; some stems carry a small order table) as 100 questions per file.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

QUESTIONS_PER_FILE = 100
CUSTOMERS = (
    "Halvorsen Foods",
    "Brightline Medical",
    "Corvid Outdoor",
    "Northgate Hardware",
    "Pellucid Labs",
    "Marrow & Vine",
    "Tessera Retail",
    "Quayside Marine",
)
TIERS = ("strategic", "key", "standard", "small")
CARRIERS = ("Ridgeway Freight", "BlueArrow LTL", "Pacer Parcel")
SKUS = ("HF-2210", "BM-0417", "CO-9932", "NG-1180", "PL-3004", "MV-7720")

Template = Callable[[random.Random, str], str]


def _meta(rng: random.Random, kind: str, domain: str, topics: str) -> str:
    level = rng.choice(("recall", "application", "analysis"))
    extra = "" if kind == "single" else f" · type: {kind}"
    return (
        f"difficulty: {rng.randint(1, 5)} · cognitive: {level}{extra} · domain: {domain} · topics: {topics}"
    )


def _order_table(rng: random.Random) -> tuple[str, float]:
    rows = ["| Line | SKU | Qty | Unit price | Extended |", "|---|---|---:|---:|---:|"]
    total = 0.0
    for line in range(1, rng.randint(2, 4) + 1):
        qty, price = rng.randint(5, 120), rng.randint(40, 2400) + 0.5
        total += qty * price
        rows.append(f"| {line} | {rng.choice(SKUS)} | {qty} | ${price:,.2f} | ${qty * price:,.2f} |")
    return "\n".join(rows), total


def _credit_hold(rng: random.Random, qid: str) -> str:
    customer, tier = rng.choice(CUSTOMERS), rng.choice(TIERS)
    table, total = _order_table(rng)
    limit = round(total * rng.uniform(1.1, 2.0), -3)
    open_ar = round(limit * rng.uniform(0.4, 0.9), 2)
    return f"""## {customer}'s order is on credit hold. What do you do first? {{#{qid}}}
{_meta(rng, "single", "D2", "credit-check, escalation")}

{customer} (tier: {tier}) placed SO-{rng.randint(40000, 49999)}. Credit limit ${limit:,.0f}, open AR
${open_ar:,.2f}.

{table}

- [ ] Release the order yourself to protect the promise date
  : Release authority sits with credit; releasing it yourself is the classic junior mistake.
- [x] Send credit the exposure and the order, and ask for a decision today
  : Credit owns the decision; giving them the numbers makes a fast answer possible.
- [ ] Cancel the order and ask the customer to re-order later
  : Cancelling destroys the order history and the customer's trust for a hold that may clear today.
- [ ] Split the order so the first part fits under the limit
  : Splitting to dodge a hold is still releasing without authority.

Explanation: The order plus open AR exceeds the limit, so the hold is legitimate; the senior move is
to route it to the owner of the decision with the facts attached.
"""


def _edi_documents(rng: random.Random, qid: str) -> str:
    customer = rng.choice(CUSTOMERS)
    return f"""## Which documents tell {customer} what is coming and what it owes? {{#{qid}}}
{_meta(rng, "multiple", "D4", "edi, three-way-match")}

{customer} trades with you by EDI and audits every shipment against its purchase order.

- [x] 856 advance ship notice
  : The ASN describes the cartons and contents before they arrive.
- [x] 810 invoice
  : The invoice states what the customer owes for the shipment.
- [ ] 850 purchase order
  : The 850 is the customer's order to you, not a notice of what is coming.
- [ ] 997 functional acknowledgment
  : A 997 only confirms that a document was received and parsed.

Explanation: The 856 and the 810 describe the shipment and the bill; the 850 starts the cycle and
the 997 acknowledges receipt of any document.
"""


def _ship_complete(rng: random.Random, qid: str) -> str:
    customer = rng.choice(CUSTOMERS)
    correct_is_true = rng.random() < 0.5
    claim = (
        "holds the whole order until every line can ship"
        if correct_is_true
        else "ships each line as soon as it is available"
    )
    return f"""## A ship-complete customer setting {claim}. {{#{qid}}}
{_meta(rng, "true-false", "D3", "split-shipment")}

{customer} is set to ship-complete; line 2 of its order is backordered for {rng.randint(2, 15)} days.

- [{"x" if correct_is_true else " "}] True
  : Ship-complete means one shipment with every line, so the available lines wait.
- [{" " if correct_is_true else "x"}] False
  : Shipping lines as they become available is the partial-shipment setting.

Explanation: Ship-complete trades speed for a single delivery; a senior checks whether the customer
would accept a partial before the promise date slips.
"""


def _fill_rate(rng: random.Random, qid: str) -> str:
    lines = rng.randint(200, 900)
    filled = rng.randint(lines // 2, lines)
    answer = round(100 * filled / lines, 1)
    return f"""## What was the line fill rate last week? {{#{qid}}}
{_meta(rng, "numeric", "D7", "fill-rate")}

| Measure | Count |
|---|---:|
| Order lines received | {lines} |
| Lines filled completely | {filled} |
| Lines short-shipped | {lines - filled} |

Answer: {answer}
Tolerance: 0.1
Unit: %

Explanation: Line fill rate = lines filled completely / lines = {filled} / {lines} = {answer}%.
"""


def _dso(rng: random.Random, qid: str) -> str:
    receivables = rng.randint(200, 2000) * 1000
    sales = rng.randint(3, 30) * 1_000_000
    answer = round(receivables / (sales / 365), 1)
    return f"""## What is the DSO for {rng.choice(CUSTOMERS)}? {{#{qid}}}
{_meta(rng, "numeric", "D6", "dso")}

Accounts receivable stand at ${receivables:,}; annual sales to the account are ${sales:,}.

Answer: {answer}
Tolerance: 0.5
Unit: days

Explanation: DSO = AR / (annual sales / 365) = {receivables:,} / ({sales:,} / 365) = {answer} days.
"""


def _expedite(rng: random.Random, qid: str) -> str:
    carrier = rng.choice(CARRIERS)
    return f"""## Sales promised a next-day delivery that the routing guide does not allow. Who decides? {{#{qid}}}
{_meta(rng, "single", "D9", "expedite, escalation")}

The customer's routing guide names {carrier} with a three-day transit; premium freight would cost
${rng.randint(800, 4800):,} and the customer has not agreed to pay it.

- [ ] You do: book premium freight and sort out the cost later
  : Spending freight money the customer has not agreed to is not the desk's call.
- [x] Transportation and sales together, with the cost and the routing-guide risk in front of them
  : The expedite needs an owner for the cost and a check against chargebacks.
- [ ] The carrier: ask them to move it faster at no charge
  : The carrier does not own the promise or the cost.

Explanation: An expedite has a cost and a compliance risk; the senior's job is to put both in front
of the people who own them, quickly.
"""


TEMPLATES: tuple[Template, ...] = (_credit_hold, _edi_documents, _ship_complete, _fill_rate, _dso, _expedite)


def _front_matter(file_index: int) -> str:
    return (
        "---\n"
        "domain: D2\n"
        "topics: [generated]\n"
        f"reference: Generated benchmark content, file {file_index}\n"
        "---\n\n"
    )


def generate(n: int, seed: int) -> dict[str, str]:
    """n valid questions as {filename: text}, 100 per file; the same (n, seed) gives the same files."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    for start in range(0, n, QUESTIONS_PER_FILE):
        file_index = start // QUESTIONS_PER_FILE + 1
        sections = [
            rng.choice(TEMPLATES)(rng, f"gen-{seed}-{index:06d}")
            for index in range(start, min(n, start + QUESTIONS_PER_FILE))
        ]
        files[f"generated-{file_index:04d}.md"] = _front_matter(file_index) + "\n".join(sections)
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to write the .md files into")
    parser.add_argument("--count", type=int, default=1000, help="number of questions (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    files = generate(args.count, args.seed)
    for name, text in files.items():
        (args.out_dir / name).write_text(text, encoding="utf-8")
    print(f"wrote {args.count} questions in {len(files)} files to {args.out_dir}")


if __name__ == "__main__":
    main()
