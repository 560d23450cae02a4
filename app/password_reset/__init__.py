"""\"Forgot password?\": a reset link by e-mail."""

from app.password_reset.routes import bp

__all__ = ["bp"]
