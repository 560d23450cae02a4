"""Scenario variants: parameters drawn per run, derived figures, constraints proved over samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.scenarios import analyse, lint_scenario, parse_scenario
from app.domain.scenarios.variants import VariantError, evaluate, fill, format_value

FIXTURE = Path(__file__).parent.parent / "fixtures" / "variants" / "fx-variant-shipment.md"


def _parse(text: str):
    scenario, problems = parse_scenario(text, "v.md")
    return scenario, problems + (lint_scenario(scenario, analyse(scenario)) if scenario else [])


def test_a_run_draws_figures_that_add_up_and_differ_between_runs():
    scenario, problems = _parse(FIXTURE.read_text())
    assert not [p for p in problems if p.is_error], problems
    one, again, other = (scenario.variants.draw(s) for s in ("run-1", "run-1", "run-2"))
    assert one == again  # a resumed run keeps its figures
    assert one["order_total"] == one["qty"] * one["unit_price"] + one["short_qty"] * 500
    drawn = {tuple(sorted(scenario.variants.draw(f"r{n}").items())) for n in range(20)}
    assert len(drawn) > 10 and one != other


def test_figures_read_like_a_case_file():
    assert format_value(12345.5, "$") == "$12,345.50"
    assert format_value(24000.0) == "24,000" and format_value(1234.25) == "1,234.25"
    assert (
        fill("{{qty}} drives at {{price:$}} for {{ who }}", {"qty": 30, "price": 3480.0, "who": "Ilse"})
        == "30 drives at $3,480.00 for Ilse"
    )


def test_a_constraint_that_fails_in_some_variant_is_an_error_at_its_line():
    text = FIXTURE.read_text().replace("- line1_total > line2_total", "- line1_total > 12000")
    _, problems = _parse(text)
    failing = [p for p in problems if "constraint `line1_total > 12000` fails in variant" in p.message]
    assert len(failing) == 1 and failing[0].line == text.splitlines().index("    - line1_total > 12000") + 1


def test_unknown_placeholders_and_unsafe_expressions_are_errors():
    _, problems = _parse(FIXTURE.read_text().replace("{{buyer}}", "{{buyr}}"))
    assert any("placeholder {{buyr}} names no figure" in p.message for p in problems)
    _, problems = _parse(FIXTURE.read_text().replace("qty * unit_price", "__import__('os').getcwd()"))
    assert any("derived line1_total" in p.message for p in problems)
    with pytest.raises(VariantError):
        evaluate("(lambda: 1)()", {})


def test_a_run_never_meets_figures_its_constraints_rule_out():
    text = FIXTURE.read_text().replace("- line1_total > line2_total", "- qty >= 13")  # true in 2 of 7 draws
    scenario, _ = parse_scenario(text, "v.md")
    assert all(scenario.variants.draw(f"run-{n}")["qty"] >= 13 for n in range(50))


def test_pages_about_every_run_name_the_figures():
    from app.domain.scenarios.variants import label_placeholders

    assert (
        label_placeholders("Total {{order_total:$}} for {{buyer}}")
        == "Total \u2039order total\u203a for \u2039buyer\u203a"
    )
