"""A trainer opens the promotion round from their dashboard, signs off two trainees and declines one with a
reason, without leaving the page; it passes axe at desktop and phone widths."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SignOff, TraineeReadiness
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_promotion_round_decided_from_one_page(page, world, assert_accessible):
    people = [world.trainee] + [factories.user(name=n) for n in ("Rita Ready", "Sol Steady")]
    for person in people[1:]:
        world.cohort.trainees.append(person)
    for person in people:
        db.session.add(
            TraineeReadiness(
                user_id=person.id,
                verdict="ready",
                pass_probability=0.9,
                stale=False,
                domains={},
                dimensions={},
            )
        )
    db.session.commit()
    tess, rita, sol = people

    sign_in(page, world.trainer.email, factories.PASSWORD)
    page.get_by_role("link", name="Promotion round").click()
    assert (
        "Promotion round" in page.locator("h1").inner_text()
        and "3 to decide" in page.locator("h1").inner_text()
    )
    assert_accessible(page)

    for person in (tess, sol):
        page.get_by_role("button", name=f"Sign off {person.name}").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/trainer/promotion-round#row-{person.id}")
        assert (
            f"{person.name} signed off for the senior desk"
            in page.locator(".flash-success").first.inner_text()
        )
        assert "Signed off by Tom Trainer" in page.locator(f"#row-{person.id}").inner_text()

    row = page.locator(f"#row-{rita.id}")
    row.get_by_text("Decline…").click()
    row.get_by_label("Reason (the trainee reads it)").fill(
        "Pass probability rests on one domain; sit the check first."
    )
    row.get_by_role("button", name=f"Decline {rita.name}").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#row-{rita.id}")
    assert "Declined by Tom Trainer" in page.locator(f"#row-{rita.id}").inner_text()
    assert "0 to decide, 3 decided" in page.locator("h1").inner_text()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
    assert_accessible(page)

    decisions = {s.trainee_id: s.decision for s in db.session.scalars(select(SignOff))}
    assert decisions == {tess.id: "recommend", sol.id: "recommend", rita.id: "not-yet"}
