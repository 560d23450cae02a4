"""The xAPI outbox: statements written in the same transaction as the event they describe, sent later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class XapiOutbox(db.Model):
    """One xAPI statement waiting for (or past) delivery to the learning record store."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_pending", "delivered_at", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(
        String(36), unique=True, comment="uuid5 of the event: the same event always gives the same id"
    )
    statement: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="the statement exactly as sent to the LRS"
    )
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, comment="deliveries tried and failed so far")
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime(), comment="not sent before this moment")
    delivered_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when the LRS accepted it (or said it already had it)"
    )
    last_error: Mapped[str | None] = mapped_column(Text, comment="why the last delivery failed")
