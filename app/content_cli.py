"""`flask content check` and `flask content sync`: lint and load questions, scenarios and policies."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app

from app.domain.problems import ContentError
from app.extensions import db
from app.services import content_sync
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
def check(paths: tuple[str, ...]) -> None:
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
    click.echo(content.summary())
    sys.exit(1 if content.errors else 0)


@content_cli.command("sync")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--if-present", is_flag=True, help="Do nothing, quietly, when content/ and scenarios/ are empty."
)
@click.option("--quiet", is_flag=True, help="Print only the summary and problems.")
def sync(paths: tuple[str, ...], if_present: bool, quiet: bool) -> None:
    """Load content all-or-nothing: any error and nothing changes (exit 1)."""
    where = roots()
    if if_present and not paths and not has_content(where):
        return
    now = datetime.now(UTC)
    try:
        with click.progressbar(length=1, label="Syncing content", file=None if not quiet else _Null()) as bar:
            report = content_sync.sync(_paths(paths), where, now, progress=_progress(bar))
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


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
