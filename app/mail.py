"""Sending e-mail: the one function every feature calls, over the configured SMTP server.

smtplib from the standard library, not Flask-Mail or flask-mailman: one plain synchronous function needs no
extension object bound to the app, adds no dependency, and can later be handed to a background job as is.
Messages are built by pure functions in app/domain/messages.py; this module only delivers them.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, url_for

log = logging.getLogger(__name__)


def configured(config: Mapping | None = None) -> bool:
    """True when an SMTP server is set (SMTP_HOST); features that need mail say so when it is not."""
    config = current_app.config if config is None else config
    return bool(config.get("SMTP_HOST"))


def link(endpoint: str, **values) -> str:
    """An absolute link for an e-mail: PUBLIC_URL and the page's path. Only without PUBLIC_URL does it use
    the address of the current request (development)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def send(to: str | list[str], subject: str, text: str, html: str | None = None) -> bool:
    """Send one message now; True when the server accepted it.

    Without SMTP_HOST nothing is sent and a line is logged instead (the app works with nothing configured).
    A server that refuses or cannot be reached is logged and answers False: a digest or alert that fails
    must not turn the page or command that triggered it into an error, and a reset request must answer the
    same whatever happened."""
    config = current_app.config
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return False
    if not configured(config):
        log.info("mail not sent (SMTP_HOST is not set): %r to %s", subject, ", ".join(recipients))
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip("> ") or None)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail %r to %s could not be sent", subject, ", ".join(recipients))
        return False
    log.info("mail %r sent to %s", subject, ", ".join(recipients))
    return True
