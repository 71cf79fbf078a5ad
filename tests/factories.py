"""Plain typed factory functions; each flushes and returns the object."""

from dataclasses import dataclass
from functools import cache
from itertools import count

from sqlmodel import Session

from app.account import security
from app.account.models import Membership, User
from app.account.permissions import Role
from app.unit.models import Team, TeamKind, Unit, UnitKind
from app.unit.service import child_path

PASSWORD = "secret-pass-123"
_seq = count(1)


@cache
def _password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return security.hash_password(PASSWORD)


def make_unit(
    session: Session,
    *,
    name: str | None = None,
    kind: UnitKind = UnitKind.VILLAGE,
    parent: Unit | None = None,
    code: str | None = None,
    hotline: str = "",
    team: Team | None = None,
    is_active: bool = True,
) -> Unit:
    n = next(_seq)
    unit = Unit(
        code=code or f"T{n:011d}",
        name=name or f"测试单位{n}",
        kind=kind,
        parent_id=parent.id if parent else None,
        path=child_path(parent),
        depth=(parent.depth + 1) if parent else 0,
        hotline=hotline,
        team_id=team.id if team else None,
        is_active=is_active,
    )
    session.add(unit)
    session.flush()
    return unit


def make_team(
    session: Session,
    *,
    name: str | None = None,
    kind: TeamKind = TeamKind.DISPATCHED,
    parent: Team | None = None,
    home_unit: Unit | None = None,
    is_default: bool = False,
) -> Team:
    team = Team(
        name=name or f"测试监督组{next(_seq)}",
        kind=kind,
        parent_id=parent.id if parent else None,
        home_unit_id=home_unit.id if home_unit else None,
        is_default=is_default,
    )
    session.add(team)
    session.flush()
    return team


def make_user(
    session: Session,
    *,
    username: str | None = None,
    role: Role | None = None,
    unit: Unit | None = None,
    team: Team | None = None,
    include_descendants: bool = False,
    is_active: bool = True,
) -> User:
    user = User(
        username=username or f"user{next(_seq)}",
        display_name=username or "测试用户",
        password_hash=_password_hash(),
        is_active=is_active,
    )
    session.add(user)
    session.flush()
    if role is not None:
        session.add(
            Membership(
                user_id=user.id,  # type: ignore[arg-type]
                role=role,
                unit_id=unit.id if unit else None,
                team_id=team.id if team else None,
                include_descendants=include_descendants,
            )
        )
        session.flush()
    return user


@dataclass
class World:
    county: Unit
    township: Unit
    village: Unit
    other_township: Unit
    other_village: Unit
    commission: Team
    township_team: Team
    other_team: Team
    admin: User
    lead: User
    member: User
    editor: User
    other_editor: User
    outsider_member: User


def make_world(session: Session) -> World:
    """County → 2 townships → 1 village each; the county default team, one team per township."""
    county = make_unit(session, name="测试县", kind=UnitKind.COUNTY, hotline="0574-11111111")
    commission = make_team(
        session, name="测试县纪委监委", kind=TeamKind.COMMISSION, home_unit=county, is_default=True
    )
    township = make_unit(session, name="甲镇", kind=UnitKind.TOWNSHIP, parent=county)
    township_team = make_team(
        session, name="甲镇纪委", kind=TeamKind.TOWNSHIP, parent=commission, home_unit=township
    )
    township.team_id = township_team.id
    village = make_unit(session, name="甲村", parent=township)
    other_township = make_unit(session, name="乙街道", kind=UnitKind.SUBDISTRICT, parent=county)
    other_team = make_team(
        session,
        name="乙街道纪工委",
        kind=TeamKind.TOWNSHIP,
        parent=commission,
        home_unit=other_township,
    )
    other_township.team_id = other_team.id
    other_village = make_unit(
        session, name="乙社区", kind=UnitKind.COMMUNITY, parent=other_township
    )
    session.flush()
    return World(
        county=county,
        township=township,
        village=village,
        other_township=other_township,
        other_village=other_village,
        commission=commission,
        township_team=township_team,
        other_team=other_team,
        admin=make_user(session, username="admin1", role=Role.ADMIN),
        lead=make_user(session, username="lead1", role=Role.TEAM_LEAD, team=township_team),
        member=make_user(session, username="member1", role=Role.TEAM_MEMBER, team=township_team),
        editor=make_user(session, username="editor1", role=Role.UNIT_EDITOR, unit=village),
        other_editor=make_user(
            session, username="editor2", role=Role.UNIT_EDITOR, unit=other_village
        ),
        outsider_member=make_user(
            session, username="member2", role=Role.TEAM_MEMBER, team=other_team
        ),
    )
