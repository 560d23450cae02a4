"""A trainee requests a promotion check, the trainer schedules it, the trainee sits it in Chromium, and
the trainer reads its result, its classification accuracy at the cut and the evidence it gives."""

from dataclasses import replace
from datetime import timedelta

import pytest

from app.domain.exam import Blueprint
from app.services import exams, readiness
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

SMALL = Blueprint(
    6,
    timedelta(minutes=30),
    1,
    {"D1": 17, "D2": 17, "D3": 17, "D4": 16, "D5": 0, "D6": 0, "D7": 33, "D8": 0, "D9": 0},
)


def test_a_promotion_check_end_to_end(browser, live_server, world, bank, monkeypatch, assert_accessible):
    load_policy = readiness.load_policy
    monkeypatch.setattr(exams, "load_blueprint", lambda _dir: SMALL)  # the fixture bank holds 6 items
    monkeypatch.setattr(readiness, "load_policy", lambda d: replace(load_policy(d), check_length=6))

    trainee = browser.new_context(base_url=live_server).new_page()
    trainee.set_default_timeout(10_000)
    sign_in(trainee, world.trainee.email, factories.PASSWORD)
    trainee.goto("/readiness/")
    trainee.get_by_role("button", name="Request a promotion check").click()
    trainee.wait_for_load_state()
    assert "Requested: your trainer schedules it" in trainee.content()

    trainer = browser.new_context(base_url=live_server).new_page()
    trainer.set_default_timeout(10_000)
    sign_in(trainer, world.trainer.email, factories.PASSWORD)
    assert "Promotion checks requested (1)" in trainer.content()
    trainer.get_by_role("link", name=world.trainee.name).click()
    trainer.get_by_role("button", name="Grant the requested check").click()
    trainer.wait_for_load_state()
    assert "Promotion check scheduled" in trainer.content()

    trainee.goto("/home/trainee")
    assert "Your trainer scheduled a promotion check" in trainee.content()
    trainee.goto("/readiness/")
    trainee.get_by_role("button", name="Start the promotion check").click()
    for n in range(6):
        assert f"Promotion check · item {n + 1} of 6" in trainee.locator("h1").inner_text()
        if trainee.locator("input[name=value]").count():
            trainee.locator("input[name=value]").fill("1")
        else:
            trainee.locator("input[name=chosen]").first.check()
        trainee.get_by_role("button", name="Save" + (", next" if n < 5 else ""), exact=True).click()
    trainee.get_by_role("button", name="Review and submit").click()
    trainee.get_by_role("button", name="Submit the exam").click()
    assert "Promotion check result" in trainee.locator("h1").inner_text()
    assert (
        "classification accuracy at the cut" in trainee.content() and "Item by item" not in trainee.content()
    )
    assert_accessible(trainee)

    trainer.reload()
    report = trainer.content()
    assert "Classification accuracy" in report and "closed" in report
    assert (
        "A promotion check passed" in report
    )  # the criterion the verdict used, met or not, with its evidence
    assert_accessible(trainer)
    trainee.context.close()
    trainer.context.close()
