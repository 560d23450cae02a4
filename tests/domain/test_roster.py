"""Reading a roster file: encodings and delimiters from real spreadsheets, and the checks of each row."""

import pytest

from app.domain.roster import RosterFileError, decode, parse


def test_excel_utf8_with_a_bom_and_semicolons_reads_like_a_plain_csv():
    excel = "\ufeffName;E-mail;Cohort\r\nJosé Núñez;Jose@Example.test;Spring\r\n".replace("E-mail", "email")
    [row] = parse(decode(excel.encode("utf-8")), max_rows=10)
    assert (row.line, row.name, row.email, row.cohort, row.role) == (
        2,
        "José Núñez",
        "jose@example.test",
        "Spring",
        "trainee",
    )
    assert row.ok


def test_windows_1252_from_plain_excel_csv_is_read_not_garbled():
    assert parse(decode("name,email,cohort\nZoë,zoe@example.test,A\n".encode("cp1252")), 10)[0].name == "Zoë"


def test_bytes_that_are_no_known_text_are_refused_with_what_to_do():
    with pytest.raises(RosterFileError, match="CSV UTF-8"):
        decode(b"\x81\x8d\x8f\x90\x9d")


def test_each_row_says_what_is_wrong_and_duplicates_name_the_first_line():
    text = (
        "name,email,cohort,role\n"
        "Ann,ann@example.test,A,\n"
        ",not-an-email,A,\n"
        "Ann Again,ANN@example.test,A,\n"
        "\n"
        "No Cohort,nc@example.test,,\n"
        "Boss,boss@example.test,,admin\n"
        "Writer,w@example.test,A,author\n"
        "Lead,lead@example.test,,trainer\n"
    )
    rows = parse(text, 20)
    problems = {row.line: row.problems for row in rows}
    assert problems[2] == [] and problems[9] == []
    assert problems[3] == [
        "the name is empty",
        "'not-an-email' is not an e-mail address like name@company.com",
    ]
    assert problems[4] == ["ann@example.test is also on line 2 of the file"]
    assert 5 not in problems  # blank line skipped; the numbers stay those of the spreadsheet
    assert problems[6] == ["a trainee needs a cohort"]
    assert problems[7] == ["the role 'admin' is not one of trainee, author, trainer"]
    assert problems[8] == ["an author belongs to no cohort; leave the cohort empty"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("email,cohort\na@example.test,A\n", "name is missing"),
        ("name,email,cohort\n", "no people under them"),
        ("name,email,cohort\n" + "P,p@example.test,A\n" * 4, "more than 3 people"),
    ],
)
def test_an_unusable_file_is_refused_as_a_whole(text, message):
    with pytest.raises(RosterFileError, match=message):
        parse(text, max_rows=3)
