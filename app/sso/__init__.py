"""Single sign-on through the company's identity provider (OpenID Connect), beside passwords."""

from app.sso.routes import bp

__all__ = ["bp"]
