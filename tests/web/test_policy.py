"""app/policy.py as plain functions, without HTTP: the route x role table agrees with `permits`, and the
record rules agree with the list clauses that pages and the API filter by."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import policy
from app.extensions import db
from app.models import Cohort, User
from app.policy import Action
from tests.web.access_table import ROUTES

ROLE_ACTORS = ("trainee", "author", "trainer", "admin")


def test_a_role_without_the_views_action_is_refused_in_the_access_table(app, world):
    """Every view gated by `require(action)`: an actor whose roles do not grant the action is 403 in the
    table; and every action gates some route (no permission nobody checks)."""
    disagree, gating = [], set()
    for (method, endpoint), expected in ROUTES.items():
        action = getattr(app.view_functions[endpoint], "required_action", None)
        if action is None:
            continue
        gating.add(action)
        for actor in ROLE_ACTORS:
            if not policy.permits(getattr(world, actor), action) and expected[actor] != 403:
                disagree.append(
                    f"{method} {endpoint}: {actor} lacks {action} but the table expects {expected[actor]}"
                )
    assert not disagree, "\n".join(disagree)
    assert gating == set(Action)


def test_each_role_grants_what_the_readme_says(world):
    assert policy.permits(world.trainee, Action.PRACTISE)
    assert not policy.permits(world.trainee, Action.REVIEW_COHORTS)
    assert policy.permits(world.author, Action.AUTHOR) and not policy.permits(world.author, Action.PRACTISE)
    assert policy.permits(world.trainer, Action.REVIEW_COHORTS)
    assert not policy.permits(world.trainer, Action.ADMINISTER)
    assert policy.permits(world.admin, Action.ADMINISTER) and not policy.permits(world.admin, Action.AUTHOR)


@pytest.mark.parametrize(
    "viewer", ["trainee", "other_trainee", "author", "trainer", "other_trainer", "admin"]
)
def test_the_list_clauses_show_exactly_the_records_the_record_rules_allow(world, viewer):
    """A list (the API's people, the grading queue, the promotion round) and a record page must agree on
    who may be seen: a trainee listed but not openable, or openable but never listed, is a leak or a hole."""
    who = getattr(world, viewer)
    people = db.session.scalars(select(User)).all()
    listed = set(db.session.scalars(select(User.id).where(policy.of_visible_trainees(who, User.id))))
    for person in people:
        if person.id == who.id:
            continue  # oneself is visible to the record rule and listed only where a page adds it
        assert (person.id in listed) == policy.can_view_trainee(who, person.id), f"{viewer}: {person.email}"
    cohorts = db.session.scalars(select(Cohort)).all()
    shown = set(db.session.scalars(select(Cohort.id).where(policy.in_visible_cohorts(who, Cohort.id))))
    assert shown == {c.id for c in cohorts if policy.can_view_cohort(who, c)}


def test_record_loaders_answer_not_found_for_what_the_viewer_may_not_see(world):
    assert policy.person_or_404(world.trainer, world.trainee.id) == world.trainee
    assert policy.person_or_404(world.trainee, world.trainee.id) == world.trainee
    assert policy.person_or_404(world.admin, world.other_trainee.id) == world.other_trainee
    for viewer, person_id in [(world.trainer, world.other_trainee.id), (world.trainee, world.trainer.id)]:
        with pytest.raises(policy.NotFound):
            policy.person_or_404(viewer, person_id)
    with pytest.raises(policy.NotFound):
        policy.person_or_404(world.admin, 10**6)

    assert policy.cohort_or_404(world.trainer, world.cohort.id) == world.cohort
    assert policy.cohort_or_404(world.admin, world.other_cohort.id) == world.other_cohort
    with pytest.raises(policy.NotFound, match="no such cohort among yours"):
        policy.cohort_or_404(world.trainer, world.other_cohort.id)

    assert policy.own_trainee_or_403(world.trainer, world.trainee.id, "sign off") == world.trainee
    with pytest.raises(policy.Forbidden, match="Only a trainer of the trainee's cohort can sign off"):
        policy.own_trainee_or_403(world.admin, world.trainee.id, "sign off")
    with pytest.raises(policy.NotFound):
        policy.own_trainee_or_403(world.other_trainer, world.trainee.id, "sign off")
