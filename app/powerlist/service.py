"""Power lists: drafts, content, review and publication, public reads (§5)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.account.models import User
from app.audit import service as audit_service
from app.core import clock
from app.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.powerlist import content as content_rows
from app.powerlist import validation
from app.powerlist.content import LoadedContent
from app.powerlist.diff import ListDiff, diff_versions
from app.powerlist.models import (
    FROZEN_MESSAGE,
    OPEN_STATUSES,
    ListVersion,
    PowerItem,
    PowerList,
    ProcessStep,
    RiskPoint,
    VersionSource,
    VersionStatus,
)
from app.powerlist.specs import (
    LIST_KIND_LABELS,
    ItemSpec,
    ListContent,
    ListKind,
)
from app.powerlist.workflow import Action, next_status
from app.unit.models import Team, Unit

# How old a published list may get before it is flagged as stale (僵尸清单). A setting
# `list_stale_after_days` in app/config.py should feed this; until then callers pass it in.
DEFAULT_STALE_DAYS = 365

OBJECT_TYPE = "power_list"


# ---------------------------------------------------------------------------------------------
# Lists and versions


def list_title(unit: Unit, kind: ListKind) -> str:
    return f"{unit.name}{LIST_KIND_LABELS[kind]}"


def get_list(session: Session, *, list_id: int) -> PowerList:
    power_list = session.get(PowerList, list_id)
    if power_list is None:
        raise NotFound("清单不存在")
    return power_list


def find_list(session: Session, *, unit: Unit, kind: ListKind) -> PowerList | None:
    return session.exec(
        select(PowerList).where(PowerList.unit_id == unit.id, PowerList.kind == kind)
    ).first()


def get_or_create_list(
    session: Session, *, unit: Unit, kind: ListKind, actor: User | None = None
) -> PowerList:
    """The unit's list of `kind`, created (without any version) on first use."""
    power_list = find_list(session, unit=unit, kind=kind)
    if power_list is not None:
        return power_list
    power_list = PowerList(unit_id=unit.id, kind=kind, title=list_title(unit, kind))
    session.add(power_list)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="powerlist.list_created",
        object_type=OBJECT_TYPE,
        object_id=power_list.id,
        data={"unit_id": unit.id, "kind": kind.value},
    )
    return power_list


def get_version(session: Session, *, version_id: int) -> ListVersion:
    version = session.get(ListVersion, version_id)
    if version is None:
        raise NotFound("清单版本不存在")
    return version


def get_version_by_number(session: Session, *, power_list: PowerList, number: int) -> ListVersion:
    version = session.exec(
        select(ListVersion).where(
            ListVersion.list_id == power_list.id, ListVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound("清单版本不存在")
    return version


def list_versions(
    session: Session, *, power_list: PowerList, published_only: bool = False
) -> list[ListVersion]:
    """Versions of a list, newest first; the public history shows published ones only."""
    statement = select(ListVersion).where(ListVersion.list_id == power_list.id)
    if published_only:
        statement = statement.where(col(ListVersion.published_at).is_not(None))
    return list(session.exec(statement.order_by(col(ListVersion.number).desc())).all())


def open_draft(session: Session, *, power_list: PowerList) -> ListVersion | None:
    """The list's draft or submitted version, if any (there is at most one)."""
    return session.exec(
        select(ListVersion).where(
            ListVersion.list_id == power_list.id, col(ListVersion.status).in_(OPEN_STATUSES)
        )
    ).first()


def current_version(session: Session, *, power_list: PowerList) -> ListVersion | None:
    if power_list.current_version_id is None:
        return None
    return session.get(ListVersion, power_list.current_version_id)


def _next_number(session: Session, power_list: PowerList) -> int:
    numbers = session.exec(
        select(ListVersion.number)
        .where(ListVersion.list_id == power_list.id)
        .order_by(col(ListVersion.number).desc())
        .limit(1)
    ).first()
    return (numbers or 0) + 1


def create_draft(
    session: Session,
    *,
    power_list: PowerList,
    actor: User,
    source: VersionSource = VersionSource.EMPTY,
    standard_list: PowerList | None = None,
) -> ListVersion:
    """Start the list's one open draft: empty (also for an upload, IMPORT), a copy of the
    published version, or a standard list's published content.

    Copies keep item keys (so history and complaints follow an item); adopting a standard
    list gives every item a new key of this unit's own.
    """
    if open_draft(session, power_list=power_list) is not None:
        raise Conflict("该清单已有未发布的草稿，请先完成或放弃该草稿")
    loaded: LoadedContent | None = None
    based_on: ListVersion | None = None
    if source == VersionSource.COPY:
        based_on = current_version(session, power_list=power_list)
        if based_on is None:
            raise Conflict("该清单还没有已发布的版本可供复制")
    elif source == VersionSource.STANDARD:
        if standard_list is None or not standard_list.is_standard:
            raise ValidationFailed({"standard_list": "请选择标准清单"})
        if standard_list.kind != power_list.kind:
            raise ValidationFailed({"standard_list": "标准清单的类型与本清单不一致"})
        based_on = current_version(session, power_list=standard_list)
        if based_on is None:
            raise Conflict("该标准清单尚未发布，不能采用")
    elif source not in (VersionSource.EMPTY, VersionSource.IMPORT):
        raise ValidationFailed({"source": "不支持的草稿来源"})
    if based_on is not None:
        loaded = load_content(session, version=based_on)
    now = clock.now()
    draft = ListVersion(
        list_id=power_list.id,  # type: ignore[arg-type]
        number=_next_number(session, power_list),
        status=VersionStatus.DRAFT,
        source=source,
        based_on_version_id=based_on.id if based_on else None,
        created_at=now,
        created_by_id=actor.id,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None
    if loaded is not None:
        copy = source == VersionSource.COPY
        content_rows.write_content(
            session,
            version_ids=[draft.id],
            content=loaded.content,
            fresh_keys=not copy,
            team_overrides=loaded.team_overrides if copy else None,
            entry_keys=content_rows.entry_key_map(loaded) if copy else None,
        )
    audit_service.record(
        session,
        actor=actor,
        action="powerlist.draft_created",
        object_type=OBJECT_TYPE,
        object_id=power_list.id,
        data={
            "version": draft.number,
            "source": source.value,
            "based_on_version_id": draft.based_on_version_id,
        },
    )
    return draft


def require_draft(version: ListVersion) -> None:
    """Refuse edits to anything but a draft, with the reason the user needs."""
    if version.status == VersionStatus.SUBMITTED:
        raise Conflict("该版本已提交审核，如需修改请先撤回")
    if version.status != VersionStatus.DRAFT:
        raise Conflict(FROZEN_MESSAGE)


def touch(version: ListVersion) -> None:
    version.updated_at = clock.now()


def discard_draft(session: Session, *, version: ListVersion, actor: User) -> None:
    """Delete a draft and its content (published history is never deleted)."""
    require_draft(version)
    list_id, number = version.list_id, version.number
    content_rows.clear_content(session, version_id=version.id)  # type: ignore[arg-type]
    session.delete(version)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="powerlist.draft_discarded",
        object_type=OBJECT_TYPE,
        object_id=list_id,
        data={"version": number},
    )


# ---------------------------------------------------------------------------------------------
# Content


def load_content(session: Session, *, version: ListVersion) -> LoadedContent:
    assert version.id is not None
    power_list = get_list(session, list_id=version.list_id)
    return content_rows.load_contents(session, kinds={version.id: power_list.kind})[version.id]


def content_of(session: Session, *, version: ListVersion) -> ListContent:
    """The version's content as a ListContent; one query per table, not per item."""
    return load_content(session, version=version).content


def save_content(
    session: Session, *, version: ListVersion, content: ListContent, actor: User
) -> None:
    """Replace a draft's content; items with a key keep it, new items get one.

    Supervising-team overrides are not part of the spec; they stay with the item's key.
    """
    require_draft(version)
    power_list = get_list(session, list_id=version.list_id)
    if content.kind != power_list.kind:
        raise ValidationFailed({"kind": "清单类型不一致"})
    previous = load_content(session, version=version)
    assert version.id is not None
    content_rows.clear_content(session, version_id=version.id)
    content_rows.write_content(
        session,
        version_ids=[version.id],
        content=content,
        fresh_keys=False,
        team_overrides=previous.team_overrides,
        entry_keys=content_rows.entry_key_map(previous),
    )
    touch(version)
    session.add(version)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="powerlist.draft_saved",
        object_type=OBJECT_TYPE,
        object_id=power_list.id,
        data={"version": version.number, **content_counts(content)},
    )


def content_counts(content: ListContent) -> dict[str, int]:
    return {
        "items": len(content.items),
        "cadre_duties": len(content.cadre_duties),
        "negative_items": len(content.negative_items),
    }


def validate_for_submit(session: Session, *, version: ListVersion) -> dict[str, str]:
    """Every problem that blocks review, keyed by field path, in zh-CN naming the item."""
    return validation.submit_errors(content_of(session, version=version))


def review_warnings(session: Session, *, version: ListVersion) -> dict[str, str]:
    """What deserves a second look without blocking review (see validation.warnings)."""
    content = content_of(session, version=version)
    known: set[str] | None = None
    power_list = get_list(session, list_id=version.list_id)
    if power_list.unit_id is not None and content.kind != ListKind.CADRE:
        other = ListKind.NEGATIVE if content.kind == ListKind.DUTY else ListKind.DUTY
        known = _numbers_in_unit_list(session, power_list.unit_id, other)
    return validation.warnings(content, known_refs=known)


def _numbers_in_unit_list(session: Session, unit_id: int, kind: ListKind) -> set[str] | None:
    """Numbers in the unit's open draft of `kind`, else its published version; None if the
    unit has neither (then there is nothing to check against)."""
    power_list = session.exec(
        select(PowerList).where(PowerList.unit_id == unit_id, PowerList.kind == kind)
    ).first()
    if power_list is None:
        return None
    version = open_draft(session, power_list=power_list) or current_version(
        session, power_list=power_list
    )
    if version is None:
        return None
    content = content_of(session, version=version)
    return {i.number for i in content.items} | {n.number for n in content.negative_items}


# ---------------------------------------------------------------------------------------------
# Review and publication


def submit(session: Session, *, version: ListVersion, actor: User) -> None:
    target = next_status(version.status, Action.SUBMIT)
    errors = validate_for_submit(session, version=version)
    if errors:
        raise ValidationFailed(errors, "清单内容还不完整，请按提示修改后再提交")
    now = clock.now()
    version.status = target
    version.submitted_at = now
    version.submitted_by_id = actor.id
    session.add(version)
    session.flush()
    _record(session, actor, "powerlist.submitted", version)


def withdraw(session: Session, *, version: ListVersion, actor: User) -> None:
    version.status = next_status(version.status, Action.WITHDRAW)
    touch(version)
    session.add(version)
    session.flush()
    _record(session, actor, "powerlist.withdrawn", version)


def return_for_changes(
    session: Session, *, version: ListVersion, actor: User, comment: str
) -> None:
    """Send a submission back to its editors with what to change (required)."""
    comment = comment.strip()
    try:
        target = next_status(version.status, Action.RETURN, comment=comment)
    except InvalidTransition as exc:
        if version.status == VersionStatus.SUBMITTED:
            raise ValidationFailed({"comment": exc.message}) from exc
        raise
    if len(comment) > 2000:
        raise ValidationFailed({"comment": "退回意见不能超过 2000 个字"})
    version.status = target
    version.reviewed_at = clock.now()
    version.reviewed_by_id = actor.id
    version.review_comment = comment
    session.add(version)
    session.flush()
    _record(session, actor, "powerlist.returned", version, {"comment": comment})


def approve(session: Session, *, version: ListVersion, actor: User) -> None:
    """Approve a submission and publish it, superseding the previous published version."""
    target = next_status(version.status, Action.APPROVE)
    version.reviewed_at = clock.now()
    version.reviewed_by_id = actor.id
    _publish(session, version, target, actor)


def publish_directly(session: Session, *, version: ListVersion, actor: User) -> None:
    """Publish a standard list's draft: the county commission itself is its reviewer."""
    power_list = get_list(session, list_id=version.list_id)
    if not power_list.is_standard:
        raise InvalidTransition("单位清单须经监督单位审核后发布")
    target = next_status(version.status, Action.PUBLISH)
    errors = validate_for_submit(session, version=version)
    if errors:
        raise ValidationFailed(errors, "清单内容还不完整，请按提示修改后再发布")
    _publish(session, version, target, actor)


def _publish(session: Session, version: ListVersion, target: VersionStatus, actor: User) -> None:
    now = clock.now()
    power_list = get_list(session, list_id=version.list_id)
    previous = current_version(session, power_list=power_list)
    if previous is not None and previous.id != version.id:
        previous.status = next_status(previous.status, Action.SUPERSEDE)
        previous.superseded_at = now
        session.add(previous)
    version.status = target
    version.published_at = now
    version.published_by_id = actor.id
    power_list.current_version_id = version.id
    session.add_all([version, power_list])
    session.flush()
    _record(
        session,
        actor,
        "powerlist.published",
        version,
        {"superseded_version": previous.number if previous is not None else None},
    )


def _record(
    session: Session,
    actor: User,
    action: str,
    version: ListVersion,
    data: dict[str, object] | None = None,
) -> None:
    audit_service.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=version.list_id,
        data={"version": version.number, "status": version.status.value, **(data or {})},
    )


# ---------------------------------------------------------------------------------------------
# Public reads


@dataclass(frozen=True)
class PublishedList:
    """A list's published version with its content, ready for a page."""

    power_list: PowerList
    version: ListVersion
    content: ListContent
    team_overrides: dict[str, int]  # item key → team id

    @property
    def last_updated(self) -> datetime:
        """最后更新: when this version was published."""
        assert self.version.published_at is not None
        return self.version.published_at

    def is_stale(self, *, now: datetime, max_age_days: int = DEFAULT_STALE_DAYS) -> bool:
        return is_stale(self.version, now=now, max_age_days=max_age_days)


def is_stale(
    version: ListVersion, *, now: datetime, max_age_days: int = DEFAULT_STALE_DAYS
) -> bool:
    """A published version older than `max_age_days` flags its list as not maintained."""
    if version.published_at is None or version.status != VersionStatus.PUBLISHED:
        return False
    return now - version.published_at > timedelta(days=max_age_days)


def stale_before(now: datetime, max_age_days: int = DEFAULT_STALE_DAYS) -> datetime:
    """Lists whose current version was published before this are stale (for queries)."""
    return now - timedelta(days=max_age_days)


def _published(session: Session, rows: list[tuple[PowerList, ListVersion]]) -> list[PublishedList]:
    loaded = content_rows.load_contents(
        session, kinds={v.id: pl.kind for pl, v in rows if v.id is not None}
    )
    return [
        PublishedList(pl, v, loaded[v.id].content, loaded[v.id].team_overrides)
        for pl, v in rows
        if v.id is not None
    ]


def current_published(session: Session, *, unit: Unit, kind: ListKind) -> PublishedList | None:
    """The unit's published list of `kind` with its content, or None if never published."""
    row = session.exec(
        select(PowerList, ListVersion)
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .where(PowerList.unit_id == unit.id, PowerList.kind == kind)
    ).first()
    if row is None:
        return None
    return _published(session, [(row[0], row[1])])[0]


def published_version(session: Session, *, power_list: PowerList, number: int) -> PublishedList:
    """A published or superseded version by number, for ?version=N and the history page."""
    version = get_version_by_number(session, power_list=power_list, number=number)
    if version.published_at is None:
        raise NotFound("清单版本不存在")
    return _published(session, [(power_list, version)])[0]


def compare_versions(
    session: Session, *, power_list: PowerList, old_number: int, new_number: int
) -> ListDiff:
    """Field-by-field differences between two versions of a list (any statuses)."""
    old = get_version_by_number(session, power_list=power_list, number=old_number)
    new = get_version_by_number(session, power_list=power_list, number=new_number)
    assert old.id is not None
    assert new.id is not None
    loaded = content_rows.load_contents(
        session, kinds={old.id: power_list.kind, new.id: power_list.kind}
    )
    return diff_versions(loaded[old.id].content, loaded[new.id].content)


def stale_lists_statement(*, now: datetime, max_age_days: int = DEFAULT_STALE_DAYS) -> Any:
    """Unit lists whose published version is older than `max_age_days`, oldest first: rows
    of (PowerList, ListVersion, Unit); narrow it with a policy clause on Unit."""
    return (
        select(PowerList, ListVersion, Unit)
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .where(col(ListVersion.published_at) < stale_before(now, max_age_days))
        .order_by(col(ListVersion.published_at), col(PowerList.id))
    )


_KIND_ORDER = list(ListKind)


def unit_lists_overview(session: Session, *, unit: Unit) -> dict[ListKind, PublishedList]:
    """Every published list of the unit with items, steps and risks in a constant number of
    queries (one for lists and versions, then one per content table), whatever the item count.
    """
    rows = session.exec(
        select(PowerList, ListVersion)
        .join(ListVersion, col(ListVersion.id) == col(PowerList.current_version_id))
        .where(PowerList.unit_id == unit.id)
    ).all()
    published = _published(session, [(pl, v) for pl, v in rows])
    ordered = sorted(published, key=lambda p: _KIND_ORDER.index(p.power_list.kind))
    return {p.power_list.kind: p for p in ordered}


@dataclass(frozen=True)
class ItemView:
    """A published item with where it belongs, for /items/{key} and complaint routing."""

    item: ItemSpec
    row: PowerItem
    power_list: PowerList
    version: ListVersion
    unit: Unit
    team_override: Team | None


def get_item_by_key(session: Session, *, key: str) -> ItemView:
    """A unit's currently published item with this key; steps and risks one query each.

    Standard lists' items are templates, not anyone's powers, so they are not found here.
    """
    row = session.exec(
        select(PowerItem, ListVersion, PowerList, Unit)
        .join(ListVersion, col(ListVersion.id) == col(PowerItem.version_id))
        .join(PowerList, col(PowerList.id) == col(ListVersion.list_id))
        .join(Unit, col(Unit.id) == col(PowerList.unit_id))
        .where(PowerItem.key == key, ListVersion.status == VersionStatus.PUBLISHED)
    ).first()
    if row is None:
        raise NotFound("事项不存在或已不在当前清单中")
    item, version, power_list, unit = row
    steps = session.exec(
        select(ProcessStep)
        .where(ProcessStep.item_id == item.id)
        .order_by(col(ProcessStep.position))
    ).all()
    risks = session.exec(
        select(RiskPoint).where(RiskPoint.item_id == item.id).order_by(col(RiskPoint.position))
    ).all()
    team = session.get(Team, item.team_override_id) if item.team_override_id else None
    return ItemView(
        item=content_rows.item_spec(item, steps, risks),
        row=item,
        power_list=power_list,
        version=version,
        unit=unit,
        team_override=team,
    )
