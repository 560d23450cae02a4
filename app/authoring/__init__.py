"""Authoring workspace: drafts written in the browser, live preview and lint, review, publishing."""

from app.authoring.routes import bp

__all__ = ["bp"]
