"""JSON shapes of units and teams for the API, with the examples OpenAPI shows."""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.unit.models import TeamKind, UnitKind
from app.unit.service import TeamSummary, UnitView

_UNIT_EXAMPLE: JsonDict = {
    "code": "330226001001",
    "name": "五丰社区",
    "kind": "community",
    "parent_code": "330226001000",
    "address": "宁海县跃龙街道五丰路 1 号",
    "hotline": "0574-65512345",
    "team": "跃龙街道纪工委",
    "is_active": True,
}


class UnitOut(BaseModel):
    """A unit as citizens and API clients see it; hotline and team are the effective ones."""

    model_config = ConfigDict(json_schema_extra={"examples": [_UNIT_EXAMPLE]})

    code: str = Field(description="12 位统计用区划代码，或系统内部代码（N 开头）")
    name: str
    kind: UnitKind
    parent_code: str | None = Field(description="上级单位代码；顶级单位为 null")
    address: str
    hotline: str = Field(description="监督电话；本单位未设置时继承最近的上级单位")
    team: str | None = Field(description="监督单位名称；未设置时继承上级，最终为县纪委监委")
    is_active: bool

    @classmethod
    def from_view(cls, view: UnitView) -> "UnitOut":
        return cls(
            code=view.unit.code,
            name=view.unit.name,
            kind=view.unit.kind,
            parent_code=view.parent.code if view.parent else None,
            address=view.unit.address,
            hotline=view.hotline.value,
            team=view.team.name if view.team else None,
            is_active=view.unit.is_active,
        )


class UnitPageOut(BaseModel):
    """One page of units."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_UNIT_EXAMPLE],
                    "total": 1,
                    "page": 1,
                    "per_page": 50,
                    "pages": 1,
                }
            ]
        }
    )

    items: list[UnitOut]
    total: int
    page: int
    per_page: int
    pages: int


class UnitPatch(BaseModel):
    """Fields to change; leave a field out to keep it. `team_id: null` means inherit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"hotline": "0574-65512345", "team_id": 3},
                {"team_id": None},
                {"is_active": False},
            ]
        },
    )

    name: str = Field(default="", max_length=100)
    hotline: str = Field(default="", max_length=40, description="留空则继承上级单位的监督电话")
    address: str = Field(default="", max_length=200)
    team_id: int | None = Field(default=None, description="监督单位 ID；null 表示继承上级")
    is_active: bool = True


class TeamOut(BaseModel):
    """A supervising body with how many units name it and how many active staff it has."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "跃龙街道纪工委",
                    "kind": "township",
                    "parent_id": 1,
                    "phone": "0574-65500000",
                    "home_unit_code": "330226001000",
                    "is_default": False,
                    "is_active": True,
                    "units_supervised": 1,
                    "members": 4,
                }
            ]
        }
    )

    id: int
    name: str
    kind: TeamKind
    parent_id: int | None = Field(description="上级监督单位 ID（逾期或回避时转交）")
    phone: str
    home_unit_code: str | None = Field(description="本监督单位所在单位的代码")
    is_default: bool
    is_active: bool
    units_supervised: int = Field(description="直接指定由本监督单位监督的单位数")
    members: int = Field(description="在岗工作人员数")

    @classmethod
    def from_summary(cls, summary: TeamSummary) -> "TeamOut":
        team = summary.team
        assert team.id is not None
        return cls(
            id=team.id,
            name=team.name,
            kind=team.kind,
            parent_id=team.parent_id,
            phone=team.phone,
            home_unit_code=summary.home_unit.code if summary.home_unit else None,
            is_default=team.is_default,
            is_active=team.is_active,
            units_supervised=summary.units_supervised,
            members=summary.members,
        )


class TeamCreate(BaseModel):
    """A new supervising body."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "县纪委监委派驻第一纪检监察组",
                    "kind": "dispatched",
                    "parent_id": 1,
                    "phone": "0574-65500001",
                    "home_unit_code": None,
                }
            ]
        },
    )

    name: str = Field(max_length=100)
    kind: TeamKind
    parent_id: int | None = None
    phone: str = Field(default="", max_length=40)
    home_unit_code: str | None = Field(default=None, max_length=20)
    is_active: bool = True


class TeamPatch(BaseModel):
    """Fields to change; leave a field out to keep it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"phone": "0574-65500002"}, {"parent_id": 1}, {"is_active": False}]
        },
    )

    name: str = Field(default="", max_length=100)
    kind: TeamKind = TeamKind.DISPATCHED
    parent_id: int | None = None
    phone: str = Field(default="", max_length=40)
    home_unit_code: str | None = Field(default=None, max_length=20)
    is_active: bool = True
