"""Token pages: a person lists, creates and revokes their own tokens; an admin sees and revokes all."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.extensions import db
from app.policy import Action, permits, require, require_login
from app.services import tokens
from app.tokens.forms import TokenForm

bp = Blueprint("tokens", __name__)
log = logging.getLogger(__name__)


@bp.route("/account/tokens", methods=["GET", "POST"])
@require_login
def index():
    """The secret is in the page that answers the POST and nowhere else (not in a flash message: those
    travel in the session cookie), and that page is never cached."""
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        expires = form.expires_on.data
        expires_at = datetime(expires.year, expires.month, expires.day, tzinfo=UTC) if expires else None
        try:
            token, secret = tokens.create_token(
                current_user, form.name.data, form.scopes.data, expires_at, clock.now()
            )
        except tokens.TokenError as error:
            db.session.rollback()
            form.expires_on.errors = [*form.expires_on.errors, str(error)]
        else:
            db.session.commit()
            log.info("API token %s created by %s", token.prefix, current_user.email)
            form = TokenForm(formdata=None)
    status = 400 if request.method == "POST" and secret is None else 200
    page = render_template(
        "tokens/index.html",
        form=form,
        secret=secret,
        now=clock.now(),
        tokens=tokens.tokens_of(current_user.id),
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@require_login
def revoke(token_id: int):
    token = tokens.token_for(current_user, token_id)
    tokens.revoke(token, clock.now())
    db.session.commit()
    log.info("API token %s of user %s revoked by %s", token.prefix, token.user_id, current_user.email)
    flash(f"Token {token.name} ({token.prefix}…) revoked: it no longer works.", "success")
    if token.user_id != current_user.id and permits(current_user, Action.ADMINISTER):
        return redirect(url_for("tokens.all_tokens"))
    return redirect(url_for("tokens.index"))


@bp.get("/admin/tokens")
@require(Action.ADMINISTER)
def all_tokens():
    return render_template("tokens/all.html", tokens=tokens.all_tokens(), now=clock.now())
