"""The e-mails, built from plain values."""

from app.domain.messages import (
    AlertLine,
    DigestFacts,
    intervention_alert,
    next_step,
    password_reset,
    sign_off_request,
    weekly_digest,
)

QUIET = DigestFacts(
    reviews_today=0,
    reviews_waiting=0,
    decisions_due=0,
    open_scenarios=0,
    check_scheduled=False,
    verdict=None,
    pass_probability=None,
    answered=0,
)


def _with(**changes) -> DigestFacts:
    return DigestFacts(**{**QUIET.__dict__, **changes})


def test_the_next_step_follows_the_home_pages_order():
    busy = _with(reviews_today=3, decisions_due=2, open_scenarios=1, check_scheduled=True, answered=50)
    assert next_step(busy).startswith("Sit the promotion check")
    assert (
        next_step(_with(reviews_today=1, decisions_due=2, answered=5)) == "Review the 1 question due today."
    )
    assert (
        next_step(_with(decisions_due=2, answered=5))
        == "Revisit the 2 critical decisions from your scenarios."
    )
    assert next_step(_with(open_scenarios=1, answered=5)) == "Finish the scenario you left open."
    assert next_step(QUIET).startswith("Answer your first practice questions")
    assert next_step(_with(answered=5)).startswith("Study new questions in your weakest domain")


def test_the_digest_lists_what_is_due_readiness_and_the_links():
    message = weekly_digest(
        "Tess",
        _with(
            reviews_today=4,
            reviews_waiting=70,
            decisions_due=1,
            verdict="ready",
            pass_probability=0.834,
            answered=9,
        ),
        "https://a/home",
        "https://a/account",
    )
    assert message.subject == "Your week: 4 reviews due"
    assert "- Reviews due today: 4 (70 more wait for the coming days)" in message.text
    assert "- Critical decisions to revisit: 1" in message.text
    assert "- Readiness for senior: Ready, probability of passing a blueprint form 83%" in message.text
    assert "Next step: Review the 4 questions due today." in message.text
    assert "https://a/home" in message.text and "Turn it off: https://a/account" in message.text


def test_an_alert_counts_trainees_once_and_lists_every_reason():
    lines = [
        AlertLine("Tess", "stalled", "No activity for 9 days."),
        AlertLine("Tess", "overconfident", "Sure and wrong."),
        AlertLine("Otto", "at-risk", "Pass probability fell 8 points."),
    ]
    message = intervention_alert("Tom", "Cohort A", lines, "https://a/c/1", "https://a/account")
    assert message.subject == "Cohort A: 3 interventions waiting"
    assert "2 trainees in Cohort A may need you" in message.text
    assert (
        "- Tess: No activity for 9 days.\n- Tess: Sure and wrong.\n- Otto: Pass probability fell 8 points."
        in message.text
    )


def test_the_reset_and_sign_off_messages_carry_their_links():
    reset = password_reset("Tess", "https://a/password/reset/T", 60)
    assert (
        "https://a/password/reset/T" in reset.text
        and "within 60 minutes" in reset.text
        and "works once" in reset.text
    )
    request = sign_off_request("Tom", "Tess Trainee", None, "https://a/r/1", "https://a/account")
    assert request.subject == "Tess Trainee asks for your promotion sign-off"
    assert "judged Ready for promotion and asks" in request.text and "https://a/r/1" in request.text


def test_a_name_with_a_line_break_cannot_add_headers():
    message = sign_off_request(
        "Tom", "Tess\r\nBcc: everyone@example.test", 0.9, "https://a/r/1", "https://a/account"
    )
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "Tess Bcc: everyone@example.test asks for your promotion sign-off"
