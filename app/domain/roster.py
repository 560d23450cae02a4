"""Reading a roster file (a CSV of people to add): decoding, the delimiter, the header, and checks of each row
that need no database. Values in, values out; app/services/roster.py adds what the database knows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

# The same loose shape as the account form (app/forms.py): `.test` and internal domains are fine.
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REQUIRED_COLUMNS = ("name", "email", "cohort")
# Admins are made one by one on the account page, never from a file.
ROLES = ("trainee", "author", "trainer")
DEFAULT_ROLE = "trainee"
MAX_NAME, MAX_EMAIL = 120, 254


class RosterFileError(ValueError):
    """The file as a whole cannot be read (encoding, header, size); the message says what to do."""


@dataclass
class RosterRow:
    """One data line of the file. `line` is the line number a spreadsheet shows (the header is line 1)."""

    line: int
    name: str
    email: str
    cohort: str
    role: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def decode(data: bytes) -> str:
    """UTF-8, with or without the byte-order mark Excel writes; else Windows-1252, what Excel's plain
    "CSV" saves in Western Europe. Bytes that are neither are refused rather than guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise RosterFileError(
            "The file is neither UTF-8 nor Windows-1252 text. Save it from your spreadsheet as "
            '"CSV UTF-8" and upload it again.'
        ) from None


def _delimiter(header_line: str) -> str:
    """`;` is what Excel writes where the decimal mark is a comma; a tab comes from pasting a sheet."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse(text: str, max_rows: int) -> list[RosterRow]:
    """Rows of a roster with the problems each has on its own or within the file (bad or duplicate e-mail,
    missing name or cohort, unknown role). Raises RosterFileError when the file as a whole is unusable."""
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise RosterFileError(
            "The file is empty. Its first line names the columns: name, email, cohort (and role)."
        )
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(first))
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterFileError(
            f"The first line must name the columns name, email, cohort (role is optional); "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing (found: {', '.join(header) or 'nothing'})."
        )
    index = {column: header.index(column) for column in (*REQUIRED_COLUMNS, "role") if column in header}
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == max_rows:
            raise RosterFileError(
                f"The file has more than {max_rows} people; split it into files of at most {max_rows} rows."
            )

        def cell(column: str, cells: list[str] = cells) -> str:
            position = index.get(column)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        row = RosterRow(
            reader.line_num,
            cell("name"),
            cell("email").lower(),
            cell("cohort"),
            cell("role").lower() or DEFAULT_ROLE,
        )
        rows.append(row)
        _check(row, seen)
    if not rows:
        raise RosterFileError("The file names its columns but has no people under them.")
    return rows


def _check(row: RosterRow, seen: dict[str, int]) -> None:
    if not row.name:
        row.problems.append("the name is empty")
    elif len(row.name) > MAX_NAME:
        row.problems.append(f"the name is longer than {MAX_NAME} characters")
    if not row.email:
        row.problems.append("the e-mail is empty")
    elif len(row.email) > MAX_EMAIL or not EMAIL_SHAPE.match(row.email):
        row.problems.append(f"{row.email!r} is not an e-mail address like name@company.com")
    elif row.email in seen:
        row.problems.append(f"{row.email} is also on line {seen[row.email]} of the file")
    else:
        seen[row.email] = row.line
    if row.role not in ROLES:
        row.problems.append(f"the role {row.role!r} is not one of {', '.join(ROLES)}")
    elif row.role == "trainee" and not row.cohort:
        row.problems.append("a trainee needs a cohort")
    elif row.role == "author" and row.cohort:
        row.problems.append("an author belongs to no cohort; leave the cohort empty")
