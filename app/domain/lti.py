"""LTI rules that need no request or database: which academy roles an LMS role grants, and what a link's
`resource` custom parameter names.

Roles (LIS vocabulary, context, institution or system, full URI or short name):
- Learner (and Student)                      -> trainee
- Instructor, TeachingAssistant (and Mentor) -> trainer of the course's cohort
- Administrator                              -> trainer, never admin: an LMS administrator leads the
  course in the academy, but the academy's own admin role (accounts, cohorts) is only ever given by an
  academy admin, so a misconfigured or compromised LMS cannot hand it out.
Anything else (Observer, ContentDeveloper, ...) grants nothing; a launch granting nothing is refused.
Roles are only ever added by a launch, never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

LEARNER_ROLES = frozenset({"Learner", "Student"})
TEACHING_ROLES = frozenset({"Instructor", "TeachingAssistant", "Mentor", "Administrator"})


def role_name(uri: str) -> str:
    """The role's own name: `http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor` -> Instructor,
    `.../membership/Instructor#TeachingAssistant` (a sub-role) -> TeachingAssistant, `Learner` -> Learner."""
    return uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def academy_roles(lti_roles: list[str]) -> set[str]:
    """The academy roles ("trainee", "trainer") an LMS roles claim grants."""
    names = {role_name(uri) for uri in lti_roles}
    granted = set()
    if names & LEARNER_ROLES:
        granted.add("trainee")
    if names & TEACHING_ROLES:
        granted.add("trainer")
    return granted


def may_pick_links(lti_roles: list[str]) -> bool:
    """Deep linking (choosing what a course links to) is for the people who teach the course."""
    return bool({role_name(uri) for uri in lti_roles} & TEACHING_ROLES)


@dataclass(frozen=True)
class Resource:
    """What a link opens: `study` (domain or topic), `exam`, or `scenario` (slug)."""

    kind: str
    key: str = ""  # "domain:D3" or "topic:credit-holds" for study; the slug for a scenario

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind


class UnknownResource(ValueError):
    pass


def parse_resource(value: str) -> Resource:
    """`study:domain:D3`, `study:topic:credit-holds`, `exam`, `scenario:credit-hold` -> Resource.
    Anything else raises UnknownResource with what is accepted."""
    kind, _, key = (value or "").strip().partition(":")
    if kind == "exam" and not key:
        return Resource("exam")
    if kind == "scenario" and key:
        return Resource("scenario", key)
    if kind == "study":
        by, _, name = key.partition(":")
        if by in ("domain", "topic") and name:
            return Resource("study", key)
    raise UnknownResource(
        f"The link's resource {value!r} is not one the academy knows: expected study:domain:D1, "
        "study:topic:NAME, exam or scenario:SLUG. Ask the course's instructor to pick the link again."
    )


def percent(given: float, maximum: float) -> float:
    """A score as a percentage of its maximum, rounded to one decimal; 0 when the maximum is 0."""
    return round(100.0 * given / maximum, 1) if maximum else 0.0
