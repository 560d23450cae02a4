"""Authoring workspace: drafts, the preview JSON, review without self-approval, publishing into the bank
through sync's own path, immutable revisions with diffs, new versions, retiring, comments, imports."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime
from random import Random

import pytest
from sqlalchemy import func, select

from app.authoring.forms import MAX_TEXT
from app.extensions import db
from app.models import (
    Answer,
    Draft,
    DraftRevision,
    DraftStatus,
    Exam,
    Question,
    QuestionVersion,
    Role,
    Scenario,
    TraineeDomainStat,
    TraineeReadiness,
)
from app.services import authoring, content_export, content_sync, practice, progress, statistics
from app.services.content_sync import SyncConflict
from tests import factories
from tests.conftest import csrf_token, login
from tests.content_fixtures import FIXTURES, fixture_roots, sync_fixtures

QUESTION = """---
domain: D2
topics: [authoring-test]
---

# Pricing basics

## A PO's prices differ from the contract. What do you do first? {#auth-price-mismatch}
difficulty: 2 · cognitive: application

- [ ] Enter it at the PO price
  : Nobody agreed to that price.
- [x] Ask the pricing owner which price applies
  : Pricing owns the contract.

Explanation: Whoever owns the price resolves the mismatch.
"""

SCENARIO = """---
id: auth-short-line
title: Short line before the weekend
exception_types: [split-partial-shipment]
domains: [D3]
topics: [split-shipments]
difficulty: junior
functions: [warehouse, planning]
state:
  hours: 0
rubric:
  accuracy: 50
  compliance: 50
pass_mark: 60
---

# Line 2 is short {#start}

- Ship line 1 now, backorder line 2 -> end-good
  score: accuracy +10, compliance +5
  involves: warehouse
  feedback: Partial shipments are allowed.
- Take stock from another customer's allocation -> end-bad
  score: compliance -20
  critical: Took another customer's stock
  involves: planning
  feedback: Allocation belongs to planning.

# Ending: Shipped in part {#end-good}
outcome: good

Line 1 arrives Wednesday.

# Ending: Another customer shorted {#end-bad}
outcome: bad

Planning reverses it.
"""


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/account"), **data})


def _new_draft(client, kind: str, title: str, text: str) -> Draft:
    response = _post(client, "/authoring/drafts/new", kind=kind, title=title)
    assert response.status_code == 302
    draft = db.session.scalar(select(Draft).order_by(Draft.id.desc()))
    assert response.headers["Location"].endswith(f"/authoring/drafts/{draft.id}/edit")
    saved = _post(client, f"/authoring/drafts/{draft.id}/edit", title=title, text=text, submit="Save")
    assert saved.status_code == 302
    db.session.refresh(draft)
    return draft


def _preview(client, draft: Draft, text: str) -> dict:
    response = client.post(
        f"/authoring/drafts/{draft.id}/preview",
        json={"text": text},
        headers={"X-CSRFToken": csrf_token(client, f"/authoring/drafts/{draft.id}/edit")},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _as(client, user):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert login(client, user.email).status_code == 302
    return client


def _submitted(client, world, kind="question", text=QUESTION, title="Pricing basics") -> Draft:
    login(client, world.author.email)
    draft = _new_draft(client, kind, title, text)
    assert _post(client, f"/authoring/drafts/{draft.id}/submit").status_code == 302
    db.session.refresh(draft)
    assert draft.status == DraftStatus.IN_REVIEW
    return draft


def test_a_new_draft_starts_from_a_valid_example_and_saves(client, world):
    login(client, world.author.email)
    response = _post(client, "/authoring/drafts/new", kind="scenario", title="Credit: quarter-end hold")
    draft = db.session.scalar(select(Draft))
    assert draft.kind == "scenario" and draft.author_id == world.author.id and draft.status == "draft"
    assert "id: credit-quarter-end-hold" in draft.text and 'title: "Credit: quarter-end hold"' in draft.text
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No problems found." in page and "Maximum-score path (100.0): start/1" in page
    assert '<svg class="map-svg"' in page and "js/editor.js" in page


def test_an_invalid_editor_form_comes_back_with_its_errors_and_the_typed_text(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Pricing", QUESTION)
    response = _post(client, f"/authoring/drafts/{draft.id}/edit", title="", text="## typed {#typed-id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Give the draft a title." in page and "typed-id" in page
    db.session.refresh(draft)
    assert draft.text == QUESTION.replace("\r\n", "\n")


def test_preview_json_lists_a_lint_error_at_its_line_and_renders_with_syncs_renderer(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Pricing", QUESTION)
    good = _preview(client, draft, QUESTION)
    assert good["problems"] == [] and "Ask the pricing owner which price applies" in good["html"]
    assert (
        "<script"
        not in _preview(client, draft, QUESTION.replace("Nobody agreed", "<script>x</script>"))["html"]
    )
    broken = QUESTION.replace("difficulty: 2", "difficulty: 7")
    data = _preview(client, draft, broken)
    line = broken.splitlines().index("difficulty: 7 · cognitive: application") + 1
    assert {"line": line, "severity": "error"} == {k: data["problems"][0][k] for k in ("line", "severity")}
    assert "difficulty" in data["problems"][0]["message"] and "7" in data["problems"][0]["message"]
    db.session.refresh(draft)
    assert draft.text == QUESTION  # previewing never saves


def test_scenario_preview_reports_a_missing_target_at_the_choice_and_draws_the_map(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "scenario", "Short line", SCENARIO)
    broken = SCENARIO.replace("-> end-good", "-> end-goood")
    data = _preview(client, draft, broken)
    line = broken.splitlines().index("- Ship line 1 now, backorder line 2 -> end-goood") + 1
    missing = [p for p in data["problems"] if "end-goood" in p["message"]]
    assert missing and missing[0]["line"] == line and missing[0]["severity"] == "error"
    assert "no such node" in data["map"] and "unreachable" in data["map"]
    assert "★1" in _preview(client, draft, SCENARIO)["map"]


def test_submitting_a_draft_with_errors_is_refused_with_the_problems_listed(client, world):
    login(client, world.author.email)
    draft = _new_draft(
        client, "question", "Pricing", QUESTION.replace("cognitive: application", "cognitive: guessing")
    )
    response = _post(client, f"/authoring/drafts/{draft.id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be submitted: it has 1 error" in page and "guessing" in page
    db.session.refresh(draft)
    assert draft.status == DraftStatus.DRAFT and draft.submitted_at is None


def test_nobody_approves_their_own_draft(client, world):
    draft = _submitted(client, world)
    response = _post(client, f"/authoring/drafts/{draft.id}/approve")
    assert response.status_code == 403
    assert "You wrote this draft, so you cannot approve it" in response.get_data(as_text=True)
    assert _post(client, f"/authoring/drafts/{draft.id}/return", comment="fine").status_code == 403
    db.session.refresh(draft)
    assert draft.status == DraftStatus.IN_REVIEW and not draft.revisions
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_another_author_approves_and_the_question_can_be_studied(client, world):
    draft = _submitted(client, world)
    reviewer = factories.user(Role.AUTHOR, name="Rita Reviewer")
    _as(client, reviewer)
    assert "Pricing basics" in client.get("/home/author").get_data(as_text=True)  # in the review queue
    response = _post(client, f"/authoring/drafts/{draft.id}/approve", comment="Clear and fair.")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/drafts/{draft.id}/revisions/1"
    )
    db.session.refresh(draft)
    assert draft.status == DraftStatus.PUBLISHED
    revision = draft.revisions[0]
    assert revision.approved_by_id == reviewer.id and revision.text == QUESTION
    assert revision.items == [{"kind": "question", "slug": "auth-price-mismatch", "version": 1}]
    version = db.session.scalar(select(QuestionVersion))
    assert (
        version.source_path == f"authoring/draft-{draft.id}.md"
        and version.question.slug == "auth-price-mismatch"
    )

    _as(client, world.trainee)
    session = practice.start_study(
        world.trainee.id, ["D2"], ["authoring-test"], False, 5, datetime.now(UTC), Random(1)
    )
    db.session.commit()
    assert session.filters["version_ids"] == [version.id]
    page = client.get(f"/practice/sessions/{session.id}/items/0").get_data(as_text=True)
    assert "differ from the contract" in page


def test_a_trainer_publishes_a_scenario_and_it_appears_in_the_catalogue(client, world):
    draft = _submitted(client, world, kind="scenario", text=SCENARIO, title="Short line")
    _as(client, world.trainer)
    assert "Short line" in client.get("/authoring/reviews").get_data(as_text=True)
    page = client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)
    assert "Approve and publish" in page and "Return to the author" in page
    assert _post(client, f"/authoring/drafts/{draft.id}/approve").status_code == 302
    scenario = db.session.scalar(select(Scenario).where(Scenario.slug == "auth-short-line"))
    assert scenario.current_version.number == 1 and scenario.current_version.max_score_path == ["start/1"]
    _as(client, world.trainee)
    assert "Short line before the weekend" in client.get("/scenarios/").get_data(as_text=True)


def test_a_reviewer_returns_a_draft_with_a_comment_and_the_author_edits_again(client, world):
    draft = _submitted(client, world)
    _as(client, world.trainer)
    empty = _post(client, f"/authoring/drafts/{draft.id}/return", comment="")
    assert empty.status_code == 200 and "Say what should change" in empty.get_data(as_text=True)
    assert (
        _post(client, f"/authoring/drafts/{draft.id}/return", comment="Add a third option.").status_code
        == 302
    )
    db.session.refresh(draft)
    assert draft.status == DraftStatus.RETURNED
    assert [(c.action, c.text) for c in draft.comments] == [("returned", "Add a third option.")]
    assert _post(client, f"/authoring/drafts/{draft.id}/approve").status_code == 409  # no longer in review
    _as(client, world.author)
    page = client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)
    assert "returned the draft" in page and "Add a third option." in page
    assert _post(client, f"/authoring/drafts/{draft.id}/comments", text="Done, thanks.").status_code == 302
    edited = QUESTION.replace("Explanation:", "- [ ] Ship it anyway\n  : Never.\n\nExplanation:")
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=edited, submit="Save")
    db.session.refresh(draft)
    assert draft.status == DraftStatus.DRAFT and len(draft.comments) == 2


def test_text_in_review_is_locked_until_withdrawn(client, world):
    draft = _submitted(client, world)
    locked = _post(client, f"/authoring/drafts/{draft.id}/edit", title="x", text="changed", submit="Save")
    assert locked.status_code == 409 and "Withdraw it to edit" in locked.get_data(as_text=True)
    assert _post(client, f"/authoring/drafts/{draft.id}/withdraw").status_code == 302
    assert (
        _post(
            client, f"/authoring/drafts/{draft.id}/edit", title="x", text="changed", submit="Save"
        ).status_code
        == 302
    )


def test_a_published_revision_never_changes_and_a_new_one_makes_a_new_version(client, world):
    draft = _submitted(client, world)
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    first = db.session.scalar(select(QuestionVersion))
    session = practice.start_study(
        world.trainee.id, [], ["authoring-test"], False, 5, datetime.now(UTC), Random(1)
    )
    db.session.commit()

    _as(client, world.author)
    changed = QUESTION.replace("Pricing owns the contract.", "Pricing owns the contract price.")
    response = _post(
        client,
        f"/authoring/drafts/{draft.id}/edit",
        title=draft.title,
        text=changed,
        save_and_submit="Save and submit for review",
    )
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.status == DraftStatus.IN_REVIEW
    assert db.session.scalar(select(DraftRevision.text)) == QUESTION  # the published text is untouched
    assert "Changes since revision 1" in client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)

    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    db.session.refresh(draft)
    assert [r.number for r in draft.revisions] == [1, 2]
    question = db.session.scalar(select(Question))
    assert question.current_version.number == 2 and question.current_version_id != first.id
    assert db.session.scalar(select(func.count()).select_from(QuestionVersion)) == 2
    page = client.get(f"/authoring/drafts/{draft.id}/revisions/2").get_data(as_text=True)
    assert "Changes from revision 1" in page
    assert re.search(r'<del class="diff-del">-  : Pricing owns the contract\.</del>', page)
    assert re.search(r'<ins class="diff-add">\+  : Pricing owns the contract price\.</ins>', page)
    assert "First publish: the whole text" in client.get(
        f"/authoring/drafts/{draft.id}/revisions/1"
    ).get_data(as_text=True)
    assert session.filters["version_ids"] == [first.id]  # a session started earlier stays on version 1


def test_a_question_left_out_of_a_new_revision_is_retired_and_one_can_be_retired_by_hand(client, world):
    two = QUESTION + QUESTION.split("# Pricing basics\n", 1)[1].replace("auth-price-mismatch", "auth-second")
    draft = _submitted(client, world, text=two)
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    assert {q.slug for q in db.session.scalars(select(Question).where(Question.retired_at.is_(None)))} == {
        "auth-price-mismatch",
        "auth-second",
    }
    retire = _post(client, f"/authoring/drafts/{draft.id}/items/question/auth-second/retire")
    assert retire.status_code == 302
    second = db.session.scalar(select(Question).where(Question.slug == "auth-second"))
    assert second.retired_at is not None  # retired, not deleted
    assert _post(client, f"/authoring/drafts/{draft.id}/items/question/auth-second/retire").status_code == 409
    assert _post(client, f"/authoring/drafts/{draft.id}/items/question/fx-nothing/retire").status_code == 404
    assert [v.question_id for v in practice.live_versions([], ["authoring-test"])] == [
        db.session.scalar(select(Question.id).where(Question.slug == "auth-price-mismatch"))
    ]

    _as(client, world.author)
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=QUESTION, save_and_submit="1")
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    db.session.refresh(draft)
    assert "0 new versions" in draft.revisions[1].summary
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2


def test_an_id_the_bank_already_uses_elsewhere_is_an_error(client, world, bank):
    login(client, world.author.email)
    draft = _new_draft(
        client, "question", "Copy", QUESTION.replace("auth-price-mismatch", "fx-credit-release")
    )
    problems = _preview(client, draft, draft.text)["problems"]
    assert any(
        "fx-credit-release` is already used by tests/fixtures/content/questions/sample.md:6" in p["message"]
        for p in problems
    )
    scenario = _new_draft(
        client, "scenario", "Copy", SCENARIO.replace("auth-short-line", "fx-split-shipment")
    )
    assert any(
        "already used by tests/fixtures/scenarios/fx-split-shipment.md" in p["message"]
        for p in _preview(client, scenario, scenario.text)["problems"]
    )


def test_drafts_are_private_until_submitted_and_only_their_author_changes_them(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Pricing", QUESTION)
    other = factories.user(Role.AUTHOR)
    _as(client, other)
    assert client.get(f"/authoring/drafts/{draft.id}").status_code == 404
    assert client.get(f"/authoring/drafts/{draft.id}/edit").status_code == 404
    _as(client, world.trainer)
    assert client.get(f"/authoring/drafts/{draft.id}").status_code == 404
    _as(client, world.author)
    _post(client, f"/authoring/drafts/{draft.id}/submit")
    _as(client, other)
    assert client.get(f"/authoring/drafts/{draft.id}").status_code == 200
    forbidden = client.get(f"/authoring/drafts/{draft.id}/edit")
    assert forbidden.status_code == 403 and "Only Ann Author, who wrote this draft" in forbidden.get_data(
        as_text=True
    )
    assert _post(client, f"/authoring/drafts/{draft.id}/withdraw").status_code == 403


def test_the_author_home_lists_drafts_and_the_review_queue(client, world):
    draft = _submitted(client, world)
    page = client.get("/home/author").get_data(as_text=True)
    assert "Your drafts" in page and f"/authoring/drafts/{draft.id}" in page and "in review" in page
    assert "Nothing to review." in page  # one's own draft is not in one's queue
    _as(client, factories.user(Role.AUTHOR))
    assert f"/authoring/drafts/{draft.id}" in client.get("/home/author").get_data(as_text=True)


GIFT = """// [tag:credit]
::Credit hold first move::A strategic order is on credit hold. What do you do first?{
\t=Send credit the exposure#Credit owns release authority.
\t~Release it yourself#Release authority sits with credit.
\t####Route it to the owner of the decision.
}

::Escalation essay::Describe how you would escalate a disputed chargeback.{}
"""


def test_a_gift_upload_becomes_a_question_draft_with_its_report(client, world):
    login(client, world.author.email)
    response = client.post(
        "/authoring/import",
        data={
            "csrf_token": csrf_token(client, "/authoring/import"),
            "file": (io.BytesIO(GIFT.encode()), "credit.gift"),
            "domain": "D2",
            "title": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    draft = db.session.scalar(select(Draft))
    assert draft.title == "Imported from credit.gift" and draft.kind == "question"
    assert "{#gift-credit-hold-first-move}" in draft.text
    report = draft.comments[0]
    assert report.action == "imported" and "1 imported, 0 partial, 1 skipped" in report.text
    assert (
        "Escalation essay (line 8): skipped" in report.text
        and "essay questions are marked by hand" in report.text
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 imported, 0 partial, 1 skipped" in page


def test_an_upload_with_nothing_importable_makes_no_draft(client, world):
    login(client, world.author.email)
    token = csrf_token(client, "/authoring/import")
    essay = "::Essay::Describe it.{}\n"
    response = client.post(
        "/authoring/import",
        data={"csrf_token": token, "file": (io.BytesIO(essay.encode()), "essay.gift"), "domain": "D2"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing could be imported" in page and "essay questions" in page
    latin1 = client.post(
        "/authoring/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO("Caf\xe9?{T}".encode("latin-1")), "cafe.gift"),
            "domain": "D2",
        },
        content_type="multipart/form-data",
    )
    assert latin1.status_code == 200 and "is not UTF-8 text" in latin1.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_very_long_file_name_still_imports(client, world):
    login(client, world.author.email)
    name = "q" * 230 + ".gift"
    response = client.post(
        "/authoring/import",
        data={
            "csrf_token": csrf_token(client, "/authoring/import"),
            "file": (io.BytesIO(GIFT.encode()), name),
            "domain": "D2",
            "title": "",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(db.session.scalar(select(Draft)).title) == 200


# -- Edit in workspace: published items under their own ids ---------------------------------------------


def _edit_published(client, kind: str, slug: str) -> Draft:
    response = _post(client, f"/authoring/bank/{kind}/{slug}/edit")
    assert response.status_code == 302, response.get_data(as_text=True)
    draft_id = int(re.search(r"/drafts/(\d+)/edit", response.headers["Location"]).group(1))
    return db.session.get(Draft, draft_id)


def test_every_shipped_item_opens_in_the_workspace_with_the_text_it_was_published_from(client, world, bank):
    """Opened and published unchanged, each item parses to the very version it came from: no edit, no change."""
    login(client, world.author.email)
    page = client.get("/authoring/bank").get_data(as_text=True)
    assert "fx-credit-release" in page and "fx-split-shipment" in page
    for question in db.session.scalars(select(Question)).all():
        draft = _edit_published(client, "question", question.slug)
        assert _preview(client, draft, draft.text)["problems"] == [], question.slug
        parsed = authoring.check_text(draft, draft.text).questions
        assert [q.content_hash() for q in parsed] == [question.current_version.content_hash]
    scenario = _edit_published(client, "scenario", "fx-split-shipment")
    assert scenario.kind == "scenario" and scenario.edits[0]["source"].endswith("fx-split-shipment.md")
    assert [
        p for p in _preview(client, scenario, scenario.text)["problems"] if p["severity"] == "error"
    ] == []


def test_an_edit_of_a_shipped_question_is_reviewed_and_publishes_a_new_version_of_the_same_id(
    client, world, bank, tmp_path
):
    login(client, world.author.email)
    assert "Edit in workspace" in client.get(
        f"/trainer/items/{db.session.scalar(select(Question.id).where(Question.slug == 'fx-credit-release'))}"
    ).get_data(as_text=True)  # from the statistics page
    draft = _edit_published(client, "question", "fx-credit-release")
    assert _edit_published(client, "question", "fx-credit-release").id == draft.id  # opened again, not twice
    changed = draft.text.replace(
        "Credit holds are released by credit.", "Only the credit team releases a hold."
    )
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=changed, save_and_submit="1")
    db.session.refresh(draft)
    assert draft.status == DraftStatus.IN_REVIEW
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    question = db.session.scalar(select(Question).where(Question.slug == "fx-credit-release"))
    db.session.refresh(question)
    assert question.current_version.number == 2
    assert question.current_version.source_path == f"authoring/draft-{draft.id}.md"
    assert "Only the credit team releases a hold." in question.current_version.explanation_html
    assert db.session.scalar(select(func.count()).select_from(Question)) == len(
        {q.slug for q in db.session.scalars(select(Question))}
    )

    # The file still holds the version the edit started from: it is out of date, and the sync keeps the edit.
    report = sync_fixtures()
    assert report.kept_in_app == 1 and "1 kept as edited in the authoring workspace" in report.summary()
    db.session.refresh(question)
    assert question.current_version.number == 2
    # A file changed as well is a conflict: nothing changes, instead of one edit silently overwriting the other.
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    sample = tmp_path / "content" / "questions" / "sample.md"
    sample.write_text(sample.read_text().replace("Credit holds are released by credit.", "Credit decides."))
    roots = fixture_roots(tmp_path / "content", FIXTURES / "scenarios")
    with pytest.raises(SyncConflict) as conflict:
        content_sync.sync([roots.content], roots, datetime.now(UTC))
    assert "fx-credit-release" in str(conflict.value.problems) and "the file changed too" in str(
        conflict.value.problems
    )
    db.session.rollback()
    # ...and the export writes the edited question back into the file it came from.
    assert (
        "Only the credit team releases a hold."
        in content_export.question_files()["tests/fixtures/content/questions/sample.md"]
    )


def test_an_edit_opened_before_someone_else_published_a_version_is_refused(client, world, bank):
    login(client, world.author.email)
    stale = _edit_published(client, "question", "fx-credit-release")
    other = factories.user(Role.AUTHOR, email="second-author@example.test")
    db.session.commit()
    _as(client, other)
    theirs = _edit_published(client, "question", "fx-credit-release")
    assert theirs.id != stale.id
    text = theirs.text.replace("Credit holds are released by credit.", "Credit releases holds.")
    _post(client, f"/authoring/drafts/{theirs.id}/edit", title=theirs.title, text=text, save_and_submit="1")
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{theirs.id}/approve")
    _as(client, world.author)
    problems = _preview(client, stale, stale.text)["problems"]
    assert any("changed since you opened it: version 2" in p["message"] for p in problems)


def test_a_question_retired_by_hand_stays_retired_on_the_next_unrelated_publish(client, world):
    """Regression: publishing a text that still held a retired question restored it silently."""
    two = QUESTION + QUESTION.split("# Pricing basics\n", 1)[1].replace("auth-price-mismatch", "auth-second")
    draft = _submitted(client, world, text=two)
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    _post(client, f"/authoring/drafts/{draft.id}/items/question/auth-second/retire")

    _as(client, world.author)  # an unrelated change to the other question, published again
    unrelated = two.replace("Pricing owns the contract.", "Pricing owns the contract price.", 1)
    _post(
        client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=unrelated, save_and_submit="1"
    )
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    db.session.refresh(draft)
    second = db.session.scalar(select(Question).where(Question.slug == "auth-second"))
    assert second.retired_at is not None
    assert "1 retired by hand kept retired" in draft.revisions[-1].summary
    page = client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)
    assert "Restore question auth-second" in page

    assert (
        _post(client, f"/authoring/drafts/{draft.id}/items/question/auth-second/restore").status_code == 302
    )
    db.session.refresh(second)
    assert second.retired_at is None and not second.retired_by_hand
    assert (
        _post(client, f"/authoring/drafts/{draft.id}/items/question/auth-second/restore").status_code == 409
    )


def test_authoring_redirects_to_the_author_home(client, world):
    login(client, world.author.email)
    response = client.get("/authoring/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/home/author")
    assert client.get("/authoring", follow_redirects=True).request.path == "/home/author"


def test_autosave_stores_the_text_and_keeps_the_rules_of_save(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Pricing basics", QUESTION)
    token = csrf_token(client, f"/authoring/drafts/{draft.id}/edit")
    response = client.post(
        f"/authoring/drafts/{draft.id}/autosave",
        json={"text": QUESTION + "\nmore"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.get_json()["status"] == "draft"
    db.session.refresh(draft)
    assert draft.text.endswith("\nmore")
    assert (
        client.post(f"/authoring/drafts/{draft.id}/autosave", json={"text": "x"}).status_code == 400
    )  # no CSRF
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=QUESTION, save_and_submit="1")
    locked = client.post(
        f"/authoring/drafts/{draft.id}/autosave", json={"text": "x"}, headers={"X-CSRFToken": token}
    )
    assert locked.status_code == 409


def test_the_export_names_files_written_in_the_app_after_the_draft_title_and_the_scenario_id(client, world):
    draft = _submitted(client, world)
    scenario = _new_draft(client, "scenario", "Short line", SCENARIO)
    _post(client, f"/authoring/drafts/{scenario.id}/submit")
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    _post(client, f"/authoring/drafts/{scenario.id}/approve")
    assert "content/questions/pricing-basics.md" in content_export.question_files()
    assert list(content_export.scenario_files()) == ["scenarios/auth-short-line.md"]


# -- a changed answer key under the same id -------------------------------------------------------------

REKEYED = QUESTION.replace("- [ ] Enter it at the PO price", "- [x] Enter it at the PO price").replace(
    "- [x] Ask the pricing owner", "- [ ] Ask the pricing owner"
)


def _published_and_answered(client, world) -> tuple[Draft, Answer]:
    draft = _submitted(client, world)
    _as(client, world.trainer)
    _post(client, f"/authoring/drafts/{draft.id}/approve")
    now = datetime.now(UTC)
    session = practice.start_study(world.trainee.id, [], ["authoring-test"], False, 5, now, Random(1))
    answer = practice.record_answer(
        world.trainee.id, session, 0, practice.Response(("B",), None, "high", 4.0), now
    )
    # As if the same answer had been part of a closed two-item exam whose other item was missed.
    exam = Exam(
        user_id=world.trainee.id,
        version_ids=[answer.question_version_id, answer.question_version_id],
        time_limit_seconds=600,
        started_at=now,
        deadline=now,
        submitted_at=now,
        score=0.5,
    )
    db.session.add(exam)
    db.session.flush()
    answer.exam_id = exam.id
    db.session.commit()
    assert answer.correct
    _as(client, world.author)
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=REKEYED, save_and_submit="1")
    _as(client, world.trainer)
    return draft, answer


def test_a_changed_key_needs_a_reason_and_regrades_the_old_answers(client, world):
    draft, answer = _published_and_answered(client, world)
    page = client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)
    assert "The correct answer changes" in page and "Regrade them with the new key" in page

    refused = _post(client, f"/authoring/drafts/{draft.id}/approve")
    assert refused.status_code == 422
    assert "say why" in refused.get_data(as_text=True)
    assert len(db.session.get(Draft, draft.id).revisions) == 1  # nothing published

    db.session.get(TraineeReadiness, world.trainee.id).stale = False  # as if computed since the answer
    db.session.commit()
    done = _post(
        client,
        f"/authoring/drafts/{draft.id}/approve",
        key_reason="Pricing confirmed the PO price.",
        old_answers="regrade",
    )
    assert done.status_code == 302
    db.session.expire_all()
    regraded = db.session.get(Answer, answer.id)
    assert (
        not regraded.correct
        and regraded.credit == 0.0
        and regraded.cbm_mark == -6
        and regraded.voided_at is None
    )
    stat = db.session.scalar(select(TraineeDomainStat).where(TraineeDomainStat.user_id == world.trainee.id))
    assert (stat.answered, stat.correct) == (1, 0)
    assert db.session.get(TraineeReadiness, world.trainee.id).stale
    assert db.session.get(Exam, regraded.exam_id).score == 0.0  # now wrong under the new key
    comments = client.get(f"/authoring/drafts/{draft.id}").get_data(as_text=True)
    assert "Pricing confirmed the PO price." in comments and "1 answers regraded, 0 voided" in comments


def test_voided_answers_stay_on_record_but_leave_the_evidence(client, world):
    draft, answer = _published_and_answered(client, world)
    _post(
        client,
        f"/authoring/drafts/{draft.id}/approve",
        key_reason="The old key was wrong.",
        old_answers="void",
    )
    db.session.expire_all()
    voided = db.session.get(Answer, answer.id)
    assert voided.voided_at is not None and voided.credit == 1.0  # on record, as given
    assert db.session.get(Exam, voided.exam_id).score == 0.0  # the exam counts the one item left, missed
    assert progress.recount(world.trainee.id) == {}
    assert statistics.item_table() == {}


def test_an_edited_shipped_scenario_publishes_a_new_version_under_its_id(client, world, bank):
    login(client, world.author.email)
    draft = _edit_published(client, "scenario", "fx-split-shipment")
    title = re.search(r"^title: (.+)$", draft.text, re.M).group(1)
    changed = draft.text.replace(f"title: {title}", f"title: {title} (revised)", 1)
    _post(client, f"/authoring/drafts/{draft.id}/edit", title=draft.title, text=changed, save_and_submit="1")
    _as(client, world.trainer)
    assert _post(client, f"/authoring/drafts/{draft.id}/approve").status_code == 302
    scenario = db.session.scalar(select(Scenario).where(Scenario.slug == "fx-split-shipment"))
    db.session.refresh(scenario)
    assert scenario.current_version.number == 2 and scenario.current_version.title.endswith("(revised)")
    assert scenario.current_version.source_path == f"authoring/draft-{draft.id}.md"
    assert "(revised)" in content_export.scenario_files()["tests/fixtures/scenarios/fx-split-shipment.md"]


def test_preview_and_autosave_of_text_too_long_or_not_text_say_what_to_send(client, world):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Pricing basics", QUESTION)
    token = csrf_token(client, f"/authoring/drafts/{draft.id}/edit")
    too_long = "x" * (MAX_TEXT + 1)
    preview = client.post(
        f"/authoring/drafts/{draft.id}/preview", json={"text": too_long}, headers={"X-CSRFToken": token}
    )
    assert preview.status_code == 400
    assert f"at most {MAX_TEXT:,} characters" in preview.get_data(as_text=True)
    autosave = client.post(
        f"/authoring/drafts/{draft.id}/autosave",
        json={"text": ["not", "text"]},
        headers={"X-CSRFToken": token},
    )
    assert autosave.status_code == 400 and "(a title of 200)" in autosave.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.text == QUESTION
