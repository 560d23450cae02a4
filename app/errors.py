"""Error pages that say what happened and what to do next."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.audit import request_id
from app.extensions import db
from app.services import ServiceError


class MalformedRequest(ServiceError):
    """A post the route cannot use (a form that does not validate, a payload of the wrong shape): 400,
    with a message saying what to send instead. Routes raise it; never Flask's bare abort(400)."""

    def __init__(self, message: str):
        super().__init__(message, 400)


class Conflict(ServiceError):
    """A change the current state of the record refuses (a name in use, the last admin): 409."""

    def __init__(self, message: str):
        super().__init__(message, 409)


class InvalidFields(ServiceError):
    """Fields that parse but cannot be used (an id of nothing): 422, with the messages per field."""

    def __init__(self, message: str, fields: dict[str, list[str]]):
        super().__init__(message, 422)
        self.fields = fields


class NotReady(ServiceError):
    """What was asked for is being computed in the background (a first readiness report): 503 with
    Retry-After, the number of seconds after which asking again should find it."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, 503)
        self.retry_after = retry_after


MESSAGES = {
    400: "The request could not be understood. Go back, reload the page and try again.",
    403: "Your role does not give access to this page. If you need it, ask an admin.",
    404: "There is nothing here, or it is not yours to see. Check the address or go back to your home page.",
    405: "That action is not available at this address.",
    409: "This changed in the meantime. Reload the page to see the current state.",
    413: "That upload is too large.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = "Your form expired or was sent from elsewhere. Reload the page and submit it again."
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(StaleDataError)
    def changed_meanwhile(error: StaleDataError):
        """Two writes to one record at once (two tabs): the later one is refused, nothing is half-saved."""
        db.session.rollback()
        message = (
            "This changed meanwhile, perhaps in another tab. Nothing was saved: reload the page and go on."
        )
        return render_template("errors/error.html", code=409, message=message), 409

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        db.session.rollback()  # nothing half-done is ever committed
        return render_template("errors/error.html", code=error.status, message=str(error)), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        # A view that aborts with its own description (what was wrong) keeps it; defaults get our wording.
        custom = error.description != type(error).description
        message = error.description if custom else MESSAGES.get(code, error.description)
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(500)
    def server_error(error):
        """A page that needs no database (it may be the database that failed): no menu, no user."""
        db.session.rollback()
        app.logger.error("server error", exc_info=getattr(error, "original_exception", None) or error)
        return render_template("errors/unavailable.html", request_id=request_id()), 500
