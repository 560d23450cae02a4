"""Security headers on every response, and input no route can store: ids past the database's integer
range and NUL bytes (which PostgreSQL refuses in text) are turned away before any view runs."""

from flask import Flask, Response, request
from werkzeug.routing import IntegerConverter

from app.errors import MalformedRequest

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column in PostgreSQL


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: a number past MAX_ID is no record, so the URL does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_converters(app: Flask) -> None:
    """Before any blueprint: routes take the converter in force when they are added."""
    app.url_map.converters["int"] = RecordIdConverter


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes():
        for source, values in (("address", request.args), ("form", request.form)):
            for name, value in values.items(multi=True):
                if "\x00" in value or "\x00" in name:
                    raise MalformedRequest(
                        f"The {source} field {name.replace(chr(0), '')!r} holds a NUL "
                        "character, which no field accepts. Remove it and send the form again."
                    )

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
