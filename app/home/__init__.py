"""Each role's home page."""

from app.home.routes import bp

__all__ = ["bp"]
