"""A real LTI 1.3 platform (an LMS stand-in) built on the lti1p3platform package, served over HTTP on
127.0.0.1 in a thread: OIDC login initiation, the authorization endpoint answering with a signed
id_token, deep linking (accepting the tool's signed response), its JWKS, an OAuth2 token endpoint and
an AGS score endpoint that checks the bearer token. The tests drive it like a browser would.
"""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LtiException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from werkzeug.serving import make_server

CLIENT_ID = "academy-client"
DEPLOYMENT_ID = "deployment-1"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def new_private_pem() -> str:
    return JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()


def public_pem(private_pem: str) -> str:
    return JWK.from_pem(private_pem.encode()).export_to_pem().decode()


@dataclass
class Link:
    """A resource link placed in the course, with its custom parameters and line item (if graded)."""

    id: str
    title: str
    custom: dict[str, str]
    lineitem: int | None = None
    lineitems_only: bool = False  # graded, but the tool must find or create its line item


@dataclass
class State:
    """What the platform holds; reset between tests."""

    tool: dict[str, Any] = field(default_factory=dict)  # launch/login/deep-link URLs and the tool's JWKS
    links: dict[str, Link] = field(default_factory=dict)
    lineitems: dict[int, dict[str, Any]] = field(default_factory=dict)
    scores: list[dict[str, Any]] = field(default_factory=list)
    deep_link_items: list[dict[str, Any]] = field(default_factory=list)
    down: bool = False  # AGS answers 503
    forge_with: str | None = None  # sign id_tokens with this key, still naming the published key's kid


class ForgeableRegistration(Registration):
    def __init__(self, state: State):
        super().__init__()
        self.state = state

    def platform_encode_and_sign(self, payload, expiration=None):
        if self.state.forge_with is None:
            return super().platform_encode_and_sign(payload, expiration)
        return Registration.encode_and_sign(
            payload, self.state.forge_with, {"kid": self.get_kid()}, expiration
        )


class Platform(LTI1P3PlatformConfAbstract):
    def __init__(self, issuer: str, private_pem: str, state: State):
        self.issuer, self.private_pem, self.state = issuer, private_pem, state
        super().__init__()

    def init_platform_config(self, **kwargs: Any) -> None:
        tool = self.state.tool
        self._registration = (
            ForgeableRegistration(self.state)
            .set_iss(self.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(tool.get("oidc_login_initiation_url", ""))
            .set_launch_url(tool.get("target_link_uri", ""))
            .set_deeplink_launch_url(tool.get("deep_linking_url", ""))
            .set_platform_public_key(public_pem(self.private_pem))
            .set_platform_private_key(self.private_pem)
        )
        if tool.get("jwks"):
            self._registration.set_tool_key_set(tool["jwks"])

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class FlaskPlatformRequest(Request):
    def build_metadata(self, flask_request: Any) -> TRequest:
        return {
            "method": flask_request.method,
            "form_data": flask_request.form.to_dict(),
            "get_data": flask_request.args.to_dict(),
            "headers": flask_request.headers,
            "content_type": flask_request.content_type,
            "path": flask_request.path,
            "json": None,
        }


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def get_redirect(self, url: str) -> Any:
        return redirect(url)


class Launch(LTIAdvantageMessageLaunchAbstract):
    """Builds the id_token from the login hint (the person signed in to the platform) and the link."""

    base_url = ""
    state: State

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        hint = json.loads(preflight_response["lti_message_hint"])
        if preflight_response.get("login_hint") != hint["user"]:
            raise LtiException("login_hint is not the person who started the launch")
        if preflight_response["redirect_uri"] != self.state.tool["target_link_uri"]:
            raise LtiException("redirect_uri is not a registered launch URL")
        self.set_user_data(
            hint["user"], hint["roles"], full_name=hint.get("name"), email_address=hint.get("email")
        )
        self.set_launch_context_claim(
            "course-1",
            ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            "Order management 101",
            "OM101",
        )
        if hint.get("deep"):
            self.set_dl(
                f"{self.base_url}/deep-link-return", title="Add a resource", accept_types={"ltiResourceLink"}
            )
            return
        link = self.state.links[hint["link"]]
        self.set_resource_link_claim(link.id, title=link.title)
        self.set_custom_parameters_claim(link.custom)
        if link.lineitem is not None:
            self.set_ags(f"{self.base_url}/lineitems", f"{self.base_url}/lineitems/{link.lineitem}")
        elif link.lineitems_only:
            self.set_ags(f"{self.base_url}/lineitems")

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Any:
        return (
            f'<form method="post" action="{html.escape(launch_data["launch_url"])}">'
            f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
            f'<input type="hidden" name="state" value="{html.escape(launch_data["state"])}">'
            "<button>Continue</button></form>"
        )


def platform_app(issuer: str, private_pem: str, state: State) -> Flask:
    app = Flask("lti_test_platform")

    def platform() -> Platform:
        return Platform(issuer, private_pem, state)

    @app.get("/jwks")
    def jwks():
        return jsonify(platform().get_jwks())

    @app.get("/start")
    def start():
        """A signed-in platform user opens a link (or, with deep=1, adds content)."""
        args = request.args
        login = Login(FlaskPlatformRequest(request), platform())
        login.set_lti_message_hint(
            user=args["user"],
            roles=args.getlist("role"),
            link=args.get("link"),
            deep=bool(args.get("deep")),
            name=args.get("name"),
            email=args.get("email"),
        )
        if args.get("deep"):
            login.set_deeplinking_launch_url()
        return login.initiate_login(args["user"])

    @app.get("/auth")
    def auth():
        launch = Launch(FlaskPlatformRequest(request), platform())
        launch.base_url, launch.state = issuer, state
        try:
            return launch.lti_launch()
        except LtiException as error:
            abort(400, str(error))

    @app.post("/token")
    def token():
        try:
            return jsonify(platform().get_access_token(request.form.to_dict()))
        except Exception as error:  # noqa: BLE001 - any invalid request is the client's fault here
            return jsonify({"error": "invalid_client", "error_description": str(error)}), 400

    def bearer_allows(scope: str) -> bool:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            return platform().validate_token(bearer, allowed_scopes=[scope])
        except Exception:  # noqa: BLE001 - a bad token of any kind is refused
            return False

    @app.route("/lineitems", methods=["GET", "POST"])
    def lineitems():
        """The line items container: list them, or create one (the tool's own, for a link without one)."""
        if not bearer_allows(LINEITEM_SCOPE):
            return "forbidden", 403
        if request.method == "POST":
            number = len(state.lineitems) + 1
            state.lineitems[number] = request.get_json(force=True)
            return jsonify({"id": f"{issuer}/lineitems/{number}", **state.lineitems[number]}), 201
        return jsonify([{"id": f"{issuer}/lineitems/{n}", **item} for n, item in state.lineitems.items()])

    @app.post("/lineitems/<int:item>/scores")
    def scores(item: int):
        if state.down:
            return "maintenance", 503
        if not bearer_allows(SCORE_SCOPE) or item not in state.lineitems:
            return "forbidden", 403
        if request.content_type != "application/vnd.ims.lis.v1.score+json":
            return "wrong media type", 415
        state.scores.append({"lineitem": item, **request.get_json(force=True)})
        return "", 204

    @app.post("/deep-link-return")
    def deep_link_return():
        try:
            items = platform().validate_deeplinking_resp(request.form.to_dict())
        except Exception as error:  # noqa: BLE001 - refused, with the reason, like an LMS would
            return f"refused: {error}", 400
        for item in items:
            state.deep_link_items.append(item)
            lineitem = None
            if "lineItem" in item:
                lineitem = len(state.lineitems) + 1
                state.lineitems[lineitem] = item["lineItem"]
            link_id = f"dl-link-{len(state.links) + 1}"
            state.links[link_id] = Link(link_id, item.get("title", ""), item.get("custom", {}), lineitem)
        return f"added {len(items)} item(s)"

    return app


class RunningPlatform:
    """The platform served on 127.0.0.1 at a free port; stop() shuts it down and closes its socket."""

    def __init__(self):
        self.private_pem = new_private_pem()
        self.state = State()
        self._server = make_server("127.0.0.1", 0, platform_app("", "", self.state), threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._server.app = platform_app(self.url, self.private_pem, self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self, tool: dict[str, Any]) -> None:
        self.state.__init__(tool=tool)  # type: ignore[misc]

    def add_link(self, link_id: str, resource: str, lineitem: bool = True) -> None:
        """A link placed by hand: with its own line item, or (lineitem=False) only the line items
        container, where the tool finds or creates its own."""
        number = None
        if lineitem:
            number = len(self.state.lineitems) + 1
            self.state.lineitems[number] = {"scoreMaximum": 100, "label": resource}
        self.state.links[link_id] = Link(
            link_id, resource, {"odesk_resource": resource}, number, lineitems_only=not lineitem
        )

    def start_url(
        self, user: str, roles: list[str], link: str | None = None, deep: bool = False, **extra
    ) -> str:
        params: list[tuple[str, str]] = [("user", user), *(("role", r) for r in roles)]
        if link:
            params.append(("link", link))
        if deep:
            params.append(("deep", "1"))
        params += list(extra.items())
        return f"{self.url}/start?{urlencode(params)}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


FORM_FIELD = re.compile(r'name="(\w+)" value="([^"]*)"')
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def form_fields(page: str, marker: str = "") -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form on a page (whose tag holds `marker`)."""
    start = page.rindex("<form", 0, page.index(marker)) if marker else page.index("<form")
    page = page[start : page.index("</form>", start)]
    action = FORM_ACTION.search(page)
    assert action, page[:500]
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in FORM_FIELD.findall(page)}
