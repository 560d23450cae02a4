"""/password/forgot mails a reset link; /password/reset/<token> sets the new password.

Anyone may open both (signed in or not). The request form answers the same whether or not an account
exists, and is rate-limited per address entered and per client address. Without SMTP the page says to
ask an admin and sends nothing."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import logout_user

from app import clock, mail
from app.auth.forms import NewPasswordForm
from app.extensions import db, limiter
from app.password_reset.forms import ForgotPasswordForm
from app.services import password_reset

bp = Blueprint("password_reset", __name__, url_prefix="/password")


@bp.app_context_processor
def mail_setting() -> dict:
    return {"mail_enabled": mail.configured()}


def _settings() -> password_reset.ResetSettings:
    return password_reset.ResetSettings.from_config(current_app.config)


def _email_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"], key_func=_email_key)
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_ADDRESS_RATE_LIMIT"], methods=["POST"])
def forgot():
    form = ForgotPasswordForm()
    if mail.configured() and form.validate_on_submit():
        password_reset.request_reset(
            form.email.data,
            clock.now(),
            lambda token: mail.link("password_reset.reset", token=token),
            _settings(),
        )
        return render_template("password_reset/sent.html", email=form.email.data.strip())
    return render_template("password_reset/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    user = password_reset.user_for_token(token, clock.now(), _settings())
    if user is None:
        return render_template("password_reset/invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        password_reset.reset_password(user, form.new_password.data)
        db.session.commit()
        logout_user()  # whoever was signed in on this browser: sign in again with the new password
        flash(
            "Your new password is set, and every earlier session of yours has ended. Sign in with it.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("password_reset/reset.html", form=form, user=user)
