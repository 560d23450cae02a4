"""LTI role mapping and link resources: pure rules, no app."""

from __future__ import annotations

import pytest

from app.domain.lti import (
    Resource,
    UnknownResource,
    academy_roles,
    may_pick_links,
    parse_resource,
    percent,
    role_name,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("claim", "granted"),
    [
        ([LIS + "membership#Learner"], {"trainee"}),
        ([LIS + "institution/person#Student"], {"trainee"}),
        ([LIS + "membership#Instructor"], {"trainer"}),
        ([LIS + "membership/Instructor#TeachingAssistant"], {"trainer"}),
        ([LIS + "membership#Administrator"], {"trainer"}),  # never the academy's admin role
        ([LIS + "system/person#Administrator"], {"trainer"}),
        (["Learner", "Instructor"], {"trainee", "trainer"}),  # short names, several roles
        ([LIS + "membership#Mentor"], {"trainer"}),
        ([LIS + "membership#ContentDeveloper", LIS + "institution/person#Observer"], set()),
        ([], set()),
    ],
)
def test_lms_roles_grant_academy_roles(claim, granted):
    assert academy_roles(claim) == granted
    assert "admin" not in academy_roles(claim)


def test_role_name_takes_the_last_part_of_the_uri():
    assert role_name(LIS + "membership/Instructor#TeachingAssistant") == "TeachingAssistant"
    assert role_name(LIS + "membership#Learner") == "Learner"
    assert role_name("Instructor") == "Instructor"


def test_only_people_who_teach_pick_links():
    assert may_pick_links([LIS + "membership#Instructor"])
    assert not may_pick_links([LIS + "membership#Learner"])


@pytest.mark.parametrize(
    ("value", "resource"),
    [
        ("study:domain:D3", Resource("study", "domain:D3")),
        ("study:topic:credit-holds", Resource("study", "topic:credit-holds")),
        ("exam", Resource("exam")),
        ("scenario:fx-split-shipment", Resource("scenario", "fx-split-shipment")),
    ],
)
def test_resources_parse_and_print_back(value, resource):
    assert parse_resource(value) == resource and str(resource) == value


@pytest.mark.parametrize("value", ["", "exam:20", "scenario", "study:D3", "study:domain:", "video:x"])
def test_unknown_resources_say_what_is_accepted(value):
    with pytest.raises(
        UnknownResource, match="expected study:domain:D1, study:topic:NAME, exam or scenario:SLUG"
    ):
        parse_resource(value)


def test_percent():
    assert percent(7.5, 10) == 75.0 and percent(1, 3) == 33.3 and percent(0, 0) == 0.0
