"""LTI 1.3 endpoints. The OIDC login initiation and the launch take cross-site requests from the LMS, as
the spec requires, so they are exempt from CSRF: pylti1p3's checks protect them instead (the state cookie
set at login initiation, a nonce that works once, the id_token's signature against the platform's JWKS,
a registered issuer, client id and deployment id). Everything after the launch is an ordinary signed-in
page with CSRF-protected forms.

pylti1p3 (with PyJWT, cryptography and jwcrypto) and app.services.lti_tool are imported inside the views
that use them: a worker that never serves an LTI launch never loads them (tests/web/test_startup.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from sqlalchemy.exc import SQLAlchemyError

from app import clock, jobs
from app.domain.taxonomy import DOMAIN_NAMES
from app.extensions import csrf, db, limiter
from app.lti.forms import PickResourceForm
from app.policy import Action, require
from app.security import CONTENT_SECURITY_POLICY
from app.services import lti, lti_scores, practice, scenarios
from app.services.lti import LtiError

if TYPE_CHECKING:
    from pylti1p3.contrib.flask import FlaskMessageLaunch

    from app.services.lti_tool import DatabaseToolConf

bp = Blueprint("lti", __name__, url_prefix="/lti")
log = logging.getLogger(__name__)

UNREGISTERED = (
    "This LMS is not registered with Order Desk Academy (issuer {iss!r}, client id {client!r}). An academy "
    "administrator registers it with `flask lti add-platform`; `flask lti register` prints what the LMS needs."
)
GRADING_KEY = "lti_grading"  # set in the session of a learner whose launch expects a score back
DEEP_LINKS_KEY = "lti_deep_links"  # deep-linking launches this browser may answer


def _tool_conf() -> DatabaseToolConf:
    from app.services.lti_tool import DatabaseToolConf, tool_key

    return DatabaseToolConf(tool_key())


def _unverified_claims(id_token: str) -> dict:
    """What a token says, unverified: only ever quoted back in an error message."""
    import jwt

    try:
        return jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


def _explain(error: Exception) -> str:
    """pylti1p3's reason, in words for the person the LMS sent here."""
    reason = str(error)
    if reason in ("State not found", "Missing state param"):
        return (
            "This launch does not belong to a sign-in started in this browser (no matching state cookie). "
            "Open the link from the LMS again; if it keeps failing, allow cookies for this site."
        )
    if reason == "Invalid Nonce":
        return "This launch was already used: each launch works once. Open the link from the LMS again."
    if reason in (
        "Registration not found.",
        "Client id not registered for this issuer",
        "Could not find registration details",
    ):
        said = _unverified_claims(
            request.form.get("id_token", "")
        )  # at the launch, only the token names them
        aud = said.get("aud")
        return UNREGISTERED.format(
            iss=request.values.get("iss") or said.get("iss", "?"),
            client=request.values.get("client_id") or (aud[0] if isinstance(aud, list) else aud),
        )
    if reason.startswith("Can't decode id_token") or reason == "Unable to find public key":
        return (
            "The launch's signature does not match the keys the LMS publishes (its key set URL), so it may "
            f"not come from the LMS. Nothing was signed in. Details: {reason}"
        )
    if reason == "Unable to find deployment":
        return (
            "The LMS launched with a deployment id that is not registered. An academy administrator adds it "
            "with `flask lti add-platform ... --deployment-id ID`."
        )
    return f"The launch from the LMS could not be verified: {reason}"


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])
def login():
    """OIDC third-party login initiation: check the issuer, set the state cookie, store the nonce, and
    send the browser to the platform's authorization endpoint."""
    from pylti1p3.contrib.flask import FlaskOIDCLogin
    from pylti1p3.exception import OIDCException

    from app.services.lti_tool import DatabaseLaunchStorage, find_platform, launch_services, lti_request

    lti_request_ = lti_request()
    services = launch_services(lti_request_)
    issuer, client_id = request.values.get("iss"), request.values.get("client_id")
    if not issuer:
        raise LtiError(
            "This address is where an LMS starts a launch (OIDC login initiation); it needs the "
            "LMS's issuer (iss) and login_hint. Open the academy from the LMS course instead.",
            400,
        )
    if find_platform(issuer, client_id) is None:
        raise LtiError(UNREGISTERED.format(iss=issuer, client=client_id or "(not given)"), 400)
    DatabaseLaunchStorage.purge_expired(clock.now())
    oidc = FlaskOIDCLogin(
        lti_request_,
        _tool_conf(),
        session_service=services["session_service"],
        launch_data_storage=services["launch_data_storage"],
    )
    try:
        response = oidc.redirect(url_for("lti.launch", _external=True))
    except OIDCException as error:
        raise LtiError(_explain(error), 400) from None
    db.session.commit()
    return response


@bp.post("/launch")
@csrf.exempt
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])
def launch():
    """The platform's auto-submitted id_token: verified by pylti1p3, then the person is signed in and sent
    to the linked resource (or, for deep linking, to the picker)."""
    from pylti1p3.contrib.flask import FlaskMessageLaunch
    from pylti1p3.exception import LtiException

    from app.services.lti_tool import http_session, launch_services, lti_request

    lti_request_ = lti_request()
    services = launch_services(lti_request_)
    with http_session(current_app.config["LTI_HTTP_TIMEOUT"]) as http:
        message = FlaskMessageLaunch(lti_request_, _tool_conf(), requests_session=http, **services)
        try:
            claims = message.get_launch_data()
        except LtiException as error:
            log.info("lti launch refused: %s", error)
            raise LtiError(_explain(error), 400) from None
    db.session.commit()  # the nonce is used up and the launch stored, whatever happens next
    if message.is_deep_link_launch():
        user = lti.accept_deep_linking_launch(claims, clock.now())
        db.session.commit()
        login_user(user)
        session[DEEP_LINKS_KEY] = [*session.get(DEEP_LINKS_KEY, [])[-4:], message.get_launch_id()]
        return redirect(url_for("lti.deep_link", launch_id=message.get_launch_id()))
    if not message.is_resource_launch():
        raise LtiError(
            "The academy handles resource links and deep linking only; this LMS message type is "
            "not supported.",
            400,
        )
    landing = lti.accept_resource_launch(claims, clock.now())
    db.session.commit()
    login_user(landing.user)
    if landing.graded:
        session[GRADING_KEY] = True
    log.info("lti launch: %s lands on %s", landing.user.email, landing.endpoint)
    return redirect(url_for(landing.endpoint, **landing.arguments))


@bp.get("/jwks")
def jwks():
    """The tool's public key set: platforms verify the tool's deep-linking answers and token requests."""
    from app.services.lti_tool import tool_key

    return jsonify({"keys": [tool_key().public_jwk]})


def _own_deep_link(launch_id: str) -> FlaskMessageLaunch:
    """A deep-linking launch this browser received (else 404), restored from launch storage."""
    if launch_id not in session.get(DEEP_LINKS_KEY, []):
        raise LtiError("There is no course link waiting to be chosen here. Start again from the LMS.", 404)
    from pylti1p3.contrib.flask import FlaskMessageLaunch
    from pylti1p3.exception import LtiException

    from app.services.lti_tool import launch_services, lti_request

    lti_request_ = lti_request()
    services = launch_services(lti_request_)
    try:
        return FlaskMessageLaunch.from_cache(launch_id, lti_request_, _tool_conf(), **services)
    except LtiException:
        raise LtiError("That deep-linking request has expired. Start again from the LMS.", 404) from None


def _picker_form() -> PickResourceForm:
    form = PickResourceForm()
    topics = practice.topic_groups(current_app.config["CONTENT_DIR"])
    scenario_rows = [(v.scenario.slug, v.title) for v in scenarios.current_versions(include_retired=False)]
    form.resource.choices = {
        "Study set: a domain": [
            (f"study:domain:{code}", f"{code} {name}") for code, name in DOMAIN_NAMES.items()
        ],
        "Study set: a topic": [
            (f"study:topic:{t}", t.replace("-", " ")) for ts in topics.values() for t in ts
        ],
        "Exam": [("exam", "Exam simulation")],
        "Scenario": [(f"scenario:{slug}", title) for slug, title in scenario_rows],
    }
    return form


def _label(form: PickResourceForm) -> str:
    for group in form.resource.choices.values():  # type: ignore[union-attr]
        for value, label in group:
            if value == form.resource.data:
                return label
    return form.resource.data


@bp.route("/deep-link/<launch_id>", methods=["GET", "POST"])
@require(Action.REVIEW_COHORTS)
def deep_link(launch_id: str):
    """The instructor's picker; its answer is a signed LtiDeepLinkingResponse posted back to the LMS."""
    from pylti1p3.lineitem import LineItem

    from app.services.lti_tool import NewWindowLink

    message = _own_deep_link(launch_id)
    form = _picker_form()
    claims = message.get_launch_data()
    if not form.validate_on_submit():
        course = (claims.get(lti.CLAIM + "context") or {}).get("title")
        return render_template(
            "lti/picker.html", form=form, launch_id=launch_id, course=course, study_size=lti.STUDY_SET_SIZE
        )
    title = form.title.data or _label(form)
    resource = (
        NewWindowLink()
        .set_url(url_for("lti.launch", _external=True))
        .set_title(title)
        .set_custom_params({lti.RESOURCE_PARAM: form.resource.data})
        .set_lineitem(
            LineItem()
            .set_score_maximum(lti_scores.SCORE_MAXIMUM)
            .set_label(title)
            .set_resource_id(form.resource.data)
        )
    )
    deep_link_ = message.get_deep_link()
    return_url = claims[lti.DEEP_LINKING_SETTINGS]["deep_link_return_url"]
    session[DEEP_LINKS_KEY] = [k for k in session.get(DEEP_LINKS_KEY, []) if k != launch_id]
    response = Response(
        render_template(
            "lti/return.html", jwt=deep_link_.get_response_jwt([resource]), return_url=return_url, title=title
        )
    )
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(return_url))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return response


@bp.after_app_request
def send_scores(response: Response) -> Response:
    """After a learner launched from an LMS changes something, score what they completed and hand its
    delivery to a background job (inline without Redis). A platform that is down never breaks the page: the
    score stays pending, and the scheduler's `lti-scores` job (or `flask lti resend-scores`) sends it later."""
    # the method first: reading the session marks the response `Vary: Cookie`, which GETs need not carry
    if not (
        request.method == "POST"
        and response.status_code < 400
        and session.get(GRADING_KEY)
        and current_user.is_authenticated
    ):
        return response
    try:
        if lti_scores.note_completions(current_user.id):
            db.session.commit()
            jobs.enqueue("app.tasks.send_lti_scores", current_user.id)  # never in the page's time
            jobs.dispatch_pending()  # the request's own after-request hooks have already run
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("lti scores not recorded")
    return response
