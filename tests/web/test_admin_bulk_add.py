"""Bulk add: an admin uploads a CSV, sees every row checked, then adds all of them or none."""

import io
import re
from html import unescape

from sqlalchemy import func, select

from app.domain.roster import RosterRow
from app.extensions import db
from app.models import Cohort, Role, User
from app.services import accounts, roster
from tests.conftest import csrf_token

GOOD = "name;email;cohort;role\nNew One;new.one@example.test;cohort a;\nLea Lead;lea@example.test;Cohort B;trainer\n"


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _upload(client, content: bytes, filename: str = "people.csv"):
    token = csrf_token(client, "/admin/users/import")
    return client.post(
        "/admin/users/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), filename), "csrf_token": token},
    )


def _hidden_roster(html: str) -> str:
    return unescape(re.search(r'name="roster" type="hidden" value="([^"]*)"', html).group(1))


def test_dry_run_shows_every_row_and_adds_nobody_then_apply_adds_everyone(client, world, signed_in):
    signed_in(world.admin)
    before = _accounts()
    response = _upload(client, ("\ufeff" + GOOD).encode("utf-8"))  # Excel: UTF-8 with BOM, semicolons
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ready to add 2 people" in html
    assert "new.one@example.test" in html and "lea@example.test" in html
    assert _accounts() == before  # a dry run writes nothing

    response = client.post(
        "/admin/users/import/apply",
        data={"roster": _hidden_roster(html), "csrf_token": csrf_token(client, "/admin/users")},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added 2 people" in page and "no password yet" in page
    one, lead = accounts.find_user("new.one@example.test"), accounts.find_user("lea@example.test")
    assert one.roles == {Role.TRAINEE} and one in db.session.get(Cohort, world.cohort.id).trainees
    assert lead.roles == {Role.TRAINER} and lead in db.session.get(Cohort, world.other_cohort.id).trainers
    assert not one.has_password and not one.check_password("") and not one.check_password(one.password_hash)


def test_a_bulk_added_person_cannot_sign_in_until_a_password_is_set(client, world, signed_in):
    report = roster.apply(b"name,email,cohort\nNo Pass,np@example.test,Cohort A\n")
    db.session.commit()
    assert report.applied
    person = accounts.find_user("np@example.test")
    page = client.post(
        "/login",
        data={"email": "np@example.test", "password": person.password_hash, "csrf_token": csrf_token(client)},
    )
    assert page.status_code == 200 and "Sign in" in page.get_data(
        as_text=True
    )  # refused like a wrong password
    assert accounts.authenticate("np@example.test", "") is None
    signed_in(world.admin)
    assert "No password yet" in client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    accounts.set_password(person, "a-brand-new-password")
    db.session.commit()
    assert accounts.authenticate("np@example.test", "a-brand-new-password") == person


def test_a_file_near_the_size_limit_goes_through_check_and_apply(client, world, signed_in):
    signed_in(world.admin)
    name = "Zoë Ünal-" + "é" * 90  # 2 bytes a letter in UTF-8
    rows = "".join(f"{name}{n},zoe{n}@example.test,Cohort A\n" for n in range(1000))
    data = ("name,email,cohort\n" + rows).encode()
    assert 0.8 * roster.MAX_BYTES < len(data) < roster.MAX_BYTES
    html = _upload(client, data).get_data(as_text=True)
    assert "Ready to add 1000 people" in html
    response = client.post(
        "/admin/users/import/apply",
        content_type="multipart/form-data",  # as the page sends it
        data={"roster": _hidden_roster(html), "csrf_token": csrf_token(client, "/admin/users")},
    )
    assert response.status_code == 302
    assert accounts.find_user("zoe999@example.test").name == f"{name}999"


def test_one_bad_row_changes_nothing_and_the_report_says_which_line_and_why(client, world, signed_in):
    signed_in(world.admin)
    before = _accounts()
    bad = (
        "name,email,cohort\n"
        "Fine,fine@example.test,Cohort A\n"
        "Broken,broken-at-example,Cohort A\n"
        "Twice,fine@example.test,Cohort A\n"
        "Known,trainee@example.test,Cohort A\n"
        "Lost,lost@example.test,Cohort Z\n"
    )
    html = _upload(client, bad.encode()).get_data(as_text=True)
    assert "4 of 5 rows need fixing" in html and "Nobody has been added" in html
    assert "&#39;broken-at-example&#39; is not an e-mail address" in html
    assert "fine@example.test is also on line 2 of the file" in html
    assert "an account for trainee@example.test already exists" in html
    assert "there is no cohort named &#39;Cohort Z&#39;" in html
    assert 'name="roster"' not in html  # no way to apply a file with problems
    # A file edited between check and apply is checked again, and still all or nothing.
    response = client.post(
        "/admin/users/import/apply", data={"roster": bad, "csrf_token": csrf_token(client, "/admin/users")}
    )
    assert response.status_code == 409 and "Nobody has been added" in response.get_data(as_text=True)
    assert _accounts() == before


def test_files_that_are_not_a_roster_get_a_clear_message(client, world, signed_in, monkeypatch):
    signed_in(world.admin)
    assert "Upload a .csv file" in _upload(client, b"x", "people.xlsx").get_data(as_text=True)
    assert "columns name, email, cohort" in _upload(client, b"first,last\nA,B\n").get_data(as_text=True)
    monkeypatch.setattr(roster, "MAX_ROWS", 2)
    many = "name,email,cohort\n" + "".join(f"P{i},p{i}@example.test,Cohort A\n" for i in range(3))
    assert "more than 2 people" in _upload(client, many.encode()).get_data(as_text=True)
    monkeypatch.setattr(roster, "MAX_BYTES", 2048)
    assert "larger than 2 KB, the limit" in _upload(client, many.encode() * 30).get_data(as_text=True)


def test_the_page_says_how_new_people_get_a_password(client, world, signed_in):
    signed_in(world.admin)
    html = client.get("/admin/users/import").get_data(as_text=True)
    assert "no password anybody knows" in html and "set a password on each account page" in html  # no SMTP
    assert "/admin/users/import" in client.get("/admin/users").get_data(as_text=True)


def test_nobody_but_an_admin_can_upload(client, world, signed_in):
    signed_in(world.trainer)
    assert _upload_status(client) == 403
    assert _accounts_with("x@example.test") == 0


def _upload_status(client) -> int:
    return client.post(
        "/admin/users/import/apply",
        data={
            "roster": "name,email,cohort\nX,x@example.test,Cohort A\n",
            "csrf_token": csrf_token(client, "/account"),
        },
    ).status_code


def _accounts_with(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_cli_dry_run_then_apply(app, world, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "people.csv"
    path.write_bytes(b"name,email,cohort\nCli One,cli1@example.test,Cohort A\nBad,bad,Cohort A\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3: bad: error: 'bad' is not an e-mail address" in result.output
    assert "nothing was added" in result.output
    path.write_bytes(b"name,email,cohort\nCli One,cli1@example.test,Cohort A\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0 and "run again with --apply" in result.output
    assert accounts.find_user("cli1@example.test") is None
    result = runner.invoke(args=["users", "import", str(path), "--apply"])
    assert result.exit_code == 0 and "Added 1 accounts" in result.output
    assert accounts.find_user("cli1@example.test") in db.session.get(Cohort, world.cohort.id).trainees


def test_an_account_added_by_someone_else_between_check_and_apply_adds_nobody(
    client, world, signed_in, monkeypatch
):
    signed_in(world.admin)
    before = _accounts()
    text = "name,email,cohort\nFresh,fresh@example.test,Cohort A\nTess,trainee@example.test,Cohort A\n"
    raced = roster.RosterReport(
        [
            RosterRow(2, "Fresh", "fresh@example.test", "Cohort A", "trainee"),
            RosterRow(3, "Tess", "trainee@example.test", "Cohort A", "trainee"),
        ],
        text,
    )
    monkeypatch.setattr(roster, "check", lambda data: raced)  # as if the check ran before the other admin
    response = client.post(
        "/admin/users/import/apply", data={"roster": text, "csrf_token": csrf_token(client, "/admin/users")}
    )
    assert "added by someone else a moment ago; nobody was added" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert _accounts() == before
