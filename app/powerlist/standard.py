"""County standard (template) lists: maintain, adopt into a unit draft, publish to many units."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, update
from sqlmodel import Session, col, func, select

from app.account.models import User
from app.audit import service as audit_service
from app.core import clock
from app.core.batching import chunks
from app.core.errors import Conflict, ValidationFailed
from app.powerlist import content as content_rows
from app.powerlist import service
from app.powerlist.models import (
    OPEN_STATUSES,
    ListVersion,
    PowerList,
    VersionSource,
    VersionStatus,
)
from app.powerlist.specs import LIST_KIND_LABELS, SHORT_MAX, ListKind
from app.unit.models import UNIT_KIND_LABELS, Unit, UnitKind

# IN lists stay well below SQLite's bound-parameter limit, whatever the number of units.
_CHUNK = 2000


def default_title(unit_kind: UnitKind, kind: ListKind) -> str:
    return f"{UNIT_KIND_LABELS[unit_kind]}级标准{LIST_KIND_LABELS[kind]}"


def create_standard_list(
    session: Session, *, unit_kind: UnitKind, kind: ListKind, actor: User, title: str = ""
) -> PowerList:
    """A new standard list (no unit), versioned like any other list."""
    title = title.strip() or default_title(unit_kind, kind)
    if len(title) > SHORT_MAX:
        raise ValidationFailed({"title": f"标题不能超过 {SHORT_MAX} 个字"})
    power_list = PowerList(unit_id=None, kind=kind, standard_for_kind=unit_kind, title=title)
    session.add(power_list)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="standardlist.created",
        object_type=service.OBJECT_TYPE,
        object_id=power_list.id,
        data={"unit_kind": unit_kind.value, "kind": kind.value, "title": title},
    )
    return power_list


def standard_lists(
    session: Session, *, unit_kind: UnitKind | None = None, kind: ListKind | None = None
) -> list[PowerList]:
    statement = select(PowerList).where(col(PowerList.unit_id).is_(None))
    if unit_kind is not None:
        statement = statement.where(PowerList.standard_for_kind == unit_kind)
    if kind is not None:
        statement = statement.where(PowerList.kind == kind)
    return list(session.exec(statement.order_by(col(PowerList.id))).all())


def adopt_standard(
    session: Session, *, unit: Unit, standard_list: PowerList, actor: User
) -> ListVersion:
    """Start the unit's draft from the standard list's published content, to adapt it."""
    power_list = service.get_or_create_list(
        session, unit=unit, kind=standard_list.kind, actor=actor
    )
    return service.create_draft(
        session,
        power_list=power_list,
        actor=actor,
        source=VersionSource.STANDARD,
        standard_list=standard_list,
    )


@dataclass
class BulkPublishResult:
    published: dict[int, int] = field(default_factory=dict)  # unit id → new version id
    skipped: dict[int, str] = field(default_factory=dict)  # unit id → zh-CN reason


def publish_standard_to_units(
    session: Session, *, standard_list: PowerList, units: Iterable[Unit], actor: User
) -> BulkPublishResult:
    """Publish the standard list's current content as a new version of every unit's list.

    Built for a whole county at once (393 villages × 22 items in seconds): lists, versions and
    content go in with bulk INSERTs, superseding with one UPDATE per chunk, a constant number
    of statements per chunk of units. Units with an open draft are skipped, not overwritten,
    so nobody's unfinished work is lost; the result says which and why.

    Audit: one `powerlist.published` event per unit list (each unit's trail stays complete
    and findable by object) plus one `standardlist.published_to_units` summary. record()
    costs a few statements per event; at province scale (≈25 000 units) a single summary
    event carrying the list ids would be the cheaper choice.
    """
    if not standard_list.is_standard:
        raise Conflict("只能批量发布标准清单")
    source = service.current_version(session, power_list=standard_list)
    if source is None:
        raise Conflict("该标准清单尚未发布，不能批量发布")
    loaded = service.load_content(session, version=source)
    names = {u.id: u.name for u in units if u.id is not None}
    unit_ids = list(names)
    kind = standard_list.kind
    result = BulkPublishResult()
    now = clock.now()

    for chunk in chunks(unit_ids, _CHUNK):
        lists = _ensure_lists(session, chunk, kind, names)
        list_ids = list(lists.values())
        blocked = set(
            session.exec(
                select(ListVersion.list_id).where(
                    col(ListVersion.list_id).in_(list_ids),
                    col(ListVersion.status).in_(OPEN_STATUSES),
                )
            ).all()
        )
        for unit_id, list_id in lists.items():
            if list_id in blocked:
                result.skipped[unit_id] = "该单位有未发布的草稿，未覆盖"
        targets = {u: lid for u, lid in lists.items() if lid not in blocked}
        if not targets:
            continue
        numbers = dict(
            session.exec(
                select(ListVersion.list_id, func.max(ListVersion.number))
                .where(col(ListVersion.list_id).in_(list(targets.values())))
                .group_by(col(ListVersion.list_id))
            ).all()
        )
        previous = dict(
            session.exec(
                select(PowerList.id, PowerList.current_version_id).where(
                    col(PowerList.id).in_(list(targets.values())),
                    col(PowerList.current_version_id).is_not(None),
                )
            ).all()
        )
        version_rows = [
            {
                "list_id": list_id,
                "number": (numbers.get(list_id) or 0) + 1,
                "status": VersionStatus.PUBLISHED,
                "source": VersionSource.STANDARD,
                "based_on_version_id": source.id,
                "created_at": now,
                "created_by_id": actor.id,
                "updated_at": now,
                "reviewed_at": now,
                "reviewed_by_id": actor.id,
                "review_comment": "",
                "published_at": now,
                "published_by_id": actor.id,
            }
            for list_id in targets.values()
        ]
        inserted = session.execute(
            insert(ListVersion).returning(
                col(ListVersion.id), col(ListVersion.list_id), col(ListVersion.number)
            ),
            version_rows,
        ).all()
        new_versions = {row[1]: (row[0], row[2]) for row in inserted}  # list → (id, number)
        if previous:
            session.execute(
                update(ListVersion)
                .where(col(ListVersion.id).in_(list(previous.values())))
                .values(status=VersionStatus.SUPERSEDED, superseded_at=now)
            )
        session.execute(
            update(PowerList),
            [{"id": lid, "current_version_id": new_versions[lid][0]} for lid in targets.values()],
        )
        content_rows.write_content(
            session,
            version_ids=[vid for vid, _ in new_versions.values()],
            content=loaded.content,
            fresh_keys=True,
        )
        for unit_id, list_id in targets.items():
            version_id, number = new_versions[list_id]
            result.published[unit_id] = version_id
            audit_service.record(
                session,
                actor=actor,
                action="powerlist.published",
                object_type=service.OBJECT_TYPE,
                object_id=list_id,
                data={
                    "version": number,
                    "status": VersionStatus.PUBLISHED.value,
                    "unit_id": unit_id,
                    "source": VersionSource.STANDARD.value,
                    "standard_list_id": standard_list.id,
                    "standard_version": source.number,
                },
            )
    _expire_lists_and_versions(session)
    audit_service.record(
        session,
        actor=actor,
        action="standardlist.published_to_units",
        object_type=service.OBJECT_TYPE,
        object_id=standard_list.id,
        data={
            "standard_version": source.number,
            "published": len(result.published),
            "skipped": len(result.skipped),
            **service.content_counts(loaded.content),
        },
    )
    return result


def _ensure_lists(
    session: Session, unit_ids: Sequence[int], kind: ListKind, names: dict[int, str]
) -> dict[int, int]:
    """unit id → list id of `kind`, bulk-creating the lists that do not exist yet."""
    existing: dict[int | None, int | None] = dict(
        session.exec(
            select(PowerList.unit_id, PowerList.id).where(
                col(PowerList.unit_id).in_(unit_ids), PowerList.kind == kind
            )
        ).all()
    )
    missing = [u for u in unit_ids if u not in existing]
    if missing:
        now = clock.now()
        created = session.execute(
            insert(PowerList).returning(col(PowerList.unit_id), col(PowerList.id)),
            [
                {
                    "unit_id": unit_id,
                    "kind": kind,
                    "standard_for_kind": None,
                    "title": f"{names[unit_id]}{LIST_KIND_LABELS[kind]}",
                    "current_version_id": None,
                    "created_at": now,
                }
                for unit_id in missing
            ],
        ).all()
        existing.update({row[0]: row[1] for row in created})
    return {u: list_id for u in unit_ids if (list_id := existing.get(u)) is not None}


def _expire_lists_and_versions(session: Session) -> None:
    # Bulk UPDATEs bypass the identity map; loaded lists and versions must be re-read.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, PowerList | ListVersion):
            session.expire(obj)
