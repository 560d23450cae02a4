"""Database models, one module per aggregate. Importing this package registers every table."""

from app.models.cohort import Cohort, cohort_trainees, cohort_trainers
from app.models.user import Role, User, UserRole

__all__ = ["Cohort", "Role", "User", "UserRole", "cohort_trainees", "cohort_trainers"]
