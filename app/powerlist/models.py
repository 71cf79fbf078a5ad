"""Power list tables: lists, versions, power items with steps and risks, cadre duties, negatives."""

from datetime import datetime
from enum import StrEnum
from itertools import chain
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, UniqueConstraint, event, inspect
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Field, SQLModel, col, select

from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum
from app.core.errors import Conflict
from app.powerlist.specs import (
    NAME_MAX,
    NUMBER_MAX,
    PERSON_MAX,
    PHONE_MAX,
    SHORT_MAX,
    TEXT_MAX,
    ListKind,
    RiskLevel,
    StepKind,
    TimeUnit,
)
from app.unit.models import UnitKind


class VersionStatus(StrEnum):
    DRAFT = "draft"  # being edited; a returned version is a draft with a review comment
    SUBMITTED = "submitted"  # waiting for the supervising team
    PUBLISHED = "published"  # the current public version
    SUPERSEDED = "superseded"  # was published, replaced by a newer one


VERSION_STATUS_LABELS: dict[VersionStatus, str] = {
    VersionStatus.DRAFT: "草稿",
    VersionStatus.SUBMITTED: "待审核",
    VersionStatus.PUBLISHED: "已发布",
    VersionStatus.SUPERSEDED: "已替代",
}

# Versions whose content may no longer change (the public history must stay what it was).
FROZEN_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)
# Versions that still count as "the" open draft of their list.
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED)


class VersionSource(StrEnum):
    EMPTY = "empty"  # started blank
    COPY = "copy"  # copied from an earlier version of the same list
    STANDARD = "standard"  # adopted from, or published by, a county standard list
    IMPORT = "import"  # created from an uploaded spreadsheet


VERSION_SOURCE_LABELS: dict[VersionSource, str] = {
    VersionSource.EMPTY: "新建空白",
    VersionSource.COPY: "复制已发布版本",
    VersionSource.STANDARD: "采用标准清单",
    VersionSource.IMPORT: "Excel 导入",
}

KEY_MAX = 16


def _created_at() -> Any:
    return Field(default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False))


def _optional_time() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime()))


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _version_fk() -> Any:
    # Children die with their version, so discarding a draft is one DELETE.
    return Field(foreign_key="list_version.id", ondelete="CASCADE")


class PowerList(SQLModel, table=True):
    """One list of one kind for a unit, or a county standard (template) list for a unit kind."""

    __tablename__ = "power_list"
    __table_args__ = (
        # Unit lists are unique per kind; standard lists (unit_id NULL) are not constrained,
        # as NULLs are distinct in a unique constraint on SQLite and PostgreSQL alike.
        UniqueConstraint("unit_id", "kind"),
        Index("ix_power_list_standard_for_kind_kind", "standard_for_kind", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    kind: ListKind = Field(sa_type=str_enum(ListKind))
    # Set only on standard lists: the kind of unit the template is meant for (e.g. village).
    standard_for_kind: UnitKind | None = Field(default=None, sa_type=str_enum(UnitKind))
    title: str = Field(default="", max_length=SHORT_MAX)
    # The published version; use_alter because list_version points back at this table.
    current_version_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("list_version.id", use_alter=True, ondelete="SET NULL")
        ),
    )
    created_at: datetime = _created_at()

    @property
    def is_standard(self) -> bool:
        return self.unit_id is None


class ListVersion(SQLModel, table=True):
    """One version of a list; content rows hang off it and freeze once it is published."""

    __tablename__ = "list_version"
    __table_args__ = (
        UniqueConstraint("list_id", "number"),
        Index("ix_list_version_list_id_status", "list_id", "status"),
        Index("ix_list_version_status_submitted_at", "status", "submitted_at"),
        # At most one open (draft or submitted) version per list, even under concurrent clicks.
        Index(
            "uq_list_version_open_list_id",
            "list_id",
            unique=True,
            sqlite_where=sql_text("status IN ('draft', 'submitted')"),
            postgresql_where=sql_text("status IN ('draft', 'submitted')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    list_id: int = Field(foreign_key="power_list.id", ondelete="CASCADE")
    number: int
    status: VersionStatus = Field(default=VersionStatus.DRAFT, sa_type=str_enum(VersionStatus))
    source: VersionSource = Field(default=VersionSource.EMPTY, sa_type=str_enum(VersionSource))
    # The version this one was copied or adopted from (same list, or a standard list's version).
    based_on_version_id: int | None = Field(
        default=None, foreign_key="list_version.id", ondelete="SET NULL"
    )
    created_at: datetime = _created_at()
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = _created_at()
    submitted_at: datetime | None = _optional_time()
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Set on approval and on return; a draft with reviewed_at set was returned for changes.
    reviewed_at: datetime | None = _optional_time()
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    review_comment: str = Field(default="", max_length=TEXT_MAX)
    published_at: datetime | None = _optional_time()
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    superseded_at: datetime | None = _optional_time()

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def was_returned(self) -> bool:
        return self.status == VersionStatus.DRAFT and self.reviewed_at is not None


class PowerItem(SQLModel, table=True):
    """A power item (权力事项) of a duty list version; `key` follows it from version to version."""

    __tablename__ = "power_item"
    __table_args__ = (
        # Leads with key so /items/{key} is one index lookup; also keeps keys unique per version.
        UniqueConstraint("key", "version_id"),
        Index("ix_power_item_version_id_position", "version_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = _version_fk()
    key: str = Field(max_length=KEY_MAX)
    position: int
    number: str = Field(max_length=NUMBER_MAX)
    name: str = Field(max_length=NAME_MAX)
    category: str = Field(default="", max_length=PERSON_MAX)
    responsible: str = Field(default="", max_length=NAME_MAX)
    time_limit: int | None = None
    time_unit: TimeUnit = Field(default=TimeUnit.WORKING, sa_type=str_enum(TimeUnit))
    materials: list[str] = _json_list()
    disclosure_content: str = Field(default="", max_length=TEXT_MAX)
    disclosure_deadline: str = Field(default="", max_length=SHORT_MAX)
    disclosure_channel: str = Field(default="", max_length=SHORT_MAX)
    accountability: str = Field(default="", max_length=TEXT_MAX)
    # Complaints about this item go to this team instead of the unit's (§4 routing).
    team_override_id: int | None = Field(default=None, foreign_key="team.id")
    legal_bases: list[dict[str, str]] = _json_list()  # [{"title": …, "article": …}]
    negative_refs: list[str] = _json_list()  # numbers of the unit's negative items


class ProcessStep(SQLModel, table=True):
    """One step of an item's procedure, in order; the flowchart is drawn from these."""

    __tablename__ = "process_step"
    __table_args__ = (Index("ix_process_step_item_id_position", "item_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="power_item.id", ondelete="CASCADE")
    # Repeated from the item so a whole version loads, and is guarded, without a join.
    version_id: int = Field(foreign_key="list_version.id", ondelete="CASCADE", index=True)
    position: int
    name: str = Field(max_length=NAME_MAX)
    actor: str = Field(default="", max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    time_limit: int | None = None
    time_unit: TimeUnit = Field(default=TimeUnit.WORKING, sa_type=str_enum(TimeUnit))
    disclosure: str = Field(default="", max_length=TEXT_MAX)
    kind: StepKind = Field(default=StepKind.TASK, sa_type=str_enum(StepKind))
    reject_to: int | None = None  # 1-based step to return to when a decision says 不通过
    reject_label: str = Field(default="不通过", max_length=20)


class RiskPoint(SQLModel, table=True):
    """A corruption risk of an item with its level and prevention measure."""

    __tablename__ = "risk_point"
    __table_args__ = (Index("ix_risk_point_item_id_position", "item_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="power_item.id", ondelete="CASCADE")
    version_id: int = Field(foreign_key="list_version.id", ondelete="CASCADE", index=True)
    position: int
    description: str = Field(max_length=TEXT_MAX)
    level: RiskLevel = Field(sa_type=str_enum(RiskLevel))
    measure: str = Field(default="", max_length=TEXT_MAX)


class CadreDuty(SQLModel, table=True):
    """A cadre's post, name and duties (干部履职干事清单), as on the village notice board."""

    __tablename__ = "cadre_duty"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        Index("ix_cadre_duty_version_id_position", "version_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = _version_fk()
    key: str = Field(max_length=KEY_MAX)
    position: int
    post: str = Field(max_length=PERSON_MAX)
    person: str = Field(max_length=PERSON_MAX)
    duties: list[str] = _json_list()
    requirements: str = Field(default="", max_length=TEXT_MAX)
    phone: str = Field(default="", max_length=PHONE_MAX)


class NegativeItem(SQLModel, table=True):
    """A prohibited act (履职负面清单), its basis and the consequence of breaking it."""

    __tablename__ = "negative_item"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        Index("ix_negative_item_version_id_position", "version_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = _version_fk()
    key: str = Field(max_length=KEY_MAX)
    position: int
    number: str = Field(max_length=NUMBER_MAX)
    act: str = Field(max_length=TEXT_MAX)
    basis: str = Field(default="", max_length=TEXT_MAX)
    consequence: str = Field(default="", max_length=TEXT_MAX)
    item_refs: list[str] = _json_list()  # numbers of related power items


CONTENT_MODELS: tuple[type[SQLModel], ...] = (
    PowerItem,
    ProcessStep,
    RiskPoint,
    CadreDuty,
    NegativeItem,
)
FROZEN_MESSAGE = "已发布的版本不可修改"
# The only changes a published version may still undergo: being superseded.
_SUPERSEDE_FIELDS = {"status", "superseded_at"}


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes_to_published_versions(
    session: OrmSession, _context: UOWTransaction, _instances: object
) -> None:
    """Safety net under the services: no flush may alter the content of a published version.

    Bulk statements (session.execute(insert(...))) bypass this on purpose; only the
    services that create brand-new versions use them.
    """
    version_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, CONTENT_MODELS):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            version_id = getattr(obj, "version_id", None)
            if version_id is not None:
                version_ids.add(version_id)
        elif isinstance(obj, ListVersion) and obj not in session.new:
            _check_version_change(session, obj)
    if not version_ids:
        return
    frozen = (
        session.connection()
        .execute(
            select(ListVersion.id).where(
                col(ListVersion.id).in_(version_ids), col(ListVersion.status).in_(FROZEN_STATUSES)
            )
        )
        .first()
    )
    if frozen is not None:
        raise Conflict(FROZEN_MESSAGE)


def _check_version_change(session: OrmSession, version: ListVersion) -> None:
    state = inspect(version)
    if version in session.deleted:
        old_status = state.attrs.status.history.deleted or [version.status]
        if old_status[0] in FROZEN_STATUSES:
            raise Conflict(FROZEN_MESSAGE)
        return
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if not changed:
        return
    history = state.attrs.status.history
    old = history.deleted[0] if history.deleted else version.status
    if old in FROZEN_STATUSES and changed - _SUPERSEDE_FIELDS:
        raise Conflict(FROZEN_MESSAGE)
