"""`xiaowei import-lists` and `xiaowei export-list` against their own migrated database."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.account.models import User
from app.audit.models import AuditEvent
from app.cli import cli
from app.config import get_settings
from app.db import get_engine
from app.powerlist import service
from app.powerlist.excel import export_workbook
from app.powerlist.models import ListVersion, PowerList, VersionSource, VersionStatus
from app.powerlist.specs import ListContent, ListKind
from app.unit.models import Unit
from tests import factories
from tests.conftest import drop_database, migrate, new_database_url
from tests.powerlist.factories import cadre_content, duty_content, make_published

runner = CliRunner()


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A new migrated database with the test world committed; the CLI commits for real."""
    url = new_database_url()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        factories.make_world(session)
        session.commit()
    try:
        yield engine
    finally:
        engine.dispose()
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
        drop_database(url)


def xiaowei(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


def village(session: Session) -> Unit:
    return session.exec(select(Unit).where(Unit.name == "甲村")).one()


def person(session: Session, username: str) -> User:
    return session.exec(select(User).where(User.username == username)).one()


def publish(session: Session, content: ListContent | None = None) -> ListVersion:
    return make_published(
        session,
        unit=village(session),
        editor=person(session, "editor1"),
        lead=person(session, "lead1"),
        content=content,
    )


def versions(session: Session) -> list[ListVersion]:
    return list(session.exec(select(ListVersion).order_by(col(ListVersion.id))).all())


def event_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def write(tmp_path: Path, content: ListContent, name: str = "list.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(export_workbook(content, unit_name="甲村", version_label="第 1 版"))
    return path


def test_export_then_import_of_the_unchanged_file_is_an_identical_draft(cli_db, tmp_path):
    with Session(cli_db, expire_on_commit=False) as session:
        published = publish(session)
        session.commit()
        code = village(session).code
    target = tmp_path / "exported.xlsx"

    exported = xiaowei("export-list", "--unit", code, "--kind", "duty", "-o", str(target))
    imported = xiaowei(
        "import-lists", str(target), "--unit", code, "--kind", "duty", "--as", "admin1"
    )

    assert exported[0] == 0, exported[1]
    assert "已导出 甲村职责清单（权力事项）第 1 版（已发布）" in exported[1]
    assert load_workbook(io.BytesIO(target.read_bytes())).sheetnames[0] == "事项"
    assert imported[0] == 0, imported[1]
    assert "甲村职责清单（权力事项）第 2 版草稿已保存" in imported[1]
    assert "权力事项 3 项，办理步骤 9 个，风险点 3 个" in imported[1]
    with Session(cli_db) as session:
        draft = versions(session)[-1]
        assert draft.status == VersionStatus.DRAFT
        assert draft.source == VersionSource.IMPORT
        original = service.content_of(session, version=session.get(ListVersion, published.id))
        assert service.content_of(session, version=draft) == original
        assert all(item.key for item in original.items)


def test_import_reuses_the_open_draft_and_publishes(cli_db, tmp_path):
    with Session(cli_db, expire_on_commit=False) as session:
        editor = person(session, "editor1")
        power_list = service.get_or_create_list(
            session, unit=village(session), kind=ListKind.CADRE, actor=editor
        )
        draft = service.create_draft(session, power_list=power_list, actor=editor)
        session.commit()
        code = village(session).code
    path = write(tmp_path, cadre_content(3))

    code_, output = xiaowei(
        "import-lists", str(path), "--unit", code, "--kind", "cadre", "--publish", "--as", "admin1"
    )

    assert code_ == 0, output
    assert "甲村干部履职干事清单第 1 版已发布" in output
    assert "干部履职 3 条" in output
    with Session(cli_db) as session:
        (only,) = versions(session)
        assert only.id == draft.id
        assert only.status == VersionStatus.PUBLISHED
        published = session.exec(select(PowerList).where(PowerList.id == only.list_id)).one()
        assert published.current_version_id == only.id
        actions = session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
        assert actions[-3:] == [
            "powerlist.draft_saved",
            "powerlist.submitted",
            "powerlist.published",
        ]


def test_a_broken_file_prints_every_problem_and_changes_nothing(cli_db, tmp_path):
    with Session(cli_db) as session:
        code = village(session).code
    path = write(tmp_path, duty_content(2))
    workbook = load_workbook(path)
    workbook["事项"]["F2"] = "五天"
    workbook["事项"]["B3"] = None
    workbook["流程"]["A2"] = "7"
    workbook.save(path)
    before = event_count(cli_db)

    exit_code, output = xiaowei(
        "import-lists", str(path), "--unit", code, "--kind", "duty", "--publish", "--as", "admin1"
    )

    assert exit_code == 1
    assert output.splitlines() == [
        "事项 工作表第 2 行「办理时限」列：必须是正整数",
        "事项 工作表第 3 行「事项名称」列：请填写事项名称",
        "流程 工作表第 2 行「事项编号」列：事项编号「7」在「事项」工作表中不存在",
        "导入失败：发现 3 处问题，未导入任何内容",
        "导入失败，未作任何修改。",
    ]
    assert event_count(cli_db) == before
    with Session(cli_db) as session:
        assert versions(session) == []
        assert session.exec(select(PowerList)).all() == []


def test_an_incomplete_list_is_not_published(cli_db, tmp_path):
    with Session(cli_db) as session:
        code = village(session).code
    path = write(tmp_path, ListContent(kind=ListKind.DUTY))
    before = event_count(cli_db)

    exit_code, output = xiaowei(
        "import-lists", str(path), "--unit", code, "--kind", "duty", "--publish", "--as", "admin1"
    )

    assert exit_code == 1
    assert "清单中还没有任何权力事项" in output
    assert event_count(cli_db) == before


def test_import_needs_an_admin_and_a_known_unit_and_kind(cli_db, tmp_path):
    with Session(cli_db) as session:
        code = village(session).code
    path = write(tmp_path, duty_content(1))

    as_editor = xiaowei(
        "import-lists", str(path), "--unit", code, "--kind", "duty", "--as", "editor1"
    )
    default_admin = xiaowei("import-lists", str(path), "--unit", code, "--kind", "duty")
    unknown_unit = xiaowei(
        "import-lists", str(path), "--unit", "999", "--kind", "duty", "--as", "admin1"
    )
    bad_kind = xiaowei("import-lists", str(path), "--unit", code, "--kind", "other")

    assert as_editor == (
        1,
        "用户 editor1 不是系统管理员，请用 --as 指定管理员账号\n导入失败，未作任何修改。\n",
    )
    assert default_admin[0] == 1
    assert "用户 admin 不存在或已停用" in default_admin[1]
    assert unknown_unit[0] == 1
    assert "单位不存在" in unknown_unit[1]
    assert bad_kind[0] == 2
    with Session(cli_db) as session:
        assert versions(session) == []


def test_export_of_a_list_that_does_not_exist(cli_db, tmp_path):
    with Session(cli_db) as session:
        code = village(session).code

    exit_code, output = xiaowei(
        "export-list", "--unit", code, "--kind", "negative", "-o", str(tmp_path / "x.xlsx")
    )

    assert exit_code == 1
    assert output == "甲村还没有履职负面清单。\n"
    assert not (tmp_path / "x.xlsx").exists()


def test_export_of_a_given_version(cli_db, tmp_path):
    with Session(cli_db, expire_on_commit=False) as session:
        publish(session, duty_content(1))
        publish(session, duty_content(4))
        session.commit()
        code = village(session).code
    target = tmp_path / "v1.xlsx"

    exit_code, output = xiaowei(
        "export-list", "--unit", code, "--kind", "duty", "--version", "1", "-o", str(target)
    )
    missing = xiaowei(
        "export-list", "--unit", code, "--kind", "duty", "--version", "7", "-o", str(target)
    )

    assert exit_code == 0, output
    assert "第 1 版（已替代）" in output
    rows = list(load_workbook(target)["事项"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in rows if row[0]] == ["事项1"]
    assert missing[0] == 1
    assert "清单版本不存在" in missing[1]
