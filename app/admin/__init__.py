"""Admin pages: accounts, roles and cohorts."""

from app.admin.routes import bp

__all__ = ["bp"]
