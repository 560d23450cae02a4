"""Scenario views: thin; the rules live in app.services.scenarios and app.domain.scenarios."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.domain.shuffle import shown_order
from app.domain.taxonomy import EXCEPTION_NAMES
from app.errors import MalformedRequest
from app.extensions import db
from app.forms import seconds_since
from app.policy import Action, require
from app.scenarios import pages
from app.scenarios.forms import BackForm, DecisionForm, ReviewForm, StartForm
from app.services import scenario_rows, scenarios

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")
DIFFICULTIES = ("junior", "intermediate", "senior")


@bp.get("/")
@require(Action.PRACTISE)
def index():
    filters = {key: request.args.get(key) or None for key in ("exception", "difficulty", "status")}
    entries = scenarios.catalogue(current_user.id, **filters)
    return render_template(
        "scenarios/index.html",
        entries=entries,
        filters=filters,
        start_form=StartForm(),
        exceptions=EXCEPTION_NAMES,
        difficulties=DIFFICULTIES,
        statuses=scenarios.STATUSES,
    )


@bp.post("/<slug>/start")
@require(Action.PRACTISE)
def start(slug: str):
    if not StartForm().validate_on_submit():
        raise MalformedRequest("Start the scenario from its button in the catalogue.")
    attempt = scenarios.start(current_user.id, scenarios.scenario_by_slug(slug), clock.now())
    db.session.commit()
    return redirect(url_for("scenarios.play", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@require(Action.PRACTISE)
def play(attempt_id: int):
    attempt = scenarios.own_attempt(current_user.id, attempt_id)
    if attempt.finished:
        return redirect(url_for("scenarios.debrief", attempt_id=attempt.id))
    return _render_player(attempt, DecisionForm())


def _urls(attempt) -> pages.RunUrls:
    return pages.RunUrls(
        decide=url_for("scenarios.decide", attempt_id=attempt.id),
        back=url_for("scenarios.back", attempt_id=attempt.id),
        again=url_for("scenarios.start", slug=attempt.version.scenario.slug),
    )


def _render_player(attempt, form: DecisionForm, status: int = 200):
    return pages.player(
        attempt,
        scenarios.model_of(attempt.version),
        scenarios.fragments_for(attempt.version, attempt.variant),
        form,
        _urls(attempt),
        status,
        newer=scenarios.has_newer_version(attempt),
    )


@bp.post("/attempts/<int:attempt_id>/decide")
@require(Action.PRACTISE)
def decide(attempt_id: int):
    """Take one decision. The hot path of the player: the attempt as a row and one compare-and-set UPDATE
    (app.services.scenario_rows); a form that does not validate re-renders the player (the ORM page).
    With HOT_PATH_ROWS off, the ORM implementation decides instead (the reference the tests compare)."""
    if not current_app.config.get("HOT_PATH_ROWS", True):
        return _decide_reference(attempt_id)
    attempt = scenario_rows.own_attempt(current_user.id, attempt_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_player(scenarios.own_attempt(current_user.id, attempt_id), form, 400)
    finished = scenario_rows.choose(
        attempt,
        form.ref.data,
        form.step.data,
        form.text.data,
        seconds_since(form.served_at.data, time.time()),
        clock.now(),
    )
    db.session.commit()
    if finished:
        return redirect(url_for("scenarios.debrief", attempt_id=attempt_id))
    return redirect(url_for("scenarios.play", attempt_id=attempt_id))


def _decide_reference(attempt_id: int):
    """The decision on the ORM services (app.services.scenarios.choose): same rows, same pages, slower."""
    attempt = scenarios.own_attempt(current_user.id, attempt_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_player(attempt, form, 400)
    scenarios.choose(
        attempt,
        form.ref.data,
        form.step.data,
        form.text.data,
        seconds_since(form.served_at.data, time.time()),
        clock.now(),
    )
    db.session.commit()
    if attempt.finished:
        return redirect(url_for("scenarios.debrief", attempt_id=attempt.id))
    return redirect(url_for("scenarios.play", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/back")
@require(Action.PRACTISE)
def back(attempt_id: int):
    attempt = scenarios.own_attempt(current_user.id, attempt_id)
    form = BackForm()
    if not form.validate_on_submit():
        raise MalformedRequest("Say which decision to go back to.")
    scenarios.go_back(attempt, form.to_step.data, clock.now())
    db.session.commit()
    return redirect(url_for("scenarios.play", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/debrief")
@require(Action.PRACTISE)
def debrief(attempt_id: int):
    attempt = scenarios.own_attempt(current_user.id, attempt_id)
    if not attempt.finished:
        return redirect(url_for("scenarios.play", attempt_id=attempt.id))
    return pages.attempt_debrief(attempt, _urls(attempt))


@bp.get("/reviews")
@require(Action.PRACTISE)
def reviews():
    cards = scenarios.due_decisions(current_user.id, clock.now())
    return render_template("scenarios/reviews.html", cards=cards)


@bp.route("/reviews/<int:version_id>/<node_id>", methods=["GET", "POST"])
@require(Action.PRACTISE)
def review(version_id: int, node_id: str):
    """Meet a decision you once got critically wrong again; any non-critical choice counts as remembered."""
    card = scenarios.own_decision(current_user.id, version_id, node_id)
    scenario = scenarios.model_of(card.version)
    form = ReviewForm()
    picked = None
    if form.validate_on_submit():
        picked = scenarios.review_decision(card, form.ref.data, clock.now())
        db.session.commit()
    node = scenario.node(node_id)
    choices = shown_order(node.choices, f"review:{card.user_id}:{card.reviews}", node_id)
    return render_template(
        "scenarios/review.html",
        card=card,
        scenario=scenario,
        node=node,
        choices=choices,
        fragments=scenarios.fragments_for(
            card.version, scenarios.review_variant(card.version, f"review:{card.user_id}:{card.reviews}")
        ),
        form=form,
        picked=picked,
        expert=scenarios.expert_choice(card.version, node_id),
    )
