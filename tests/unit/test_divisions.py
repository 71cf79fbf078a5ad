"""Importing the unit tree from NBS division CSVs: kinds, paths, idempotency, all-or-nothing."""

from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from app.audit.models import AuditEvent
from app.core.errors import ValidationFailed
from app.demo import division_file
from app.unit import divisions
from app.unit.models import TOWNSHIP_KINDS, Unit, UnitKind
from app.unit.service import get_unit_by_code, list_children
from tests import factories

HEADER = "code,name,level,parent_code,urban_rural_code"
COUNTY = "330226000000,宁海县,county,330200000000,"
YUELONG = "330226001000,跃龙街道,town,330226000000,"
WUFENG = "330226001001,五丰社区,village,330226001000,"


def write_csv(tmp_path: Path, *lines: str, name: str = "divisions.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def import_ninghai(session: Session) -> divisions.ImportResult:
    return divisions.import_csv(session, path=division_file(), actor=None)


def unit_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Unit)).one()


def import_events(session: Session) -> list[AuditEvent]:
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == "unit.divisions_imported")).all()
    )


def test_ninghai_creates_every_unit_with_its_kind(session):
    result = import_ninghai(session)

    assert (result.created, result.updated, result.unchanged) == (412, 0, 0)
    kinds = dict(session.exec(select(Unit.kind, func.count()).group_by(col(Unit.kind))).all())
    assert kinds == {
        UnitKind.COUNTY: 1,
        UnitKind.SUBDISTRICT: 4,
        UnitKind.TOWNSHIP: 14,
        UnitKind.COMMUNITY: 58,
        UnitKind.VILLAGE: 335,
    }


def test_ninghai_has_eighteen_townships_under_the_county(session):
    import_ninghai(session)
    county = get_unit_by_code(session, code="330226000000")

    townships = list_children(session, unit=county)

    assert county.parent_id is None
    assert county.path == "/"
    assert len(townships) == 18
    assert {unit.kind for unit in townships} <= set(TOWNSHIP_KINDS)
    names = {unit.name: unit.kind for unit in townships}
    assert names["跃龙街道"] == UnitKind.SUBDISTRICT
    assert names["长街镇"] == UnitKind.TOWNSHIP
    assert names["胡陈乡"] == UnitKind.TOWNSHIP


def test_wufeng_is_a_community_under_yuelong_with_its_path_and_pinyin(session):
    import_ninghai(session)
    county = get_unit_by_code(session, code="330226000000")
    yuelong = get_unit_by_code(session, code="330226001000")

    wufeng = get_unit_by_code(session, code="330226001001")

    assert wufeng.name == "五丰社区"
    assert wufeng.kind == UnitKind.COMMUNITY
    assert wufeng.parent_id == yuelong.id
    assert wufeng.path == f"/{county.id}/{yuelong.id}/"
    assert wufeng.depth == 2
    assert (wufeng.pinyin, wufeng.pinyin_initials) == ("wufengshequ", "wfsq")
    assert wufeng.hotline == ""
    assert wufeng.team_id is None


def test_village_codes_in_the_200s_are_villages(session):
    import_ninghai(session)
    village = session.exec(
        select(Unit).where(col(Unit.code).like("3302260012%")).order_by(col(Unit.code))
    ).first()

    assert village is not None
    assert village.kind == UnitKind.VILLAGE


@pytest.mark.parametrize(
    ("level", "code", "kind"),
    [
        ("province", "330000000000", UnitKind.PROVINCE),
        ("city", "330200000000", UnitKind.CITY),
        ("county", "330226000000", UnitKind.COUNTY),
        ("town", "330226001000", UnitKind.SUBDISTRICT),
        ("town", "330226099000", UnitKind.SUBDISTRICT),
        ("town", "330226100000", UnitKind.TOWNSHIP),
        ("town", "330226200000", UnitKind.TOWNSHIP),
        ("town", "330226400000", UnitKind.TOWNSHIP),
        ("village", "330226001001", UnitKind.COMMUNITY),
        ("village", "330226001199", UnitKind.COMMUNITY),
        ("village", "330226001200", UnitKind.VILLAGE),
        ("village", "330226001399", UnitKind.VILLAGE),
        ("village", "330226001400", UnitKind.COMMUNITY),
        ("village", "330226001500", UnitKind.VILLAGE),
    ],
)
def test_kind_is_read_from_level_and_code(level, code, kind):
    assert divisions.kind_for(level, code) == kind


def test_second_import_changes_nothing(session):
    import_ninghai(session)
    before = unit_count(session)
    wufeng_updated_at = get_unit_by_code(session, code="330226001001").updated_at

    result = import_ninghai(session)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 412)
    assert unit_count(session) == before
    assert get_unit_by_code(session, code="330226001001").updated_at == wufeng_updated_at
    assert "新增 0 个单位，更新 0 个，未变 412 个" in result.summary()


def test_renamed_unit_is_updated_in_place_keeping_hotline_and_team(session, tmp_path):
    divisions.import_csv(session, path=write_csv(tmp_path, COUNTY, YUELONG, WUFENG), actor=None)
    wufeng = get_unit_by_code(session, code="330226001001")
    team = factories.make_team(session, name="跃龙街道纪工委")
    wufeng.hotline = "0574-65560000"
    wufeng.team_id = team.id
    session.add(wufeng)
    session.flush()
    renamed = write_csv(
        tmp_path, COUNTY, YUELONG, "330226001001,五丰新社区,village,330226001000,", name="v2.csv"
    )

    result = divisions.import_csv(session, path=renamed, actor=None)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    same = session.exec(select(Unit).where(Unit.code == "330226001001")).one()
    assert same.id == wufeng.id
    assert same.name == "五丰新社区"  # the object the caller held is refreshed too
    assert (same.pinyin, same.pinyin_initials) == ("wufengxinshequ", "wfxsq")
    assert same.hotline == "0574-65560000"
    assert same.team_id == team.id
    assert unit_count(session) == 3


def test_a_county_given_a_parent_moves_with_all_its_descendants(session, tmp_path):
    import_ninghai(session)
    county = get_unit_by_code(session, code="330226000000")
    office = factories.make_unit(
        session, name="宁海县民政局", kind=UnitKind.OFFICE, parent=county, code="330226-D01"
    )
    city_file = write_csv(
        tmp_path,
        "330000000000,浙江省,province,,",
        "330200000000,宁波市,city,330000000000,",
        COUNTY,
        name="ningbo.csv",
    )

    result = divisions.import_csv(session, path=city_file, actor=None)

    # The county row is updated; its 411 towns and villages and the office move with it.
    assert (result.created, result.updated, result.unchanged, result.moved) == (2, 1, 0, 412)
    province = get_unit_by_code(session, code="330000000000")
    city = get_unit_by_code(session, code="330200000000")
    county = get_unit_by_code(session, code="330226000000")
    yuelong = get_unit_by_code(session, code="330226001000")
    wufeng = get_unit_by_code(session, code="330226001001")
    assert county.parent_id == city.id
    assert county.path == f"/{province.id}/{city.id}/"
    assert wufeng.path == f"/{province.id}/{city.id}/{county.id}/{yuelong.id}/"
    assert wufeng.depth == 4
    session.refresh(office)
    assert office.path == f"/{province.id}/{city.id}/{county.id}/"
    assert office.depth == 3


def test_new_unit_may_hang_under_a_parent_already_in_the_database(session, tmp_path):
    import_ninghai(session)
    new_village = write_csv(tmp_path, "330226001250,新建村,village,330226001000,")

    result = divisions.import_csv(session, path=new_village, actor=None)

    assert result.created == 1
    yuelong = get_unit_by_code(session, code="330226001000")
    village = get_unit_by_code(session, code="330226001250")
    assert village.parent_id == yuelong.id
    assert village.path == f"{yuelong.path}{yuelong.id}/"
    assert village.kind == UnitKind.VILLAGE


def test_import_writes_one_audit_event(session):
    import_ninghai(session)

    events = import_events(session)

    assert len(events) == 1
    assert events[0].actor_label == "system"
    assert events[0].data == {
        "file": "ninghai.csv",
        "rows": 412,
        "created": 412,
        "updated": 0,
        "unchanged": 0,
        "moved": 0,
    }


def test_import_records_the_acting_user(session, tmp_path):
    admin = factories.make_user(session, username="importer")

    divisions.import_csv(session, path=write_csv(tmp_path, COUNTY), actor=admin)

    (event,) = import_events(session)
    assert event.actor_id == admin.id
    assert event.actor_label == "importer"


BAD_ROWS = [
    ("33022600100,短代码村,village,330226001000,", "代码“33022600100”应为 12 位数字"),
    ("330226099201,孤儿村,village,330226099000,", "上级代码 330226099000 在文件和系统中都不存在"),
    ("330226001001,重复社区,village,330226001000,", "与第 4 行重复"),
    ("330226002201,错前缀村,village,330226001000,", "不以上级代码 330226001000 的前缀"),
    ("330226001202,,village,330226001000,", "名称为空"),
    ("330226001203,层级村,hamlet,330226001000,", "层级“hamlet”无效"),
    ("330226001000,跃龙街道,village,330226001000,", "与层级 village 不符"),
    ("330226001204,无上级村,village,,", "缺少上级代码"),
    ("330226000204,挂县村,village,330226000000,", "上级代码 330226000000 不是 town 级代码"),
    ("330226001205," + "名" * 101 + ",village,330226001000,", "名称超过 100 个字"),
    ("330226001206,短行", "列数不足"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_bad_row_is_reported_with_its_line_and_nothing_is_imported(session, tmp_path, row, message):
    path = write_csv(tmp_path, COUNTY, YUELONG, WUFENG, row)

    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=path, actor=None)

    problems = list(raised.value.errors.values())
    assert any(p.startswith("第 5 行：") and message in p for p in problems), problems
    assert unit_count(session) == 0
    assert import_events(session) == []


def test_every_bad_row_is_reported_not_just_the_first(session, tmp_path):
    path = write_csv(
        tmp_path,
        COUNTY,
        "33022600100X,坏代码,town,330226000000,",
        YUELONG,
        "330226001001,,village,330226001000,",
        "330226001001,重复社区,village,330226001000,",
    )

    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=path, actor=None)

    lines = [p.split("：")[0] for p in raised.value.errors.values()]
    assert lines == ["第 3 行", "第 5 行", "第 6 行"]
    assert unit_count(session) == 0


def test_parent_listed_after_its_child_is_reported(session, tmp_path):
    path = write_csv(tmp_path, COUNTY, WUFENG, YUELONG)

    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=path, actor=None)

    assert list(raised.value.errors.values()) == [
        "第 3 行：上级 330226001000（第 4 行）须排在本行之前"
    ]


def test_town_without_its_county_cannot_start_a_tree(session, tmp_path):
    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=write_csv(tmp_path, YUELONG), actor=None)

    assert list(raised.value.errors.values()) == [
        "第 2 行：上级代码 330226000000 在文件和系统中都不存在"
    ]


def test_wrong_header_is_reported_on_line_one(session, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("代码,名称\n330226000000,宁海县\n", encoding="utf-8")

    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=path, actor=None)

    (problem,) = raised.value.errors.values()
    assert problem.startswith("第 1 行：表头缺少列 code、name、level、parent_code")


def test_file_that_is_not_utf8_is_refused(session, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"{HEADER}\n{COUNTY}\n".encode("gbk"))

    with pytest.raises(ValidationFailed) as raised:
        divisions.import_csv(session, path=path, actor=None)

    assert "UTF-8" in raised.value.errors["file"]


def test_byte_order_mark_and_blank_lines_are_accepted(session, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(f"\ufeff{HEADER}\r\n{COUNTY}\r\n\r\n{YUELONG}\r\n", encoding="utf-8")

    result = divisions.import_csv(session, path=path, actor=None)

    assert result.created == 2
