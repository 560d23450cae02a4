"""Database models, one module per aggregate. Importing this package registers every table."""

from app.models.appeal import Appeal
from app.models.authoring import Draft, DraftComment, DraftKind, DraftRevision, DraftStatus
from app.models.cohort import Cohort, HandledIntervention, cohort_trainees, cohort_trainers
from app.models.content import Question, QuestionVersion
from app.models.lti import (
    LtiContext,
    LtiDeployment,
    LtiGradeLink,
    LtiIdentity,
    LtiLaunchValue,
    LtiPlatform,
    LtiScore,
)
from app.models.practice import Answer, Exam, ExamResponse, ReviewCard, StudySession
from app.models.progress import (
    CalibrationRun,
    ItemCalibration,
    PromotionCheck,
    ReadinessSnapshot,
    SignOff,
    TraineeDomainStat,
    TraineeReadiness,
)
from app.models.scenario import DecisionReviewCard, Scenario, ScenarioAttempt, ScenarioVersion, WriteUp
from app.models.sign_off_request import SignOffRequest
from app.models.token import ApiToken
from app.models.user import Role, User, UserRole
from app.models.xapi import XapiOutbox

__all__ = [
    "Answer",
    "ApiToken",
    "Appeal",
    "CalibrationRun",
    "Cohort",
    "DecisionReviewCard",
    "Draft",
    "DraftComment",
    "DraftKind",
    "DraftRevision",
    "DraftStatus",
    "Exam",
    "ItemCalibration",
    "LtiContext",
    "LtiDeployment",
    "LtiGradeLink",
    "LtiIdentity",
    "LtiLaunchValue",
    "LtiPlatform",
    "LtiScore",
    "PromotionCheck",
    "ReadinessSnapshot",
    "SignOff",
    "SignOffRequest",
    "TraineeDomainStat",
    "TraineeReadiness",
    "ExamResponse",
    "Question",
    "QuestionVersion",
    "ReviewCard",
    "Role",
    "Scenario",
    "ScenarioAttempt",
    "ScenarioVersion",
    "StudySession",
    "User",
    "UserRole",
    "WriteUp",
    "HandledIntervention",
    "XapiOutbox",
    "cohort_trainees",
    "cohort_trainers",
]
