"""Sign in, sign out, change password."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from app.auth.forms import ChangePasswordForm, LoginForm
from app.extensions import db, limiter
from app.policy import require_login
from app.services import accounts
from app.sso.provider import end_session_redirect

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only follow ?next= to a path on this site, never to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    """Sign-in attempts are counted per account named in the form (and, separately, per address), so ten
    wrong passwords for one account never lock out a colleague signing in from the same office."""
    return "account:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_account_key)
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That e-mail and password do not match an active account.")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@require_login
def logout():
    """Ends every session of the person, on every device (a saved cookie or remember-me token included);
    a session that came through single sign-on then ends at the provider too, when it offers that."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("You are signed out, on every device.", "info")
    return redirect(end_session_redirect(url_for("auth.login", _external=True)) or url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require_login
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            accounts.set_password(current_user, form.new_password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # this session carries the new generation
            flash("Your password is changed; every other session of yours has ended.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)
