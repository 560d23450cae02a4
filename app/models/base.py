"""Column helpers shared by the models."""

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite forgets the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class VersionedIdentity:
    """A stable identity whose content lives in immutable versions (questions, scenarios): the author's
    id, when and how it was retired, and the version new attempts are served. Each model adds its id, its
    `current_version` relationship and names its versions' table in `__version_table__`."""

    __version_table__: ClassVar[str]

    slug: Mapped[str] = mapped_column(
        String(80),
        unique=True,
        comment="the author's id (a question's {#id}, a scenario's front matter id); never reused",
    )
    retired_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(),
        comment="set when it left the files or was retired by hand; retired items are never served",
    )
    retired_by_hand: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=sa_false(),
        comment="retired with the Retire button: stays retired when its unchanged text is published or synced",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def current_version_id(cls) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey(
                f"{cls.__version_table__}.id", use_alter=True, name=f"fk_{cls.__tablename__}_current_version"
            ),
            comment="the version served to new attempts",
        )

    @property
    def retired(self) -> bool:
        return self.retired_at is not None
