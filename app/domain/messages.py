"""The e-mails the academy sends, built from plain values: no Flask, no database, no clock.

Each builder returns a Message (subject and plain text); app/mail.py delivers it. Links come in ready-made,
so the same message can be built by a page, a command or a background job.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


@dataclass(frozen=True)
class DigestFacts:
    """What the trainee home page shows, as of the moment the digest is built."""

    reviews_today: int  # what today's review limit still allows
    reviews_waiting: int  # due, but beyond today's limit
    decisions_due: int  # critical scenario decisions to revisit
    open_scenarios: int
    check_scheduled: bool  # a promotion check the trainer scheduled and the trainee has not started
    verdict: str | None  # ready, almost, not-yet, not-enough-evidence, or None when never assessed
    pass_probability: float | None
    answered: int


@dataclass(frozen=True)
class AlertLine:
    trainee: str
    kind: str  # stalled | at-risk | critical-errors | overconfident
    reason: str


VERDICT_WORDS = {
    "ready": "Ready",
    "almost": "Almost ready",
    "not-yet": "Not yet",
    "not-enough-evidence": "Not enough evidence yet",
}

_SIGNATURE = "\n-- \nOrder Desk Academy\n"


def _one_line(text: str) -> str:
    """Names go into subjects: a line break there would be refused by the mail library (header injection)."""
    return " ".join(text.split())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _footer(preferences_link: str) -> str:
    return f"\nYou receive this because it is switched on for your account. Turn it off: {preferences_link}\n"


def password_reset(name: str, link: str, valid_minutes: int) -> Message:
    """The reset link; it works once and for `valid_minutes`. Not optional: the person asked for it."""
    text = (
        f"Hello {name},\n\n"
        "Someone (we hope you) asked to set a new password for your Order Desk Academy account.\n"
        f"Open this link within {valid_minutes} minutes to choose one; it works once:\n\n{link}\n\n"
        "Setting a new password signs you out everywhere else. If you did not ask, ignore this message: "
        "your password stays as it is.\n" + _SIGNATURE
    )
    return Message("Set a new password for Order Desk Academy", text)


def next_step(facts: DigestFacts) -> str:
    """The one thing to do first, in the order the home page ranks it: a scheduled promotion check, then
    today's reviews (forgetting is cheapest to stop early), then critical decisions, then a scenario left
    open, then new questions."""
    if facts.check_scheduled:
        return "Sit the promotion check your trainer scheduled, when you have an uninterrupted hour."
    if facts.reviews_today:
        return f"Review the {_plural(facts.reviews_today, 'question')} due today."
    if facts.decisions_due:
        return f"Revisit the {_plural(facts.decisions_due, 'critical decision')} from your scenarios."
    if facts.open_scenarios:
        return "Finish the scenario you left open."
    if facts.answered == 0:
        return "Answer your first practice questions: your readiness starts from there."
    return "Study new questions in your weakest domain, or work an exception scenario."


def weekly_digest(name: str, facts: DigestFacts, home_link: str, preferences_link: str) -> Message:
    lines = [f"Hello {name},", "", "Your week at the Order Desk Academy:", ""]
    reviews = f"- Reviews due today: {facts.reviews_today}"
    if facts.reviews_waiting:
        reviews += f" ({facts.reviews_waiting} more wait for the coming days)"
    lines.append(reviews)
    lines.append(f"- Critical decisions to revisit: {facts.decisions_due}")
    if facts.open_scenarios:
        lines.append(f"- Scenarios in progress: {facts.open_scenarios}")
    if facts.verdict:
        readiness = VERDICT_WORDS.get(facts.verdict, facts.verdict)
        if facts.pass_probability is not None:
            readiness += f", probability of passing a blueprint form {round(facts.pass_probability * 100)}%"
        lines.append(f"- Readiness for senior: {readiness}")
    else:
        lines.append("- Readiness for senior: not assessed yet")
    lines += [
        "",
        f"Next step: {next_step(facts)}",
        "",
        f"Open the academy: {home_link}",
        _footer(preferences_link),
    ]
    subject = f"Your week: {_plural(facts.reviews_today, 'review')} due"
    return Message(subject, "\n".join(lines) + _SIGNATURE)


def intervention_alert(
    name: str, cohort: str, lines: list[AlertLine], dashboard_link: str, preferences_link: str
) -> Message:
    """The cohort's intervention queue as the trainer dashboard shows it, one line per reason."""
    body = [
        f"Hello {name},",
        "",
        f"{_plural(len({line.trainee for line in lines}), 'trainee')} in {cohort} may need you:",
        "",
    ]
    body += [f"- {line.trainee}: {line.reason}" for line in lines]
    body += ["", f"Open the cohort dashboard: {dashboard_link}", _footer(preferences_link)]
    return Message(
        f"{_one_line(cohort)}: {_plural(len(lines), 'intervention')} waiting", "\n".join(body) + _SIGNATURE
    )


def sign_off_request(
    name: str, trainee: str, pass_probability: float | None, report_link: str, preferences_link: str
) -> Message:
    probability = (
        f" (probability of passing a blueprint form {round(pass_probability * 100)}%)"
        if pass_probability is not None
        else ""
    )
    text = (
        f"Hello {name},\n\n{trainee} is judged Ready for promotion{probability} and asks for your sign-off.\n"
        f"Read the readiness report and record your decision there:\n\n{report_link}\n"
        + _footer(preferences_link)
        + _SIGNATURE
    )
    return Message(f"{_one_line(trainee)} asks for your promotion sign-off", text)
