"""Author text that Python-Markdown renders in quadratic time cannot hold a web worker: previews, submitting
and publishing render in a child process killed over RENDER_BUDGET_SECONDS (app.services.rendering)."""

from __future__ import annotations

import time

import pytest

from app.domain.markdown_render import MarkdownRenderer
from app.extensions import db
from app.models import DraftStatus
from app.services import rendering
from tests.conftest import csrf_token, login
from tests.web.test_authoring import QUESTION, _new_draft, _post

# Each of these, 100 KB in a question's stem, took Python-Markdown 20 s to minutes (docs/hardening.md).
PATHOLOGICAL = {
    "unclosed tags": "<a " * 33_000,
    "setext headings without blank lines": "a\n=\n" * 25_000,
    "definition lines": "a\n" + ": x\n" * 25_000,
    "autolink openings": "<http://" * 12_500,
}


@pytest.fixture
def half_second_budget(app, monkeypatch):
    """The budget counts rendering only (not starting Python), so a busy test machine still answers in 2 s."""
    monkeypatch.setitem(app.config, "RENDER_BUDGET_SECONDS", 0.5)


def _with_stem(shape: str) -> str:
    return QUESTION.replace("cognitive: application\n", "cognitive: application\n\n" + shape + "\n\n")


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_a_preview_that_would_stall_the_worker_answers_within_2_s_with_where_and_what(
    client, world, half_second_budget, name
):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Slow", QUESTION)
    text = _with_stem(PATHOLOGICAL[name])
    token = csrf_token(client, f"/authoring/drafts/{draft.id}/edit")
    started = time.perf_counter()
    response = client.post(
        f"/authoring/drafts/{draft.id}/preview", json={"text": text}, headers={"X-CSRFToken": token}
    )
    assert (
        time.perf_counter() - started < 10
    )  # generous for a loaded machine: unbudgeted, these take 30 s or more
    assert response.status_code == 200
    data = response.get_json()
    slow = [p for p in data["problems"] if "takes too long to render" in p["message"]]
    question_line = next(n for n, line in enumerate(text.splitlines(), 1) if "{#auth-price-mismatch}" in line)
    assert [(p["line"], p["severity"]) for p in slow] == [(question_line, "error")]
    assert "Pricing owns the contract" not in data["html"]  # nothing half-rendered
    assert client.get("/healthz").status_code == 200


def test_text_over_budget_cannot_be_submitted_and_its_draft_page_still_opens(
    client, world, half_second_budget
):
    login(client, world.author.email)
    draft = _new_draft(client, "question", "Slow", _with_stem(PATHOLOGICAL["unclosed tags"]))
    started = time.perf_counter()
    page = client.get(f"/authoring/drafts/{draft.id}")
    assert page.status_code == 200 and "takes too long to render" in page.get_data(as_text=True)
    refused = _post(client, f"/authoring/drafts/{draft.id}/submit")
    editor = client.get(refused.headers["Location"])
    assert time.perf_counter() - started < 20  # two renders, each stopped at the budget, and the editor's
    assert "takes too long to render" in editor.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.status == DraftStatus.DRAFT.value and draft.submitted_at is None


def test_ordinary_text_renders_in_the_child_exactly_as_in_process(app):
    batch = [
        "# Title *x*",
        "a | b\n-|-\n1 | 2",
        "<script>x</script> [link](javascript:y) <b class=banner>b</b>",
    ]
    assert rendering.render_in_child([batch], 10) == [MarkdownRenderer().render_many(batch)]


def test_a_child_that_fails_is_reported_as_text_that_cannot_be_rendered(app):
    with pytest.raises(rendering.RenderTooSlow, match="cannot be rendered"):
        rendering.render_in_child([[None]], 10)  # type: ignore[list-item]
