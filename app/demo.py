"""The 宁海县 demo: real divisions, supervising teams, hotlines, one account of every role, and
published power lists for every township, village, community and the county's offices."""

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from app import demo_history, demo_supervision, demo_tickets
from app.account import service as account_service
from app.account.models import Membership, User
from app.account.permissions import ROLE_LABELS, Role
from app.audit import service as audit_service
from app.config import PROJECT_ROOT
from app.core import clock
from app.powerlist import search, service, standard, standard_content
from app.powerlist.models import ListVersion, PowerList, VersionSource
from app.powerlist.specs import ListContent, ListKind
from app.powerlist.standard_content import OfficeKind
from app.stats import tally
from app.unit import divisions
from app.unit.models import GRASSROOTS_KINDS, TOWNSHIP_KINDS, Team, TeamKind, Unit, UnitKind
from app.unit.pinyin import pinyin_keys
from app.unit.service import child_path

COUNTY_CODE = "330226000000"
# Prefer the shared data set; the bundled copy keeps a fresh clone without ../shared working.
DIVISION_FILES = (
    PROJECT_ROOT.parent / "shared" / "data" / "divisions" / "ninghai.csv",
    Path(__file__).resolve().parent / "demo_data" / "ninghai.csv",
)

# 12388 is the national discipline-inspection reporting number; counties answer it locally.
COUNTY_HOTLINE = "0574-12388"
COMMISSION_NAME = "宁海县纪委监委"
DISPATCHED_NAMES = tuple(
    f"县纪委监委派驻第{number}纪检监察组" for number in ("一", "二", "三", "四")
)


@dataclass(frozen=True)
class DemoUnit:
    """A department or institution below a division; `group` is the dispatched group (1–4)."""

    code: str
    name: str
    kind: UnitKind
    parent_code: str
    group: int | None


DEMO_UNITS = (
    DemoUnit("330226-D01", "宁海县民政局", UnitKind.OFFICE, COUNTY_CODE, 1),
    DemoUnit("330226-D02", "宁海县人力资源和社会保障局", UnitKind.OFFICE, COUNTY_CODE, 2),
    DemoUnit("330226-D03", "宁海县农业农村局", UnitKind.OFFICE, COUNTY_CODE, 3),
    DemoUnit("330226-D04", "宁海县卫生健康局", UnitKind.OFFICE, COUNTY_CODE, 4),
    DemoUnit("330226-I01", "宁海县社会福利中心", UnitKind.INSTITUTION, COUNTY_CODE, 1),
    DemoUnit("330226-I02", "宁海县中心敬老院", UnitKind.INSTITUTION, COUNTY_CODE, 1),
    DemoUnit("330226-S01", "宁海县社会工作服务总站", UnitKind.STATION, COUNTY_CODE, 1),
    # A township's station: no team of its own, so 跃龙街道纪工委 supervises it by inheritance.
    DemoUnit("330226001-S01", "跃龙街道社工站", UnitKind.STATION, "330226001000", None),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    display_name: str
    role: Role
    scope: str  # zh-CN, for the logins table
    team: str | None = None
    unit_code: str | None = None
    include_descendants: bool = False


YUELONG_TEAM = "跃龙街道纪工委"
XIDIAN_TEAM = "西店镇纪委"

DEMO_ACCOUNTS = (
    DemoAccount("admin", "Admin@2026", "系统管理员", Role.ADMIN, "全县"),
    DemoAccount(
        "lead.county", "Lead@2026", "县纪委监委负责人", Role.TEAM_LEAD, COMMISSION_NAME,
        team=COMMISSION_NAME,
    ),
    DemoAccount(
        "lead.paizhu1", "Lead@2026", "派驻第一组组长", Role.TEAM_LEAD, DISPATCHED_NAMES[0],
        team=DISPATCHED_NAMES[0],
    ),
    DemoAccount(
        "member.paizhu1", "Member@2026", "派驻第一组组员", Role.TEAM_MEMBER, DISPATCHED_NAMES[0],
        team=DISPATCHED_NAMES[0],
    ),
    DemoAccount(
        "lead.yuelong", "Lead@2026", "跃龙街道纪工委书记", Role.TEAM_LEAD, YUELONG_TEAM,
        team=YUELONG_TEAM,
    ),
    DemoAccount(
        "member.yuelong", "Member@2026", "跃龙街道纪工委委员", Role.TEAM_MEMBER, YUELONG_TEAM,
        team=YUELONG_TEAM,
    ),
    DemoAccount(
        "lead.xidian", "Lead@2026", "西店镇纪委书记", Role.TEAM_LEAD, XIDIAN_TEAM,
        team=XIDIAN_TEAM,
    ),
    DemoAccount(
        "editor.yuelong", "Editor@2026", "跃龙街道填报员", Role.UNIT_EDITOR,
        "跃龙街道（含下属村社）", unit_code="330226001000", include_descendants=True,
    ),
    DemoAccount(
        "editor.wufeng", "Editor@2026", "五丰社区填报员", Role.UNIT_EDITOR,
        "五丰社区（跃龙街道）", unit_code="330226001001",
    ),
    DemoAccount(
        "editor.minzheng", "Editor@2026", "县民政局填报员", Role.UNIT_EDITOR,
        "宁海县民政局", unit_code="330226-D01",
    ),
)  # fmt: skip


def division_file() -> Path:
    for candidate in DIVISION_FILES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("找不到宁海县区划文件 ninghai.csv")


def township_hotline(index: int) -> str:
    """A distinct, stable office number per township (index in code order)."""
    return f"0574-6556{1001 + index}"


def township_team_name(township: Unit) -> str:
    # 街道 have a 纪工委 (working committee); 镇 and 乡 have a 纪委.
    suffix = "纪工委" if township.kind == UnitKind.SUBDISTRICT else "纪委"
    return f"{township.name}{suffix}"


def seed(session: Session, *, only_if_empty: bool) -> bool:
    """Load the demo in the caller's transaction; returns False when skipped.

    With `only_if_empty` nothing happens once any unit exists. Otherwise every step is
    get-or-create, so running it again on a demo database adds nothing twice.
    """
    if only_if_empty and session.exec(select(Unit.id).limit(1)).first() is not None:
        return False
    divisions.import_csv(session, path=division_file(), actor=None)
    county = _unit(session, COUNTY_CODE)
    _set_unit(session, county, hotline=COUNTY_HOTLINE)

    commission = _team(
        session,
        name=COMMISSION_NAME,
        kind=TeamKind.COMMISSION,
        parent=None,
        home=county,
        phone=COUNTY_HOTLINE,
        is_default=True,
    )
    groups = [
        _team(
            session,
            name=name,
            kind=TeamKind.DISPATCHED,
            parent=commission,
            home=county,
            phone=f"0574-6556200{number}",
        )
        for number, name in enumerate(DISPATCHED_NAMES, start=1)
    ]
    townships = session.exec(
        select(Unit)
        .where(Unit.parent_id == county.id, col(Unit.kind).in_(TOWNSHIP_KINDS))
        .order_by(col(Unit.code))
    ).all()
    for index, township in enumerate(townships):
        hotline = township_hotline(index)
        team = _team(
            session,
            name=township_team_name(township),
            kind=TeamKind.TOWNSHIP,
            parent=commission,
            home=township,
            phone=hotline,
        )
        # Set on the township only: its villages and communities inherit both values.
        _set_unit(session, township, hotline=hotline, team=team)
    for spec in DEMO_UNITS:
        _demo_unit(session, spec, groups)
    for account in DEMO_ACCOUNTS:
        _account(session, account)
    seed_lists(session, county=county)
    demo_tickets.seed_tickets(session)
    demo_history.seed_demo_history(session, county=county)
    demo_supervision.seed_supervision(session)
    # As `serve` would within a tick: the demo's figures then read the tally like production's.
    tally.tally_all(session)
    return True


def _unit(session: Session, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise LookupError(f"demo unit {code} is missing")
    return unit


def _set_unit(session: Session, unit: Unit, *, hotline: str, team: Team | None = None) -> None:
    changes: dict[str, object] = {}
    if unit.hotline != hotline:
        unit.hotline = hotline
        changes["hotline"] = hotline
    if team is not None and unit.team_id != team.id:
        unit.team_id = team.id
        changes["team_id"] = team.id
    if changes:
        session.add(unit)
        session.flush()
        audit_service.record(
            session, actor=None, action="unit.updated", object_type="unit", object_id=unit.id,
            data=changes,
        )  # fmt: skip


def _team(
    session: Session,
    *,
    name: str,
    kind: TeamKind,
    parent: Team | None,
    home: Unit,
    phone: str,
    is_default: bool = False,
) -> Team:
    team = session.exec(select(Team).where(Team.name == name)).first()
    if team is not None:
        return team
    team = Team(
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        home_unit_id=home.id,
        phone=phone,
        is_default=is_default,
    )
    session.add(team)
    session.flush()
    audit_service.record(
        session,
        actor=None,
        action="team.created",
        object_type="team",
        object_id=team.id,
        data={"name": name, "kind": kind.value, "parent_id": team.parent_id},
    )
    return team


def _demo_unit(session: Session, spec: DemoUnit, groups: list[Team]) -> None:
    if session.exec(select(Unit.id).where(Unit.code == spec.code)).first() is not None:
        return
    parent = _unit(session, spec.parent_code)
    full, initials = pinyin_keys(spec.name)
    team = groups[spec.group - 1] if spec.group else None
    unit = Unit(
        code=spec.code,
        name=spec.name,
        kind=spec.kind,
        parent_id=parent.id,
        path=child_path(parent),
        depth=parent.depth + 1,
        team_id=team.id if team else None,
        pinyin=full,
        pinyin_initials=initials,
    )
    session.add(unit)
    session.flush()
    audit_service.record(
        session,
        actor=None,
        action="unit.created",
        object_type="unit",
        object_id=unit.id,
        data={
            "code": spec.code,
            "name": spec.name,
            "kind": spec.kind.value,
            "team_id": unit.team_id,
        },
    )


def _account(session: Session, account: DemoAccount) -> None:
    user = account_service.get_user_by_username(session, username=account.username)
    if user is None:
        user = account_service.create_user(
            session,
            username=account.username,
            password=account.password,
            display_name=account.display_name,
        )
    elif session.exec(select(Membership.id).where(Membership.user_id == user.id)).first():
        return
    team = session.exec(select(Team).where(Team.name == account.team)).first()
    account_service.add_membership(
        session,
        user=user,
        role=account.role,
        unit=_unit(session, account.unit_code) if account.unit_code else None,
        team=team if account.team else None,
        include_descendants=account.include_descendants,
    )


# ---------------------------------------------------------------------------------------------
# Power lists: the county's standard lists published everywhere, with some history


@dataclass(frozen=True)
class DemoStandard:
    unit_kind: UnitKind
    build: Callable[[], ListContent]
    targets: tuple[UnitKind, ...]  # communities use the village lists


DEMO_STANDARDS = (
    DemoStandard(UnitKind.VILLAGE, standard_content.county_village_duty_list, GRASSROOTS_KINDS),
    DemoStandard(UnitKind.VILLAGE, standard_content.county_village_cadre_list, GRASSROOTS_KINDS),
    DemoStandard(UnitKind.VILLAGE, standard_content.county_village_negative_list, GRASSROOTS_KINDS),
    DemoStandard(UnitKind.TOWNSHIP, standard_content.township_duty_list, TOWNSHIP_KINDS),
)


@dataclass(frozen=True)
class DemoOfficeList:
    """A county office's own duty list, submitted by `editor` and approved by `reviewer`."""

    unit_code: str
    kind: OfficeKind
    editor: str
    reviewer: str


DEMO_OFFICE_LISTS = (
    DemoOfficeList("330226-D01", OfficeKind.CIVIL_AFFAIRS, "editor.minzheng", "lead.paizhu1"),
    DemoOfficeList("330226-D03", OfficeKind.AGRICULTURE, "admin", "admin"),
    DemoOfficeList("330226-I01", OfficeKind.NURSING_HOME, "admin", "lead.paizhu1"),
    DemoOfficeList("330226-I02", OfficeKind.NURSING_HOME, "admin", "lead.paizhu1"),
)


@dataclass(frozen=True)
class DemoRevision:
    """A village that revised one item of its duty list: version 2, with a diff to show."""

    unit_code: str
    item_name: str
    changes: dict[str, object] = field(hash=False)
    editor: str
    reviewer: str
    days_ago: int


DEMO_REVISIONS = (
    DemoRevision(
        "330226001001",  # 五丰社区
        "出具证明",
        {"materials": ["申请人身份证", "与证明事项相关的材料", "代办的须提交委托书"]},
        "editor.wufeng",
        "lead.yuelong",
        days_ago=12,
    ),
    DemoRevision(
        "330226001002",  # 车河社区
        "村级印章使用管理",
        {"responsible": "社区居委会副主任（印章保管人）"},
        "editor.yuelong",
        "lead.yuelong",
        days_ago=20,
    ),
    DemoRevision(
        "330226111201",  # 崔家村委会 (西店镇)
        "村民宅基地审批",
        {"responsible": "村民委员会（初审）、西店镇人民政府（审批）"},
        "admin",
        "lead.xidian",
        days_ago=30,
    ),
)

# 小汀村委会 (前童镇) never took the county's republication: its lists are 僵尸清单.
STALE_UNIT_CODE = "330226106208"
STANDARDS_ISSUED_DAYS_AGO = 420
STALE_PUBLISHED_DAYS_AGO = 415
REPUBLISHED_DAYS_AGO = 90
OFFICE_LISTS_DAYS_AGO = 60


def seed_lists(session: Session, *, county: Unit) -> None:
    """Standard lists published to every village, community and township; the offices' own
    lists; three revised villages and one stale one; then the search index.

    Get-or-create like the rest of the demo: units that already have a published list of a
    kind are left alone, so a second run publishes nothing.
    """
    admin = _user(session, "admin")
    now = clock.now()
    units = session.exec(
        select(Unit)
        .where(col(Unit.path).startswith(f"{county.path}{county.id}/"), col(Unit.is_active))
        .order_by(col(Unit.code))
    ).all()
    stale = [unit for unit in units if unit.code == STALE_UNIT_CODE]
    with clock.frozen(now - timedelta(days=STANDARDS_ISSUED_DAYS_AGO)):
        standards = [(spec, _standard_list(session, spec, admin)) for spec in DEMO_STANDARDS]
    for days_ago, chosen in (
        (STALE_PUBLISHED_DAYS_AGO, stale),
        (REPUBLISHED_DAYS_AGO, [unit for unit in units if unit.code != STALE_UNIT_CODE]),
    ):
        with clock.frozen(now - timedelta(days=days_ago)):
            for spec, standard_list in standards:
                targets = [unit for unit in chosen if unit.kind in spec.targets]
                _publish_standard(session, standard_list, targets, admin)
    with clock.frozen(now - timedelta(days=OFFICE_LISTS_DAYS_AGO)):
        for office in DEMO_OFFICE_LISTS:
            _office_list(session, office)
    for revision in DEMO_REVISIONS:
        with clock.frozen(now - timedelta(days=revision.days_ago)):
            _revise(session, revision)
    search.sync_index(session)


def _user(session: Session, username: str) -> User:
    user = account_service.get_user_by_username(session, username=username)
    if user is None:
        raise LookupError(f"demo account {username} is missing")
    return user


def _standard_list(session: Session, spec: DemoStandard, admin: User) -> PowerList:
    content = spec.build()
    title = standard.default_title(spec.unit_kind, content.kind)
    existing = session.exec(
        select(PowerList).where(
            col(PowerList.unit_id).is_(None),
            PowerList.standard_for_kind == spec.unit_kind,
            PowerList.kind == content.kind,
            PowerList.title == title,
        )
    ).first()
    if existing is not None and existing.current_version_id is not None:
        return existing
    standard_list = existing or standard.create_standard_list(
        session, unit_kind=spec.unit_kind, kind=content.kind, actor=admin, title=title
    )
    draft = service.open_draft(session, power_list=standard_list) or service.create_draft(
        session, power_list=standard_list, actor=admin
    )
    service.save_content(session, version=draft, content=content, actor=admin)
    service.publish_directly(session, version=draft, actor=admin)
    return standard_list


def _unpublished(session: Session, units: Sequence[Unit], kind: ListKind) -> list[Unit]:
    """The units without a published list of `kind`."""
    ids = [unit.id for unit in units if unit.id is not None]
    if not ids:
        return []
    published = set(
        session.exec(
            select(PowerList.unit_id).where(
                col(PowerList.unit_id).in_(ids),
                PowerList.kind == kind,
                col(PowerList.current_version_id).is_not(None),
            )
        ).all()
    )
    return [unit for unit in units if unit.id not in published]


def _publish_standard(
    session: Session, standard_list: PowerList, units: Sequence[Unit], admin: User
) -> None:
    targets = _unpublished(session, units, standard_list.kind)
    if targets:
        standard.publish_standard_to_units(
            session, standard_list=standard_list, units=targets, actor=admin
        )


def _office_list(session: Session, office: DemoOfficeList) -> None:
    unit = _unit(session, office.unit_code)
    if not _unpublished(session, [unit], ListKind.DUTY):
        return
    editor = _user(session, office.editor)
    power_list = service.get_or_create_list(session, unit=unit, kind=ListKind.DUTY, actor=editor)
    draft = service.open_draft(session, power_list=power_list) or service.create_draft(
        session, power_list=power_list, actor=editor
    )
    content = standard_content.office_duty_list(office.kind)
    service.save_content(session, version=draft, content=content, actor=editor)
    service.submit(session, version=draft, actor=editor)
    service.approve(session, version=draft, actor=_user(session, office.reviewer))


def _revise(session: Session, revision: DemoRevision) -> None:
    """Copy the published version, change one item, submit and approve: version 2."""
    unit = _unit(session, revision.unit_code)
    power_list = service.find_list(session, unit=unit, kind=ListKind.DUTY)
    if power_list is None or power_list.current_version_id is None:
        return
    if session.exec(
        select(ListVersion.id).where(ListVersion.list_id == power_list.id, ListVersion.number > 1)
    ).first():
        return
    editor = _user(session, revision.editor)
    draft = service.create_draft(
        session, power_list=power_list, actor=editor, source=VersionSource.COPY
    )
    content = service.content_of(session, version=draft)
    content.items = [
        item.model_copy(update=revision.changes) if item.name == revision.item_name else item
        for item in content.items
    ]
    service.save_content(session, version=draft, content=content, actor=editor)
    service.submit(session, version=draft, actor=editor)
    service.approve(session, version=draft, actor=_user(session, revision.reviewer))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_text() -> str:
    """The demo accounts as a zh-CN console table (printed on every `seed-demo` run)."""
    header = ("用户名", "密码", "角色", "范围")
    rows = [header] + [
        (a.username, a.password, ROLE_LABELS[a.role], a.scope) for a in DEMO_ACCOUNTS
    ]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = ["演示账号（仅供演示，正式使用前请删除或修改密码）："]
    for row in rows:
        cells = [_pad(cell, widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  " + "  ".join([*cells, row[-1]]))
    lines.append(f"县级举报电话：{COUNTY_HOTLINE}；登录地址：/login")
    return "\n".join(lines)
