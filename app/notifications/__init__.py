"""E-mail preferences on the account page, and a Ready trainee's request for a sign-off."""

from app.notifications.routes import bp

__all__ = ["bp"]
