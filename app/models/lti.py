"""LTI 1.3: the LMS platforms registered with the tool, who and which course came from them, and the
scores owed back to them through Assignment and Grade Services (AGS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class LtiPlatform(db.Model):
    """One registration of the tool in an LMS: the issuer and the client id it gave us."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), comment="what people call the LMS, for lists and pages")
    issuer: Mapped[str] = mapped_column(
        String(255), comment="the platform's iss, exactly as in its id_tokens"
    )
    client_id: Mapped[str] = mapped_column(String(255), comment="the client id the platform gave the tool")
    auth_login_url: Mapped[str] = mapped_column(String(500), comment="platform OIDC authorization endpoint")
    auth_token_url: Mapped[str] = mapped_column(String(500), comment="platform OAuth2 token endpoint (AGS)")
    key_set_url: Mapped[str] = mapped_column(
        String(500), comment="platform JWKS: keys its id_tokens are signed with"
    )
    auth_audience: Mapped[str | None] = mapped_column(
        String(500), comment="aud for the token request when the platform wants one other than the token URL"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", lazy="selectin", order_by="LtiDeployment.id"
    )

    @property
    def deployment_ids(self) -> list[str]:
        return [row.deployment_id for row in self.deployments]


class LtiDeployment(db.Model):
    """A deployment id the platform may launch with; launches naming any other are refused."""

    __tablename__ = "lti_deployments"
    __table_args__ = (
        UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployments_platform_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiIdentity(db.Model):
    """An LMS person (issuer + sub) linked to the account that launches sign them in to."""

    __tablename__ = "lti_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_lti_identities_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255), comment="the id_token's sub: stable per issuer")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LtiContext(db.Model):
    """An LMS course (issuer + context id) and the cohort its learners and instructors are put in."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("issuer", "context_id", name="uq_lti_contexts_issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LtiGradeLink(db.Model):
    """What a launch told us about where its score goes: one per person and LMS line item. The record
    (study session, exam, attempt) is the one the latest launch started; an exam is bound when submitted."""

    __tablename__ = "lti_grade_links"
    __table_args__ = (
        UniqueConstraint("user_id", "platform_id", "resource_link_id", name="uq_lti_grade_links_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255), comment="the LMS user id the score is for (sub)")
    resource_link_id: Mapped[str] = mapped_column(String(255), comment="the LMS placement launched")
    resource: Mapped[str] = mapped_column(String(200), comment="what it links to, e.g. scenario:credit-hold")
    ags: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="the launch's AGS endpoint claim: scope, lineitem(s)"
    )
    record_id: Mapped[int | None] = mapped_column(
        Integer, comment="study session, exam or scenario attempt id the score comes from; None until known"
    )
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()


class LtiScore(db.Model):
    """A score owed to the LMS: pending until the platform accepted it, retried by `flask lti resend-scores`."""

    __tablename__ = "lti_scores"
    __table_args__ = (UniqueConstraint("link_id", "record_id", name="uq_lti_scores_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_grade_links.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(Integer, comment="the completed record the score comes from")
    score_given: Mapped[float] = mapped_column(Float, comment="0..score_maximum")
    score_maximum: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8), default="pending", comment="pending or sent")
    attempts: Mapped[int] = mapped_column(Integer, default=0, comment="deliveries tried so far")
    last_error: Mapped[str | None] = mapped_column(Text, comment="why the last delivery failed")
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), comment="when the learner completed it")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    link: Mapped[LtiGradeLink] = relationship()


class LtiLaunchValue(db.Model):
    """pylti1p3's launch storage (nonces, state checks, launch data) in the database, so a launch works
    whichever worker serves it and without the session cookie, which a cross-site POST does not carry."""

    __tablename__ = "lti_launch_values"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
