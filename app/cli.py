"""The `flask ...` commands: accounts, cohorts and demo data."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import select, update

from app import clock
from app.content_cli import content_cli
from app.extensions import db
from app.lti_cli import lti_cli
from app.mail_cli import mail_cli
from app.models import Role, TraineeReadiness, User, UserRole
from app.services import accounts, demo, demo_history, practice, readiness, roster
from app.services.accounts import AccountError
from app.tasks import jobs_cli

users_cli = click.Group("users", help="Create and manage accounts.")
cohorts_cli = click.Group("cohorts", help="Create cohorts and assign trainers.")
demo_cli = click.Group("demo", help="Demo data for trying the app (refused in production).")
readiness_cli = click.Group("readiness", help="Item calibration and readiness for promotion.")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="A role to give; repeat for several.",
)
@click.option("--cohort", help="Put the new trainee in this cohort.")
@click.option("--name", help="Full name (defaults to the part of the e-mail before @).")
@click.password_option(help="Initial password (prompted when omitted).")
def create_user(
    email: str, roles: tuple[str, ...], cohort: str | None, name: str | None, password: str
) -> None:
    """Create an account for EMAIL."""
    try:
        user = accounts.create_user(email, password, {Role(r) for r in roles}, name)
        if cohort:
            target = accounts.find_cohort(cohort) or _fail(f"There is no cohort named {cohort!r}.")
            accounts.add_trainee(target, user)
    except AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")


@users_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--apply", "apply_", is_flag=True, help="Create the accounts (without it: only check the file)."
)
def import_users(file, apply_: bool) -> None:
    """Add the people of a CSV FILE (columns name, email, cohort [, role]); a dry run unless --apply.

    Every row is checked first; with --apply the accounts are created all together, or none if any row
    has a problem. New accounts have no password: people use "Forgot password?", or run set-password."""
    data = file.read(roster.MAX_BYTES + 1)  # one byte over the limit is enough to refuse it
    try:
        report = roster.apply(data) if apply_ else roster.check(data)
    except roster.RosterFileError as error:
        _fail(f"{file.name}: {error}")
    for row in report.rows:
        verdict = "ok" if row.ok else "error: " + "; ".join(row.problems)
        click.echo(f"{file.name}:{row.line}: {row.email or '(no e-mail)'}: {verdict}")
    if not report.ok:
        _fail(
            f"{len(report.problems)} of {len(report.rows)} rows have problems; nothing was added. "
            "Fix them and run the command again."
        )
    if not apply_:
        click.echo(
            f"All {len(report.rows)} rows are fine. Nothing was added: run again with --apply to add them."
        )
        return
    db.session.commit()
    click.echo(
        f'Added {len(report.rows)} accounts. They have no password yet: each uses "Forgot password?" '
        "(when mail is set up), or set one with `flask users set-password EMAIL`."
    )


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="The new password (prompted when omitted).")
def set_password(email: str, password: str) -> None:
    """Set EMAIL's password (ends every session of theirs); for an admin locked out of the pages."""
    user = accounts.find_user(email) or _fail(f"There is no account for {email}.")
    accounts.set_password(user, password)
    db.session.commit()
    click.echo(f"Password set for {user.email}; their earlier sessions have ended.")


@users_cli.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let EMAIL sign in again after a deactivation."""
    user = accounts.find_user(email) or _fail(f"There is no account for {email}.")
    user.active = True
    db.session.commit()
    click.echo(f"{user.email} may sign in again.")


@cohorts_cli.command("create")
@click.argument("name")
@click.option("--trainer", "trainers", multiple=True, help="E-mail of a trainer who leads it; repeatable.")
def create_cohort(name: str, trainers: tuple[str, ...]) -> None:
    """Create a cohort called NAME."""
    leads = [accounts.find_user(email) or _fail(f"There is no account for {email}.") for email in trainers]
    try:
        cohort = accounts.create_cohort(name, leads)
    except AccountError as error:
        _fail(str(error))
    db.session.commit()
    click.echo(f"Created cohort {cohort.name!r}" + (f" led by {', '.join(trainers)}." if trainers else "."))


@demo_cli.command("seed")
def seed_demo() -> None:
    """Create the demo accounts and cohort (and, as features land, their histories)."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Demo data is refused in production (APP_ENV=production).")
    created = demo.seed_people()
    db.session.commit()
    answers = 0
    if practice.live_versions():
        answers = demo.seed_histories(current_app.config["CONTENT_DIR"], clock.now())
        db.session.commit()
    if created or answers:
        click.echo(
            f"Demo data created ({answers} practice answers and scenario runs over {demo_history.WEEKS} weeks)."
            if answers
            else "Demo accounts created (sync content first for practice histories)."
        )
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo(f"Sign in at /login with any of these (password: {demo.DEMO_PASSWORD}):")
    click.echo(
        "  admin@demo.test, author@demo.test, trainer@demo.test, trainee1@demo.test .. trainee30@demo.test"
    )


@readiness_cli.command("calibrate")
def calibrate() -> None:
    """Fit item difficulty (Rasch; 2PL where items have enough answers) from every stored answer."""
    run = readiness.calibrate_items(clock.now())
    db.session.commit()
    click.echo(
        f"Calibrated {run.items} items from {run.responses} answers "
        f"({'converged' if run.converged else 'did NOT converge: check the data'}); readiness marked stale."
    )


@readiness_cli.command("refresh")
@click.option("--all", "everyone", is_flag=True, help="Recompute every trainee, not only the stale ones.")
def refresh(everyone: bool) -> None:
    """Recompute stale readiness results (run it from cron, e.g. nightly, and after calibrating)."""
    trainees = list(
        db.session.scalars(select(User.id).join(UserRole).where(UserRole.role == Role.TRAINEE.value))
    )
    if everyone:
        db.session.execute(update(TraineeReadiness).values(stale=True))
    count = readiness.refresh_stale(trainees, current_app.config["CONTENT_DIR"], clock.now())
    db.session.commit()
    click.echo(f"Recomputed readiness for {count} trainees.")


def init_app(app: Flask) -> None:
    for group in (users_cli, cohorts_cli, demo_cli, content_cli, readiness_cli, mail_cli, lti_cli, jobs_cli):
        app.cli.add_command(group)
