"""Signing in and out, and changing one's own password."""

from app.auth.routes import bp

__all__ = ["bp"]
