"""Bulk add from a roster file: a dry run that reports on every row, then an all-or-nothing apply.

The file is read by app/domain/roster.py; this module adds what only the database knows (the e-mail has
an account already, the cohort does not exist) and creates the accounts. New accounts get no usable
password: the person sets one through "Forgot password?" (when mail is set up) or an admin sets one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.domain import roster
from app.domain.roster import RosterFileError, RosterRow
from app.extensions import db
from app.models import Cohort, Role, User
from app.services import accounts

# The checked file goes back to the server in one form field when the admin applies it, and Flask refuses a
# field over MAX_FORM_MEMORY_SIZE (500 KB): 256 KB keeps well under it (2,000 rows rarely pass 150 KB).
MAX_BYTES = 256 * 1024
MAX_ROWS = 2000

__all__ = ["MAX_BYTES", "MAX_ROWS", "RosterFileError", "RosterReport", "apply", "check", "size_limit"]


@dataclass(frozen=True)
class RosterReport:
    rows: list[RosterRow]
    text: str  # the file as decoded: what the apply step sends back
    applied: bool = False

    @property
    def problems(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(data: bytes) -> RosterReport:
    """Every row of the file with its problems; writes nothing. Raises RosterFileError for an unusable file."""
    if len(data) > MAX_BYTES:
        raise RosterFileError(
            f"The file is larger than {size_limit()}, the limit. Split it into files of at most {MAX_ROWS} "
            "people and add them one after the other."
        )
    text = roster.decode(data)
    rows = roster.parse(text, MAX_ROWS)
    emails = [row.email for row in rows if row.email]
    taken = set(db.session.scalars(select(User.email).where(User.email.in_(emails)))) if emails else set()
    cohorts = _cohorts_by_name()
    for row in rows:
        if row.email in taken:
            row.problems.append(f"an account for {row.email} already exists")
        if row.cohort and row.cohort.lower() not in cohorts:
            row.problems.append(
                f"there is no cohort named {row.cohort!r}; create it on the Cohorts page first"
            )
    return RosterReport(rows, text)


def apply(data: bytes) -> RosterReport:
    """Create every account of the file, or none: when any row has a problem nothing is written and the
    report says why. Flushes; the caller commits."""
    report = check(data)
    if not report.ok:
        return report
    cohorts = _cohorts_by_name()
    for row in report.rows:
        user = User(email=row.email, name=row.name)
        accounts.set_no_password(user)
        user.set_roles({Role(row.role)})
        db.session.add(user)
        cohort = cohorts.get(row.cohort.lower())
        if cohort is not None and row.role == Role.TRAINEE:
            cohort.trainees.append(user)
        elif cohort is not None and row.role == Role.TRAINER:
            cohort.trainers.append(user)
    db.session.flush()
    return RosterReport(report.rows, report.text, applied=True)


def size_limit() -> str:
    """The byte limit as a person reads it: "1 MB", "512 KB"."""
    return f"{MAX_BYTES / 2**20:g} MB" if MAX_BYTES >= 2**20 else f"{MAX_BYTES / 1024:g} KB"


def _cohorts_by_name() -> dict[str, Cohort]:
    return {cohort.name.lower(): cohort for cohort in db.session.scalars(select(Cohort))}
