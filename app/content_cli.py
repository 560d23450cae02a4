"""`flask content check` and `flask content sync`: lint and load questions, scenarios and policies."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from flask import current_app

from app import clock
from app.domain.interchange import summary_line
from app.domain.item_checks import bank_report, format_report
from app.domain.problems import ContentError
from app.extensions import db
from app.services import ServiceError, accounts, authoring, content_export, content_sync
from app.services.content_files import Roots, has_content

content_cli = click.Group(
    "content", help="Check and load questions, scenarios, the blueprint and the policy."
)


def roots() -> Roots:
    config = current_app.config
    return Roots(
        Path(config["CONTENT_DIR"]), Path(config["SCENARIOS_DIR"]), Path(current_app.root_path).parent
    )


def _paths(given: tuple[str, ...]) -> list[Path]:
    where = roots()
    return [Path(p) for p in given] if given else [where.content, where.scenarios]


@content_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--report",
    is_flag=True,
    help="Also print the bank report: size per domain against the blueprint, "
    "the reserve, key positions and length cues.",
)
def check(paths: tuple[str, ...], report: bool) -> None:
    """Report every problem as path:line: message; exit 1 on any error."""
    content = content_sync.check(_paths(paths), roots())
    for problem in content.problems:
        click.echo(str(problem))
    for item in content.scenarios:
        analysis = item.analysis
        click.echo(
            f"{item.scenario.path}: {analysis.path_count} distinct paths"
            f"{' (truncated)' if analysis.truncated else ''}; max-score path "
            f"({analysis.max_score:.0f}): {' > '.join(analysis.max_score_path)}"
        )
    if report and content.blueprint is not None:
        reports = bank_report(content.questions, content.blueprint.weights, content.blueprint.form_length)
        for line in format_report(reports):
            click.echo(line)
    click.echo(content.summary())
    sys.exit(1 if content.errors else 0)


@content_cli.command("sync")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--if-present", is_flag=True, help="Do nothing, quietly, when content/ and scenarios/ are empty."
)
@click.option("--quiet", is_flag=True, help="Print only the summary and problems.")
@click.option(
    "--force", is_flag=True, help="Let files replace items last published in the authoring workspace."
)
def sync(paths: tuple[str, ...], if_present: bool, quiet: bool, force: bool) -> None:
    """Load content all-or-nothing: any error and nothing changes (exit 1)."""
    where = roots()
    if if_present and not paths and not has_content(where):
        return
    now = clock.now()
    try:
        with click.progressbar(
            length=1, label="Syncing content", file=io.StringIO() if quiet else None
        ) as bar:
            report = content_sync.sync(_paths(paths), where, now, progress=_progress(bar), force=force)
    except ContentError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(str(problem), err=True)
        errors = sum(p.is_error for p in error.problems)
        raise click.ClickException(
            f"{errors} errors: nothing was synced. Fix them and run the sync again."
        ) from None
    db.session.commit()
    for warning in report.warnings:
        click.echo(str(warning))
    click.echo(report.summary())


def _progress(bar):
    def advance(count: int) -> None:
        bar.length = max(bar.length, bar.pos + count + 1)
        bar.update(count)

    return advance


@content_cli.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(content_export.FORMATS), default="markdown", show_default=True
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder to write into (markdown: content/... and scenarios/... beneath it).",
)
def export(fmt: str, out: str) -> None:
    """Write published content back to files: sync -> export -> sync changes nothing."""
    try:
        report = content_export.export(fmt, Path(out))
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Wrote {report.files} files: {report.questions} questions, {report.scenarios} scenarios ({fmt})."
    )


@content_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--author", "author_email", help="Account the draft belongs to (default: the first admin).")
@click.option(
    "--domain", default="D2", show_default=True, help="Domain for questions the file does not place."
)
@click.option("--dry-run", is_flag=True, help="Report only; create no draft.")
def import_file(file: str, author_email: str | None, domain: str, dry_run: bool) -> None:
    """Import GIFT or Moodle XML questions as a draft; report per question what was not imported.

    Questions whose stable id names an unchanged question of the bank are reported `unchanged` and
    left out, so importing the bank's own export creates nothing."""
    path = Path(file)
    try:
        authoring.check_import_size(path.name, path.stat().st_size)  # before reading: never 50 MB into memory
        with path.open(
            "rb"
        ) as handle:  # a pipe or device reports size 0: read one byte past the limit at most
            data = handle.read(authoring.MAX_IMPORT_BYTES + 1)
        if len(data) > authoring.MAX_IMPORT_BYTES:
            raise click.ClickException(
                f"{path.name} holds more than {authoring.MAX_IMPORT_BYTES // 1024 // 1024} MB, and an import "
                "takes at most that: split the file and import each part."
            )
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror}") from None
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    author = accounts.find_user(author_email) if author_email else accounts.first_admin()
    if author is None:
        raise click.ClickException(f"no account {author_email or 'with the admin role'} to own the draft")
    try:
        outcome = authoring.import_questions(author, path.name, data, domain, "", clock.now())
    except ServiceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(authoring.import_report(path.name, outcome.result))
    if dry_run or outcome.draft is None:
        db.session.rollback()
        if dry_run:
            click.echo("Dry run: no draft created.")
        elif outcome.result.items and all(i.status == "unchanged" for i in outcome.result.items):
            click.echo("Every question is already in the bank, unchanged: no draft created.")
        else:
            click.echo("Nothing could be imported: no draft created.")
    else:
        db.session.commit()
        click.echo(
            f"Draft {outcome.draft.id} created for {author.email}: review it at /authoring/drafts/{outcome.draft.id}"
        )
    click.echo(summary_line(outcome.result))
