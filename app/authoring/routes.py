"""Authoring workspace: write drafts in the browser, review them, publish them into the bank.

Views validate a form, call app.services.authoring, commit once and redirect. Writing pages need
Action.AUTHOR; the pages a reviewer uses (a draft, its revisions, comments, decisions, the review
queue) need Action.APPROVE_CONTENT, which authors and trainers hold. Record rules (whose draft, which
status) live in the service: 404 for a draft one cannot see, 403 for someone else's draft or one's
own approval, 409 for a draft in the wrong status.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from app import clock
from app.authoring.forms import (
    MAX_TEXT,
    ApproveForm,
    ButtonForm,
    CommentForm,
    EditorForm,
    ImportForm,
    NewDraftForm,
    ReturnForm,
)
from app.authoring.starters import starter_text
from app.domain.interchange import summary_line
from app.errors import MalformedRequest
from app.extensions import db
from app.forms import seconds_since
from app.models import Draft, DraftKind, DraftStatus
from app.policy import Action, require
from app.scenarios import pages
from app.scenarios.forms import BackForm, DecisionForm, StartForm
from app.services import appeals, authoring, scenarios
from app.services import playtest as playtests
from app.services.authoring import AuthoringError, DraftProblems
from app.trainer.forms import DecideAppealForm

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
PLAYTEST_KEY = "playtest"  # the session's one play-test (app.services.playtest)
log = logging.getLogger(__name__)


@bp.get("/")
@require(Action.AUTHOR)
def index():
    """/authoring, as the README and people's bookmarks say: the author's home."""
    return redirect(url_for("home.author"))


@bp.get("/bank")
@require(Action.AUTHOR)
def bank():
    """Every published question and scenario, each with Edit in workspace; `q` filters."""
    search = request.args.get("q", "")[:100]
    return render_template(
        "authoring/bank.html",
        items=authoring.bank_items(search),
        search=search,
        button=ButtonForm(formdata=None),
    )


@bp.post("/bank/<any(question, scenario):kind>/<slug>/edit")
@require(Action.AUTHOR)
def edit_published(kind: str, slug: str):
    """Open a published item in the workspace under its own id (the draft it came from, or a new one)."""
    draft = authoring.edit_published(current_user, kind, slug, clock.now())
    db.session.commit()
    flash(
        f"Editing the {kind} {slug} under its own id. Publishing it, after review, makes a new version.",
        "success",
    )
    return redirect(url_for("authoring.edit", draft_id=draft.id))


@bp.route("/drafts/new", methods=["GET", "POST"])
@require(Action.AUTHOR)
def new_draft():
    form = NewDraftForm()
    if form.validate_on_submit():
        kind = DraftKind(form.kind.data)
        draft = authoring.create_draft(
            current_user, kind, form.title.data, starter_text(kind, form.title.data), clock.now()
        )
        db.session.commit()
        flash(
            "Draft created from a small example: rewrite it, and watch the preview and the checks.", "success"
        )
        return redirect(url_for("authoring.edit", draft_id=draft.id))
    return render_template("authoring/new.html", form=form)


@bp.get("/drafts/<int:draft_id>")
@require(Action.APPROVE_CONTENT)
def draft(draft_id: int):
    return _draft_page(authoring.visible_draft(current_user, draft_id))


@bp.route("/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
@require(Action.AUTHOR)
def edit(draft_id: int):
    """GET shows the editor with the saved text checked and previewed; POST saves (and may submit)."""
    draft = authoring.own_draft(current_user, draft_id)
    form = EditorForm(obj=draft)
    if form.validate_on_submit():
        authoring.save_draft(draft, current_user, form.title.data, form.text.data or "", clock.now())
        if form.save_and_submit.data:
            try:
                authoring.submit(draft, current_user, clock.now())
            except DraftProblems as refusal:
                db.session.commit()  # the text is saved; only the submission was refused
                flash(f"Saved. {refusal}", "error")
                return redirect(url_for("authoring.edit", draft_id=draft.id))
            db.session.commit()
            flash(
                "Saved and sent for review. Another author or a trainer will approve it or return it.",
                "success",
            )
            return redirect(url_for("authoring.draft", draft_id=draft.id))
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("authoring.edit", draft_id=draft.id))
    text = form.text.data if form.text.data is not None else draft.text
    return render_template(
        "authoring/edit.html",
        draft=draft,
        form=form,
        preview=authoring.preview(draft, text),
        locked=draft.status == DraftStatus.IN_REVIEW,
    )


@bp.post("/drafts/<int:draft_id>/preview")
@require(Action.AUTHOR)
def preview(draft_id: int):
    """JSON {html, problems: [{line, message, severity}], map, summary} for the text posted (not saved).

    The text comes as JSON {"text": ...} (editor.js, with the CSRF token in X-CSRFToken) or as a form field.
    """
    draft = authoring.own_draft(current_user, draft_id)
    payload = request.get_json(silent=True)
    text = payload.get("text", "") if isinstance(payload, dict) else request.form.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise MalformedRequest(f"Send the draft's text as a string of at most {MAX_TEXT:,} characters.")
    result = authoring.preview(draft, text.replace("\r\n", "\n"))
    return jsonify(
        html=render_template("authoring/_preview.html", preview=result),
        problems=[
            {"line": p.line, "message": p.message, "severity": p.severity.value}
            for p in result.check.problems
        ],
        map=render_template("authoring/_map.html", map=result.map, interactive=True) if result.map else "",
        summary=result.summary,
    )


@bp.post("/drafts/<int:draft_id>/autosave")
@require(Action.AUTHOR)
def autosave(draft_id: int):
    """Save the text (editor.js every ~20 s while it changes, JSON with X-CSRFToken): {saved_at}.

    The same rules as Save (the author's own draft, 409 while in review); without script the Save
    button does the same.
    """
    draft = authoring.own_draft(current_user, draft_id)
    payload = request.get_json(silent=True)
    text = payload.get("text") if isinstance(payload, dict) else None
    title = (payload.get("title") if isinstance(payload, dict) else None) or draft.title
    if not isinstance(text, str) or len(text) > MAX_TEXT or not isinstance(title, str) or len(title) > 200:
        raise MalformedRequest(
            f"Send the draft's text as a string of at most {MAX_TEXT:,} characters (a title of 200)."
        )
    authoring.save_draft(draft, current_user, title, text, clock.now())
    db.session.commit()
    return jsonify(saved_at=draft.updated_at.isoformat(), status=draft.status)


@bp.post("/drafts/<int:draft_id>/submit")
@require(Action.AUTHOR)
def submit(draft_id: int):
    draft = authoring.own_draft(current_user, draft_id)
    try:
        authoring.submit(draft, current_user, clock.now())
    except DraftProblems as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("authoring.edit", draft_id=draft.id))
    db.session.commit()
    flash("Sent for review.", "success")
    return redirect(url_for("authoring.draft", draft_id=draft.id))


@bp.post("/drafts/<int:draft_id>/withdraw")
@require(Action.AUTHOR)
def withdraw(draft_id: int):
    draft = authoring.own_draft(current_user, draft_id)
    authoring.withdraw(draft, current_user, clock.now())
    db.session.commit()
    flash("Withdrawn from review: you can edit it again.", "success")
    return redirect(url_for("authoring.edit", draft_id=draft.id))


@bp.post("/drafts/<int:draft_id>/approve")
@require(Action.APPROVE_CONTENT)
def approve(draft_id: int):
    draft = authoring.draft_to_decide(current_user, draft_id, "approve")
    form = ApproveForm()
    if not form.validate_on_submit():
        return _draft_page(draft, approve_form=form)
    try:
        revision = authoring.approve(
            draft,
            current_user,
            form.comment.data or "",
            clock.now(),
            form.key_reason.data or "",
            form.old_answers.data,
        )
    except DraftProblems as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("authoring.draft", draft_id=draft.id))
    except AuthoringError as refusal:
        if refusal.status != 422:
            raise
        form.key_reason.errors = [str(refusal)]  # a changed key without its reason or decision
        return _draft_page(draft, approve_form=form), 422
    db.session.commit()
    flash(f"Published as revision {revision.number}: {revision.summary}.", "success")
    return redirect(url_for("authoring.revision", draft_id=draft.id, number=revision.number))


@bp.post("/drafts/<int:draft_id>/return")
@require(Action.APPROVE_CONTENT)
def return_draft(draft_id: int):
    draft = authoring.draft_to_decide(current_user, draft_id, "return")
    form = ReturnForm()
    if not form.validate_on_submit():
        return _draft_page(draft, return_form=form)
    authoring.return_draft(draft, current_user, form.comment.data, clock.now())
    db.session.commit()
    flash(f"Returned to {draft.author.name} with your comment.", "success")
    return redirect(url_for("authoring.review_queue"))


@bp.post("/drafts/<int:draft_id>/comments")
@require(Action.APPROVE_CONTENT)
def comment(draft_id: int):
    draft = authoring.visible_draft(current_user, draft_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _draft_page(draft, comment_form=form)
    added = authoring.add_comment(draft, current_user, form.text.data, clock.now())
    db.session.commit()
    return redirect(url_for("authoring.draft", draft_id=draft.id, _anchor=f"comment-{added.id}"))


@bp.get("/drafts/<int:draft_id>/revisions/<int:number>")
@require(Action.APPROVE_CONTENT)
def revision(draft_id: int, number: int):
    draft = authoring.visible_draft(current_user, draft_id)
    published = authoring.revision_of(draft, number)
    return render_template(
        "authoring/revision.html",
        draft=draft,
        revision=published,
        diff=authoring.diff_to_previous(draft, published),
    )


@bp.post("/drafts/<int:draft_id>/items/<any(question, scenario):kind>/<slug>/retire")
@require(Action.APPROVE_CONTENT)
def retire(draft_id: int, kind: str, slug: str):
    draft = authoring.visible_draft(current_user, draft_id)
    authoring.retire_item(draft, current_user, kind, slug, clock.now())
    db.session.commit()
    flash(
        f"Retired the {kind} {slug}: trainees no longer get it; past answers keep their version.", "success"
    )
    return redirect(url_for("authoring.draft", draft_id=draft.id, _anchor="published"))


@bp.post("/drafts/<int:draft_id>/items/<any(question, scenario):kind>/<slug>/restore")
@require(Action.APPROVE_CONTENT)
def restore(draft_id: int, kind: str, slug: str):
    draft = authoring.visible_draft(current_user, draft_id)
    authoring.restore_item(draft, current_user, kind, slug, clock.now())
    db.session.commit()
    flash(f"Restored the {kind} {slug}: trainees get it again.", "success")
    return redirect(url_for("authoring.draft", draft_id=draft.id, _anchor="published"))


@bp.get("/reports")
@require(Action.AUTHOR)
def reports():
    """Questions trainees reported as wrong or ambiguous, oldest first, each with a decision form."""
    return render_template(
        "authoring/reports.html",
        reports=appeals.open_item_reports(),
        form=DecideAppealForm(),
        reasons=appeals.ITEM_REASONS,
    )


@bp.post("/reports/<int:appeal_id>/decide")
@require(Action.AUTHOR)
def decide_report(appeal_id: int):
    appeal = appeals.item_report(appeal_id)
    form = DecideAppealForm()
    if not form.validate_on_submit():
        flash("Choose a decision and give the reason.", "error")
        return redirect(url_for("authoring.reports"))
    appeals.decide(appeal, current_user, form.decision.data, form.note.data, clock.now())
    db.session.commit()
    log.info(
        "report %s on question %s %s by %s", appeal.id, appeal.question_id, appeal.status, current_user.email
    )
    flash(
        f"Report {appeal.status}. Fix the item in its file or a draft; an upheld wrong key needs a new id.",
        "success",
    )
    return redirect(url_for("authoring.reports"))


@bp.get("/reviews")
@require(Action.APPROVE_CONTENT)
def review_queue():
    return render_template("authoring/reviews.html", queue=authoring.review_queue(current_user.id))


@bp.route("/import", methods=["GET", "POST"])
@require(Action.AUTHOR)
def import_questions():
    """Upload GIFT or Moodle XML; what imports becomes one question draft, with the report as a comment."""
    form = ImportForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = authoring.import_questions(
                current_user,
                upload.filename or "upload",
                upload.read(),
                form.domain.data,
                form.title.data or "",
                clock.now(),
            )
        except AuthoringError as refusal:
            form.file.errors = [str(refusal)]
        if outcome is not None and outcome.draft is not None:
            db.session.commit()
            flash(
                f"{outcome.format} import: {summary_line(outcome.result)}. Check each question's notes below.",
                "success",
            )
            return redirect(url_for("authoring.draft", draft_id=outcome.draft.id, _anchor="comments"))
    return render_template("authoring/import.html", form=form, outcome=outcome)


# -- play-test: the draft played as a trainee would, recorded nowhere ------------------------------------


@bp.get("/drafts/<int:draft_id>/playtest")
@require(Action.APPROVE_CONTENT)
def playtest(draft_id: int):
    """Play the draft's saved text from the start, or on from where this browser left off; a finished run
    shows its debrief, a draft with errors lists them (file:line). Whoever may see the draft may play it."""
    draft, game = _playtest_draft(draft_id)
    if game.scenario is None:
        return render_template("authoring/playtest_errors.html", draft=draft, errors=game.errors), 422
    run = _playtest_run(draft, game)
    if playtests.state_of(run, game).finished:
        return redirect(url_for("authoring.playtest_debrief", draft_id=draft.id))
    return _playtest_player(draft, game, run, DecisionForm())


@bp.post("/drafts/<int:draft_id>/playtest/decide")
@require(Action.APPROVE_CONTENT)
def playtest_decide(draft_id: int):
    draft, game, run = _playtest_in_progress(draft_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _playtest_player(draft, game, run, form, 400)
    seconds = seconds_since(form.served_at.data, time.time())
    after = playtests.choose(run, game, form.ref.data, form.step.data, form.text.data, seconds)
    session[PLAYTEST_KEY] = run.to_session()
    if after.finished:
        return redirect(url_for("authoring.playtest_debrief", draft_id=draft.id))
    return redirect(url_for("authoring.playtest", draft_id=draft.id))


@bp.post("/drafts/<int:draft_id>/playtest/back")
@require(Action.APPROVE_CONTENT)
def playtest_back(draft_id: int):
    draft, game, run = _playtest_in_progress(draft_id)
    form = BackForm()
    if not form.validate_on_submit():
        raise MalformedRequest("Say which decision to go back to.")
    playtests.go_back(run, game, form.to_step.data)
    session[PLAYTEST_KEY] = run.to_session()
    return redirect(url_for("authoring.playtest", draft_id=draft.id))


@bp.post("/drafts/<int:draft_id>/playtest/restart")
@require(Action.APPROVE_CONTENT)
def playtest_restart(draft_id: int):
    """Play again from the start, with new figures when the scenario has variants."""
    draft, _ = _playtest_draft(draft_id)
    if not StartForm().validate_on_submit():
        raise MalformedRequest("Play again from the button on the play-test page.")
    session.pop(PLAYTEST_KEY, None)
    return redirect(url_for("authoring.playtest", draft_id=draft.id))


@bp.get("/drafts/<int:draft_id>/playtest/debrief")
@require(Action.APPROVE_CONTENT)
def playtest_debrief(draft_id: int):
    draft, game, run = _playtest_in_progress(draft_id)
    if not playtests.state_of(run, game).finished:
        return redirect(url_for("authoring.playtest", draft_id=draft.id))
    assert game.scenario is not None and game.analysis is not None
    return pages.debrief(
        run,
        game.scenario,
        game.analysis,
        playtests.debrief(run, game),
        scenarios.filled(game.fragments, run.variant),
        _playtest_urls(draft),
        playtest={"draft": draft},
    )


def _playtest_draft(draft_id: int) -> tuple[Draft, playtests.Playable]:
    draft = authoring.visible_draft(current_user, draft_id)
    return draft, playtests.playable(draft)


def _playtest_in_progress(draft_id: int) -> tuple[Draft, playtests.Playable, playtests.PlayTest]:
    """The draft, its playable scenario and this browser's run; 409 when the saved text has errors (the
    play-test page lists them)."""
    draft, game = _playtest_draft(draft_id)
    if game.scenario is None:
        raise AuthoringError(
            "The draft's saved text has errors now, so it cannot be played: open its play-test page to see them.",
            409,
        )
    return draft, game, _playtest_run(draft, game)


def _playtest_run(draft: Draft, game: playtests.Playable) -> playtests.PlayTest:
    run, dropped = playtests.from_session(session.get(PLAYTEST_KEY), draft, game)
    if dropped:
        flash(
            "The draft changed since you began this play-test, so it starts again from the beginning.",
            "warning",
        )
    session[PLAYTEST_KEY] = run.to_session()
    return run


def _playtest_urls(draft: Draft) -> pages.RunUrls:
    return pages.RunUrls(
        decide=url_for("authoring.playtest_decide", draft_id=draft.id),
        back=url_for("authoring.playtest_back", draft_id=draft.id),
        again=url_for("authoring.playtest_restart", draft_id=draft.id),
    )


def _playtest_player(
    draft: Draft, game: playtests.Playable, run: playtests.PlayTest, form, status: int = 200
):
    assert game.scenario is not None
    return pages.player(
        run,
        game.scenario,
        scenarios.filled(game.fragments, run.variant),
        form,
        _playtest_urls(draft),
        status,
        playtest={"draft": draft},
    )


# -- helpers -------------------------------------------------------------------------------------------


def _draft_page(draft: Draft, **forms):
    """The draft's page: status, actions for this person, preview and problems, map, comments, history."""
    is_author = draft.author_id == current_user.id
    preview = authoring.preview(draft, draft.text)
    return render_template(
        "authoring/draft.html",
        draft=draft,
        is_author=is_author,
        can_decide=not is_author and draft.status == DraftStatus.IN_REVIEW,
        preview=preview,
        key_changes=authoring.key_changes(draft, preview.check),
        items=authoring.published_items(draft),
        pending_diff=authoring.unpublished_diff(draft),
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        approve_form=forms.get("approve_form") or ApproveForm(formdata=None),
        return_form=forms.get("return_form") or ReturnForm(formdata=None),
        button=ButtonForm(formdata=None),
    )
