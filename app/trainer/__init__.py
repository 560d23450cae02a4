"""Trainer views: cohort dashboard, trainee drill-down, grading queue, exports."""

from app.trainer.routes import bp

__all__ = ["bp"]
