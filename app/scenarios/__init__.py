"""Branching exception scenarios: catalogue, player, debrief."""

from app.scenarios.routes import bp

__all__ = ["bp"]
