"""Liveness and database health for load balancers."""

from app.health.routes import bp

__all__ = ["bp"]
