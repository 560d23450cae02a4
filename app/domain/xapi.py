"""xAPI 1.0.3 statements for the academy's events, and the delivery backoff: pure values in, dicts out.

The profile (docs/xapi.md): ADL verbs where one fits (answered, responded, completed, passed, failed),
two of our own (signed-off) and our activity types and extensions, all IRIs under the deployment's
`XAPI_ACTIVITY_BASE`. A statement's id is a uuid5 of the base and the event's identity, so the same
event always yields the same id and a resend can never make a second copy in the LRS.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

VERSION = "1.0.3"
ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_VERBS = ("answered", "responded", "completed", "passed", "failed")
OUR_VERBS = ("signed-off",)
ACTIVITY_TYPES = ("question", "scenario", "scenario-decision", "exam", "promotion-check", "promotion")
# Fixed forever: changing it would give every past event a new statement id.
NAMESPACE = uuid.UUID("6f1c0d1e-8d4b-5a39-9a57-2f0d4c1b7e21")
MAX_RETRY_DELAY = timedelta(hours=6)


@dataclass(frozen=True)
class Profile:
    """Where the IRIs live and how people are named: `base` is the app's public address."""

    base: str
    actor_kind: str = "account"  # "account": homePage + user id; "mbox": mailto: e-mail

    def verb(self, name: str) -> dict[str, Any]:
        iri = ADL_VERB + name if name in ADL_VERBS else f"{self.base}/xapi/verbs/{name}"
        if name not in ADL_VERBS + OUR_VERBS:
            raise ValueError(f"{name!r} is not a verb of the profile")
        return {"id": iri, "display": {"en-US": name.replace("-", " ")}}

    def activity_type(self, name: str) -> str:
        if name not in ACTIVITY_TYPES:
            raise ValueError(f"{name!r} is not an activity type of the profile")
        return f"{self.base}/xapi/activity-types/{name}"

    def extension(self, name: str) -> str:
        return f"{self.base}/xapi/extensions/{name}"

    def activity(self, path: str, kind: str, name: str) -> dict[str, Any]:
        return {
            "objectType": "Activity",
            "id": f"{self.base}/{path}",
            "definition": {"type": self.activity_type(kind), "name": {"en-US": name}},
        }

    def actor(self, user_id: int, email: str | None = None) -> dict[str, Any]:
        """The person as an xAPI Agent: an account on this app (name = user id), or their mailbox."""
        if self.actor_kind == "mbox":
            if not email:
                raise ValueError("XAPI_ACTOR=mbox needs the person's e-mail")
            return {"objectType": "Agent", "mbox": f"mailto:{email}"}
        return {"objectType": "Agent", "account": {"homePage": self.base, "name": str(user_id)}}

    def statement_id(self, *event: object) -> str:
        """The stable id of one event, e.g. statement_id("answer", user_id, submission_key)."""
        return str(uuid.uuid5(NAMESPACE, "|".join([self.base, *map(str, event)])))

    def extensions(self, values: dict[str, Any]) -> dict[str, Any]:
        return {self.extension(k): v for k, v in values.items() if v is not None}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as LRSs store and return it."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def statement(
    profile: Profile,
    statement_id: str,
    actor: dict[str, Any],
    verb: str,
    target: dict[str, Any],
    when: datetime,
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One complete statement; `parent` (an activity) becomes context.contextActivities.parent."""
    made: dict[str, Any] = {
        "id": statement_id,
        "actor": actor,
        "verb": profile.verb(verb),
        "object": target,
        "timestamp": timestamp(when),
    }
    if result:
        made["result"] = {k: v for k, v in result.items() if v is not None}
    context: dict[str, Any] = {"platform": "Order Desk Academy", "language": "en-US"}
    if extensions:
        context["extensions"] = profile.extensions(extensions)
    if parent:
        context["contextActivities"] = {"parent": [parent]}
    made["context"] = context
    return made


def score(raw: float, maximum: float) -> dict[str, float]:
    """An xAPI score: raw out of max, and scaled into [0, 1] (0 when there was nothing to score)."""
    scaled = raw / maximum if maximum else 0.0
    return {"raw": round(raw, 4), "min": 0, "max": maximum, "scaled": round(min(1.0, max(0.0, scaled)), 4)}


def retry_delay(attempts: int, first: timedelta) -> timedelta:
    """Exponential backoff after `attempts` failed deliveries: first, 2 x first, 4 x first, ... capped at
    six hours, so an LRS that is down for a day is asked a few times an hour, not on every answer."""
    if attempts < 1:
        return timedelta(0)
    return min(first * 2 ** min(attempts - 1, 30), MAX_RETRY_DELAY)
