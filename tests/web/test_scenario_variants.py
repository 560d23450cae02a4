"""A scenario with variants: each run draws its own figures, the case file and debrief show them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.domain.scenarios.variants import format_value
from app.extensions import db
from app.models import ScenarioAttempt
from app.services import content_sync
from tests.conftest import csrf_token
from tests.content_fixtures import FIXTURES, fixture_roots


@pytest.fixture
def variant_scenario(app, bank):
    roots = fixture_roots(scenarios=FIXTURES / "variants")
    content_sync.sync([roots.scenarios / "fx-variant-shipment.md"], roots, datetime.now(UTC))
    db.session.commit()


def play_once(client, run: int) -> tuple[str, str]:
    start = client.post(
        "/scenarios/fx-variant-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")}
    )
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    attempt = db.session.scalar(select(ScenarioAttempt).order_by(ScenarioAttempt.id.desc()))
    client.post(
        f"/scenarios/attempts/{attempt.id}/decide",
        data={"csrf_token": csrf_token(client, "/scenarios/"), "ref": "start/1", "step": "0"},
    )
    client.post(
        f"/scenarios/attempts/{attempt.id}/decide",
        data={
            "csrf_token": csrf_token(client, "/scenarios/"),
            "ref": "note/next",
            "step": "1",
            "text": "Line 1 ships today.",
        },
    )
    debrief = client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    return page, debrief


def test_each_run_meets_new_figures_that_add_up_and_the_debrief_lists_them(
    client, world, signed_in, variant_scenario
):
    signed_in(world.trainee)
    totals = set()
    for run in range(6):
        page, debrief = play_once(client, run)
        assert "{{" not in page  # every placeholder filled
        total = re.search(r"Order total \$([\d,]+\.\d\d)", page).group(1)
        attempt = db.session.scalar(select(ScenarioAttempt).order_by(ScenarioAttempt.id.desc()))
        v = attempt.variant
        assert float(total.replace(",", "")) == v["qty"] * v["unit_price"] + v["short_qty"] * 500
        assert (
            "This run's figures" in debrief
            and f'<td class="num">{format_value(v["order_total"])}</td>' in debrief
        )
        totals.add(total)
    assert len(totals) > 1
