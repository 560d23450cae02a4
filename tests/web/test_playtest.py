"""Play-testing a draft scenario from the authoring pages: the trainee's pages, nothing recorded anywhere."""

from __future__ import annotations

import html
import re

from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.models import Draft
from tests.conftest import csrf_token, login
from tests.content_fixtures import FIXTURES

SCENARIO = (
    (FIXTURES / "scenarios" / "fx-split-shipment.md")
    .read_text()
    .replace("id: fx-split-shipment", "id: pt-split-shipment")
)
CHOICE = re.compile(r'name="ref" value="([^"]+)" class="choice">.*?<span>(.*?)</span></button>', re.S)


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/account"), **data})


def _draft(client, text: str = SCENARIO, title: str = "Split shipment") -> Draft:
    created = _post(client, "/authoring/drafts/new", kind="scenario", title=title)
    assert created.status_code == 302
    draft = db.session.scalar(select(Draft).order_by(Draft.id.desc()))
    saved = _post(client, f"/authoring/drafts/{draft.id}/edit", title=title, text=text, submit="Save")
    assert saved.status_code == 302
    return draft


def _row_counts() -> dict[str, int]:
    """Rows in every table: a play-test must leave all of them as they were."""
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _choose(client, draft: Draft, page: str, starts_with: str, **extra):
    """Press the choice whose text starts with `starts_with`, as the trainee's page offers it."""
    choices = {html.unescape(re.sub("<[^>]+>", "", text)): ref for ref, text in CHOICE.findall(page)}
    ref = next(ref for text, ref in choices.items() if text.startswith(starts_with))
    step = re.search(r'name="step" type="hidden" value="(\d+)"', page).group(1)
    return client.post(
        f"/authoring/drafts/{draft.id}/playtest/decide",
        data={"csrf_token": csrf_token(client, "/account"), "ref": ref, "step": step, **extra},
    )


def _switch(client, email: str) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    assert login(client, email).status_code == 302


def test_an_author_plays_a_draft_to_its_debrief_and_nothing_is_recorded(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    assert "Play-test as a trainee" in _page(client, f"/authoring/drafts/{draft.id}")
    before = _row_counts()

    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    assert "Play-test of the draft" in page and "Nothing is recorded" in page
    assert "Order SO-9001" in page and "Line 2 is short" in page  # the case file and the first decision
    assert "Customer satisfaction" in page  # the meters
    response = _choose(client, draft, page, "Ship line 1 now")
    assert response.status_code == 302 and response.headers["Location"].endswith("/playtest")

    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")  # a reload keeps the run
    assert "Note to the warehouse" in page and "Names the order and the line that ships" in page
    assert "decision 2" in page and "+5 last decision" in page
    note = "SO-9001 line 1 ships today; line 2 follows Friday."
    response = client.post(
        f"/authoring/drafts/{draft.id}/playtest/decide",
        data={"csrf_token": csrf_token(client, "/account"), "ref": "note/next", "step": "1", "text": note},
    )
    assert response.headers["Location"].endswith("/playtest/debrief")

    debrief = _page(client, f"/authoring/drafts/{draft.id}/playtest/debrief")
    assert "Debrief: Ship what is in stock?" in debrief and "passed" in debrief
    assert "Score by dimension" in debrief and "Customer recovery" in debrief  # the rubric, scored
    assert "You followed the expert path throughout." in debrief
    assert note in debrief and "Waiting for your trainer" in debrief
    again = client.get(f"/authoring/drafts/{draft.id}/playtest")
    assert again.status_code == 302 and again.headers["Location"].endswith("/playtest/debrief")
    assert _row_counts() == before


def test_a_draft_with_variants_plays_with_figures_drawn_for_the_run_and_kept_on_reload(client, world):
    login(client, world.author.email)
    text = (FIXTURES / "variants" / "fx-variant-shipment.md").read_text()
    draft = _draft(client, text.replace("id: fx-variant-shipment", "id: pt-variant-shipment"))
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    buyer = re.search(r"buyer (Dana Whitlock|Mo Farrah-Lind)", page)
    assert buyer and "{{" not in page  # every figure filled in, none left as a placeholder
    assert buyer.group(0) in _page(client, f"/authoring/drafts/{draft.id}/playtest")  # same draw on reload
    response = _choose(client, draft, page, "Hold everything")
    debrief = _page(client, response.headers["Location"])
    assert "This run's figures" in debrief
    assert buyer.group(1) in debrief


def test_a_critical_choice_shows_in_the_debrief_without_a_review_card(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    before = _row_counts()
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    response = _choose(client, draft, page, "Ship line 2 from another customer")
    debrief = _page(client, response.headers["Location"])
    assert "Critical errors" in debrief and "Took stock allocated to another customer" in debrief
    assert "not passed" in debrief and "You left the expert path at decision 1" in debrief
    assert _row_counts() == before


def test_play_it_again_and_going_back_start_over_and_undo(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    _choose(client, draft, page, "Ship line 1 now")
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    assert "Go back to an earlier decision" in page  # the scenario allows it
    _post(client, f"/authoring/drafts/{draft.id}/playtest/back", to_step="0")
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    assert "decision 1" in page and "Hold everything until Friday" in page
    _choose(client, draft, page, "Hold everything")
    assert "not passed" in _page(client, f"/authoring/drafts/{draft.id}/playtest/debrief")
    restarted = _post(client, f"/authoring/drafts/{draft.id}/playtest/restart")
    assert restarted.headers["Location"].endswith("/playtest")
    assert "decision 1" in _page(client, f"/authoring/drafts/{draft.id}/playtest")


def test_a_changed_draft_starts_its_play_test_again_and_says_so(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    _choose(client, draft, page, "Ship line 1 now")
    changed = SCENARIO.replace(
        "The customer wants everything by Wednesday.", "The customer wants it all Wednesday."
    )
    _post(client, f"/authoring/drafts/{draft.id}/edit", title="Split shipment", text=changed, submit="Save")
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    assert "The draft changed since you began this play-test" in page
    assert "decision 1" in page and "The customer wants it all Wednesday." in page


def test_a_draft_with_errors_lists_them_with_file_and_line_instead(client, world):
    login(client, world.author.email)
    broken = SCENARIO.replace("-> end-late", "-> end-latte")
    draft = _draft(client, broken)
    response = client.get(f"/authoring/drafts/{draft.id}/playtest")
    page = response.get_data(as_text=True)
    line = broken.splitlines().index("- Hold everything until Friday -> end-latte") + 1
    assert response.status_code == 422 and "This draft cannot be played yet" in page
    assert f"authoring/draft-{draft.id}.md:{line}" in page and "end-latte" in page
    assert (
        _post(client, f"/authoring/drafts/{draft.id}/playtest/decide", ref="x", step="0").status_code == 409
    )


def test_whoever_may_see_the_draft_may_play_it_and_nobody_else(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    assert client.get(f"/authoring/drafts/{draft.id}/playtest").status_code == 200
    question = _post(client, "/authoring/drafts/new", kind="question", title="Pricing")
    question_id = int(question.headers["Location"].split("/")[-2])
    assert client.get(f"/authoring/drafts/{question_id}/playtest").status_code == 404

    _switch(client, world.trainer.email)
    assert client.get(f"/authoring/drafts/{draft.id}/playtest").status_code == 404  # not submitted yet
    _switch(client, world.author.email)
    assert _post(client, f"/authoring/drafts/{draft.id}/submit").status_code == 302
    _switch(client, world.trainer.email)  # a reviewer plays the draft in review
    before = _row_counts()
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    assert "Play-test as a trainee" in _page(client, f"/authoring/drafts/{draft.id}")
    _choose(client, draft, page, "Hold everything")
    assert "Everything late" in _page(client, f"/authoring/drafts/{draft.id}/playtest/debrief")
    assert _row_counts() == before
    _switch(client, world.trainee.email)
    assert client.get(f"/authoring/drafts/{draft.id}/playtest").status_code == 403


def test_the_play_test_keeps_only_the_start_of_a_long_note_in_the_cookie(client, world):
    login(client, world.author.email)
    draft = _draft(client)
    page = _page(client, f"/authoring/drafts/{draft.id}/playtest")
    _choose(client, draft, page, "Ship line 1 now")
    long_note = "Line 1 ships today. " * 100
    client.post(
        f"/authoring/drafts/{draft.id}/playtest/decide",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "ref": "note/next",
            "step": "1",
            "text": long_note,
        },
    )
    debrief = _page(client, f"/authoring/drafts/{draft.id}/playtest/debrief")
    kept = long_note.strip()[:600]
    assert kept in debrief and long_note.strip() not in debrief
