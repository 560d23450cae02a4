"""POST /account/mail saves e-mail preferences; POST /sign-off/request asks the trainers for a sign-off."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from app import clock, mail
from app.errors import MalformedRequest
from app.extensions import db
from app.notifications.forms import MailPreferencesForm, SignOffRequestForm
from app.policy import Action, require, require_login
from app.services import notifications

bp = Blueprint("notifications", __name__)
log = logging.getLogger(__name__)


@bp.app_context_processor
def forms() -> dict:
    """The account page's preference form and the trainee home's sign-off button, built where shown."""
    return {
        "mail_preferences_form": MailPreferencesForm,
        "sign_off_request_form": SignOffRequestForm,
        "mail_kinds": notifications.mail_kinds,
    }


@bp.post("/account/mail")
@require_login
def preferences():
    """Only the kinds the person's roles receive change; the others keep their value for a later role."""
    form = MailPreferencesForm()
    if not form.validate_on_submit():
        raise MalformedRequest(
            "The e-mail settings could not be read: reload the account page and save them again."
        )
    notifications.set_preferences(
        current_user,
        {
            "digest": form.digest.data,
            "alerts": form.alerts.data,
            "sign_off_requests": form.sign_off_requests.data,
        },
    )
    db.session.commit()
    flash(
        "E-mail settings saved."
        + ("" if mail.configured() else " This academy sends no e-mail at the moment."),
        "success",
    )
    return redirect(url_for("home.account"))


@bp.post("/sign-off/request")
@require(Action.PRACTISE)
def request_sign_off():
    if not SignOffRequestForm().validate_on_submit():
        raise MalformedRequest("The request was incomplete: reload the page and request the sign-off again.")
    asked = notifications.request_sign_off(current_user, clock.now())
    db.session.commit()
    if asked.trainers_mailed:
        flash(
            f"Sign-off requested: {asked.trainers_mailed} trainer(s) e-mailed; they see it on their page.",
            "success",
        )
    else:
        flash("Sign-off requested: your trainers see it on their page (no e-mail was sent).", "success")
    return redirect(url_for("home.trainee"))
