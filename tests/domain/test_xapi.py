"""The xAPI profile: stable statement ids, IRIs under the configured base, the delivery backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.xapi import MAX_RETRY_DELAY, Profile, retry_delay, score, statement

BASE = "https://academy.example.com"


def test_the_same_event_always_has_the_same_statement_id_and_other_events_another():
    profile = Profile(BASE)
    assert profile.statement_id("answer", 7, "study:3:0") == Profile(BASE).statement_id(
        "answer", 7, "study:3:0"
    )
    assert profile.statement_id("answer", 7, "study:3:0") != profile.statement_id("answer", 7, "study:3:1")
    assert profile.statement_id("answer", 7, "study:3:0") != Profile("https://other.example").statement_id(
        "answer", 7, "study:3:0"
    )  # two deployments sharing an LRS never collide


def test_adl_verbs_are_reused_and_ours_live_under_the_base():
    profile = Profile(BASE)
    assert profile.verb("answered")["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert profile.verb("signed-off")["id"] == f"{BASE}/xapi/verbs/signed-off"
    assert profile.activity_type("scenario-decision") == f"{BASE}/xapi/activity-types/scenario-decision"
    with pytest.raises(ValueError):
        profile.verb("liked")


def test_actor_is_an_account_on_the_app_or_a_mailbox():
    assert Profile(BASE).actor(12, "a@b.com") == {
        "objectType": "Agent",
        "account": {"homePage": BASE, "name": "12"},
    }
    assert Profile(BASE, "mbox").actor(12, "a@b.com") == {"objectType": "Agent", "mbox": "mailto:a@b.com"}


def test_a_statement_carries_result_extensions_and_parent():
    profile = Profile(BASE)
    made = statement(
        profile,
        "id-1",
        profile.actor(1),
        "answered",
        profile.activity("questions/q1", "question", "q1"),
        datetime(2026, 12, 6, 9, tzinfo=UTC),
        result={"success": True, "duration": None},
        extensions={"mode": "study", "confidence": None},
        parent=profile.activity("exams/4", "exam", "Exam 4"),
    )
    assert made["timestamp"] == "2026-12-06T09:00:00.000+00:00"
    assert made["result"] == {"success": True}
    assert made["context"]["extensions"] == {f"{BASE}/xapi/extensions/mode": "study"}
    assert made["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE}/exams/4"


def test_score_is_scaled_into_zero_to_one():
    assert score(3, 4) == {"raw": 3, "min": 0, "max": 4, "scaled": 0.75}
    assert score(0, 0)["scaled"] == 0.0


def test_retry_delay_doubles_and_is_capped():
    first = timedelta(seconds=30)
    assert [retry_delay(n, first) for n in (1, 2, 3)] == [first, 2 * first, 4 * first]
    assert retry_delay(40, first) == MAX_RETRY_DELAY
