"""Errors of the JSON API as application/problem+json (RFC 9457): type, title, status, detail.

`type` is "about:blank" (the status says it all, RFC 9457 section 4.2.1) and `title` the status phrase;
`detail` says what was wrong with this request and what to do. Validation errors add `errors` (field ->
messages); every problem carries the `request_id` quoted in the logs.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json

from app.audit import request_id

PROBLEM_JSON = "application/problem+json"

DETAILS = {
    400: "The request could not be read: check that the body is valid JSON and the parameters are well formed.",
    401: "Send a valid personal access token: Authorization: Bearer <token> (make one under Account > API tokens).",
    403: "This token may not do that: its scopes or its person's role do not allow it.",
    404: "There is nothing at this address, or it is not yours to see.",
    405: "That method is not available at this address; see /api/v1/openapi.json.",
    409: "This conflicts with the current state of the record.",
    413: "The request body is too large.",
    422: "Some fields are not valid; see errors.",
    429: "Too many failed attempts in a short time. Wait a minute and try again.",
    500: "Something went wrong on our side. Quote the request_id when you report it.",
}


def problem(
    status: int, detail: str | None = None, *, errors: Any = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or DETAILS.get(status, HTTPStatus(status).description),
        "request_id": request_id(),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.update(headers or {})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
