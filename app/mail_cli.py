"""`flask mail digest` and `flask mail alerts`: for a scheduler (cron, a systemd timer) to call."""

from __future__ import annotations

import click
from flask import current_app

from app import clock, mail
from app.extensions import db
from app.services import notifications, readiness

mail_cli = click.Group("mail", help="Send the e-mail digests and alerts (schedule these).")


def _run(send) -> notifications.Sent:
    """Links in the messages need the site's address: PUBLIC_URL, since a command has no request."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise click.ClickException(
            "Set PUBLIC_URL (e.g. https://academy.example.com) so that links in the "
            "e-mails point to the site."
        )
    if not mail.configured():
        click.echo("SMTP_HOST is not set: nothing will be sent (each message is logged instead).")
    with current_app.test_request_context(base_url=base):
        result = send(clock.now())
    db.session.rollback()  # read-only: nothing to keep
    return result


@mail_cli.command("digest")
def digest() -> None:
    """The weekly digest to every active trainee who has not turned it off (run it weekly)."""
    result = _run(notifications.send_digests)
    click.echo(f"Digest: {result.sent} sent, {result.skipped} turned off.")


@mail_cli.command("alerts")
def alerts() -> None:
    """Each cohort's intervention queue to its trainers (run it daily or weekly)."""
    rules = readiness.load_policy(current_app.config["CONTENT_DIR"]).interventions
    result = _run(lambda now: notifications.send_alerts(now, rules))
    click.echo(f"Alerts: {result.sent} sent, {result.skipped} skipped (turned off or nothing to report).")
