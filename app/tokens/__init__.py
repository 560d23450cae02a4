"""Personal access tokens for the JSON API: each person's own, and every token for admins."""

from app.tokens.routes import bp

__all__ = ["bp"]
