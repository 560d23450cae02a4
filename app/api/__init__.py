"""The JSON API at /api/v1 for integrators: personal access tokens, problem+json errors, and an OpenAPI
3.1 document at /api/v1/openapi.json generated from the code by flask-smorest (marshmallow schemas)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from app.api import people, records
from app.api.blueprint import URL_PREFIX, bp
from app.api.problems import PROBLEM_JSON, problem
from app.api.schemas import ProblemSchema
from app.extensions import csrf
from app.services.tokens import SCOPES

__all__ = ["init_app", "people", "records"]

DESCRIPTION = f"""Order Desk Academy's API for integrators (HR provisioning, reporting).

Authenticate with a personal access token made under Account > API tokens:
`Authorization: Bearer oda_...`. A token acts as its person, within its scopes: it sees what they see on
the pages. Errors are `{PROBLEM_JSON}` (RFC 9457). Lists are paged with `limit` and `cursor` (pass the
previous page's `next_cursor`) or, for exports, `page` and `limit`.

Scopes: {"; ".join(f"`{name}` {meaning}" for name, meaning in SCOPES.items())}."""


class ProblemApi(Api):
    """flask-smorest's Api, attached to the existing app, with errors documented as problem+json.

    It leaves the app's error handlers alone (the pages keep their HTML error pages; the API blueprint
    answers its own errors), and lists each operation's problems explicitly instead of a "default"."""

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            if status < 400:
                continue
            response = {
                "description": f"{status.phrase} (problem+json)",
                "content": {PROBLEM_JSON: {"schema": ProblemSchema}},
            }
            if status == HTTPStatus.UNAUTHORIZED:
                response["headers"] = {
                    "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer: send a token"}
                }
            self.spec.components.response(status.name, response, lazy=True)


def init_app(app: Flask) -> None:
    app.config["OPENAPI_URL_PREFIX"] = URL_PREFIX
    app.config["OPENAPI_JSON_PATH"] = "openapi.json"
    csrf.exempt(bp)  # bearer tokens only: a session cookie never authenticates the API
    api = ProblemApi(
        spec_kwargs={
            "title": "Order Desk Academy API",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token (oda_...) from Account > API tokens",
                    }
                }
            },
            "security": [{"bearerAuth": []}],
        }
    )
    api.init_app(app)
    api.register_blueprint(bp)

    @app.before_request
    def api_routing_problem():
        """An unknown /api/v1 URL or method answers problem+json, not the HTML error page."""
        error = request.routing_exception
        in_api = request.path == URL_PREFIX or request.path.startswith(URL_PREFIX + "/")
        if in_api and isinstance(error, HTTPException) and (error.code or 0) >= 400:
            headers = dict(error.get_headers()) if error.code == 405 else {}
            return problem(error.code, headers={k: v for k, v in headers.items() if k == "Allow"})
        return None
