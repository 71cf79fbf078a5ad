"""Unit and Team tables."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from app.core import clock
from app.core.dbtypes import UTCDateTime, str_enum


class UnitKind(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"  # 镇 / 乡 and township-like units
    SUBDISTRICT = "subdistrict"  # 街道
    VILLAGE = "village"  # 村
    COMMUNITY = "community"  # 社区 / 居委会
    OFFICE = "office"  # 股室 / 部门
    INSTITUTION = "institution"  # 养老机构, 敬老院 …
    STATION = "station"  # 站所


UNIT_KIND_LABELS: dict[UnitKind, str] = {
    UnitKind.PROVINCE: "省",
    UnitKind.CITY: "市",
    UnitKind.COUNTY: "县（市、区）",
    UnitKind.TOWNSHIP: "乡镇",
    UnitKind.SUBDISTRICT: "街道",
    UnitKind.VILLAGE: "村",
    UnitKind.COMMUNITY: "社区",
    UnitKind.OFFICE: "股室",
    UnitKind.INSTITUTION: "事业单位",
    UnitKind.STATION: "站所",
}

# Kinds directly below a county that citizens browse by (镇、乡、街道).
TOWNSHIP_KINDS = (UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT)
GRASSROOTS_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


class TeamKind(StrEnum):
    COMMISSION = "commission"  # 县纪委监委 (the county's default team)
    DISPATCHED = "dispatched"  # 派驻纪检监察组
    TOWNSHIP = "township"  # 乡镇（街道）纪（工）委


TEAM_KIND_LABELS: dict[TeamKind, str] = {
    TeamKind.COMMISSION: "纪委监委",
    TeamKind.DISPATCHED: "派驻纪检监察组",
    TeamKind.TOWNSHIP: "乡镇（街道）纪委",
}


class Team(SQLModel, table=True):
    """A supervising body (监督单位); `parent` is where overdue or self-concerning tickets go."""

    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    kind: TeamKind = Field(sa_type=str_enum(TeamKind))
    parent_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    # The unit the team itself belongs to (a township's 纪委 sits in that township).
    # use_alter: team and unit reference each other, so this key is added after both exist.
    home_unit_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("unit.id", use_alter=True), index=True),
    )
    phone: str = Field(default="", max_length=40)
    is_default: bool = Field(default=False)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )


class Unit(SQLModel, table=True):
    """A unit that exercises small/micro powers; hotline and team inherit down the tree."""

    __tablename__ = "unit"
    __table_args__ = (Index("ix_unit_parent_id_name", "parent_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=100, index=True)
    kind: UnitKind = Field(sa_type=str_enum(UnitKind), index=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id")
    # Materialised ancestor path of ids, "/1/7/42/", so a subtree is one LIKE query.
    path: str = Field(default="/", max_length=400, index=True)
    depth: int = Field(default=0)
    address: str = Field(default="", max_length=200)
    hotline: str = Field(default="", max_length=40)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    is_active: bool = Field(default=True)
    # For search: full pinyin ("wufengshequ") and initials ("wfsq"), lower case, no spaces.
    pinyin: str = Field(default="", max_length=400, index=True)
    pinyin_initials: str = Field(default="", max_length=100, index=True)
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(UTCDateTime(), nullable=False)
    )
