"""LTI 1.3 tool: LMS launches (OIDC login, launch, JWKS), deep linking, and scores back through AGS."""

from app.lti.routes import bp

__all__ = ["bp"]
