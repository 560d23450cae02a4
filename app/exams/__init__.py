"""Exam simulation: timed CSCP-like forms with deferred feedback."""

from app.exams.routes import bp

__all__ = ["bp"]
