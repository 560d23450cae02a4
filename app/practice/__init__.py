"""Trainee practice: study sessions, spaced review, and exam simulation."""

from app.practice.routes import bp

__all__ = ["bp"]
