"""Readiness reports for trainees and their trainers, and trainers' sign-offs."""

from app.readiness.routes import bp

__all__ = ["bp"]
