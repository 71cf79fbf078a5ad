"""The `xiaowei` command against its own freshly migrated database (CLI commits for real)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.account import security
from app.cli import cli
from app.config import get_settings
from app.db import get_engine
from app.demo import DEMO_ACCOUNTS, division_file
from tests.conftest import drop_database, migrate, new_database_url

runner = CliRunner()


@pytest.fixture
def cli_db(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the CLI at a new migrated database; yields an engine to inspect it."""
    # seed-demo hashes ten passwords; cheap Argon2 parameters keep these tests quick.
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    url = new_database_url()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    inspector = create_engine(url)
    try:
        yield inspector
    finally:
        inspector.dispose()
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
        drop_database(url)


def xiaowei(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


def scalar(engine: Engine, sql: str, **params: object) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def write_csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(["code,name,level,parent_code,urban_rural_code", *lines]) + "\n")
    return path


def test_migrate_is_repeatable(cli_db):
    code, output = xiaowei("migrate")

    assert code == 0
    assert "数据库已升级到最新版本" in output


def test_user_create_makes_an_account_with_its_role(cli_db):
    code, output = xiaowei(
        "user", "create", "--username", "zhang.san", "--password", "Secret123", "--role", "admin"
    )

    assert code == 0, output
    assert "已创建用户 zhang.san" in output
    assert scalar(cli_db, "SELECT role FROM membership") == "admin"
    assert scalar(cli_db, "SELECT count(*) FROM audit_event") == 2


def test_user_create_with_unit_scope(cli_db):
    xiaowei("import-divisions", str(division_file()))

    code, output = xiaowei(
        "user", "create", "--username", "wufeng", "--password", "Secret123",
        "--role", "unit_editor", "--unit", "330226001001",
    )  # fmt: skip

    assert code == 0, output
    unit_id = scalar(cli_db, "SELECT id FROM unit WHERE code = '330226001001'")
    assert scalar(cli_db, "SELECT unit_id FROM membership") == unit_id


def test_user_create_rejects_an_unknown_role(cli_db):
    code, output = xiaowei(
        "user", "create", "--username", "x", "--password", "Secret123", "--role", "boss"
    )

    assert code == 2
    assert "未知角色：boss" in output
    assert scalar(cli_db, "SELECT count(*) FROM user_account") == 0


def test_user_create_rejects_a_weak_password(cli_db):
    code, output = xiaowei(
        "user", "create", "--username", "x", "--password", "abc", "--role", "admin"
    )

    assert code == 1
    assert "密码至少 8 位" in output
    assert scalar(cli_db, "SELECT count(*) FROM user_account") == 0


def test_user_create_rejects_a_unit_that_does_not_exist(cli_db):
    code, output = xiaowei(
        "user", "create", "--username", "x", "--password", "Secret123",
        "--role", "unit_editor", "--unit", "330226999999",
    )  # fmt: skip

    assert code == 1
    assert "单位不存在" in output
    assert scalar(cli_db, "SELECT count(*) FROM user_account") == 0


def test_import_divisions_reports_counts_and_is_idempotent(cli_db):
    code, output = xiaowei("import-divisions", str(division_file()))
    assert code == 0, output
    assert "新增 412 个单位" in output

    code, output = xiaowei("import-divisions", str(division_file()))

    assert code == 0
    assert "新增 0 个单位，更新 0 个，未变 412 个" in output
    assert scalar(cli_db, "SELECT count(*) FROM unit") == 412


def test_import_divisions_with_a_bad_row_names_the_line_and_imports_nothing(cli_db, tmp_path):
    path = write_csv(
        tmp_path,
        "330226000000,宁海县,county,330200000000,",
        "330226001000,跃龙街道,town,330226000000,",
        "330226001001,,village,330226001000,",
    )

    code, output = xiaowei("import-divisions", str(path))

    assert code == 1
    assert "第 4 行：名称为空" in output
    assert "未作任何修改" in output
    assert scalar(cli_db, "SELECT count(*) FROM unit") == 0
    assert scalar(cli_db, "SELECT count(*) FROM audit_event") == 0


def test_seed_demo_prints_logins_and_skips_a_second_time(cli_db):
    code, output = xiaowei("seed-demo", "--if-empty")

    assert code == 0, output
    assert "演示数据已导入" in output
    for account in DEMO_ACCOUNTS:
        assert account.username in output
        assert account.password in output
    users = scalar(cli_db, "SELECT count(*) FROM user_account")
    units = scalar(cli_db, "SELECT count(*) FROM unit")
    assert users == len(DEMO_ACCOUNTS)

    code, output = xiaowei("seed-demo", "--if-empty")

    assert code == 0
    assert "跳过演示数据导入" in output
    assert "admin" in output
    assert "Admin@2026" in output
    assert scalar(cli_db, "SELECT count(*) FROM user_account") == users
    assert scalar(cli_db, "SELECT count(*) FROM unit") == units


def test_audit_verify_passes_on_a_clean_chain(cli_db):
    xiaowei("import-divisions", str(division_file()))
    xiaowei("import-divisions", str(division_file()))

    code, output = xiaowei("audit", "verify")

    assert code == 0, output
    assert "审计日志完整：共 2 条事件" in output


def three_events() -> None:
    for _ in range(3):
        assert xiaowei("import-divisions", str(division_file()))[0] == 0


def event_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars())


def test_audit_verify_names_the_event_whose_data_was_altered(cli_db):
    three_events()
    _, middle, _ = event_ids(cli_db)
    with cli_db.begin() as conn:
        conn.execute(
            text("UPDATE audit_event SET data = :data WHERE id = :id"),
            {"data": '{"file": "forged.csv"}', "id": middle},
        )

    code, output = xiaowei("audit", "verify")

    assert code == 1
    assert f"事件 #{middle}" in output
    assert "被改动" in output


def test_audit_verify_names_the_event_after_a_deleted_one(cli_db):
    three_events()
    _, middle, last = event_ids(cli_db)
    with cli_db.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": middle})

    code, output = xiaowei("audit", "verify")

    assert code == 1
    assert f"事件 #{last}" in output
    assert "链接断开" in output


def test_backup_writes_a_copy_of_the_database(cli_db, tmp_path):
    xiaowei("import-divisions", str(division_file()))
    target = tmp_path / "backup.db"

    code, output = xiaowei("backup", "--output", str(target))

    assert code == 0, output
    assert "数据库已备份到" in output
    assert target.stat().st_size > 0
    if get_settings().is_sqlite:
        copy = create_engine(f"sqlite:///{target}")
        assert scalar(copy, "SELECT count(*) FROM unit") == 412
        copy.dispose()


def test_backup_refuses_to_overwrite(cli_db, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")

    code, output = xiaowei("backup", "--output", str(target))

    assert code == 1
    assert "已存在" in output
    assert target.read_text() == "keep me"


def test_the_demo_is_tallied_and_stats_rebuild_recounts_after_raw_sql(cli_db):
    xiaowei("seed-demo", "--if-empty")
    settled = "status IN ('closed', 'rejected', 'merged') AND acknowledged_at IS NOT NULL"
    tallied = scalar(cli_db, "SELECT count(*) FROM ticket WHERE tallied")
    assert tallied == scalar(cli_db, f"SELECT count(*) FROM ticket WHERE {settled}")
    assert scalar(cli_db, "SELECT sum(received) FROM stats_ticket_tally") == tallied
    # A closed ticket deleted with SQL, behind the app: the tally still counts it…
    with cli_db.begin() as conn:
        conn.execute(
            text(f"DELETE FROM ticket WHERE id = (SELECT min(id) FROM ticket WHERE {settled})")
        )
    assert scalar(cli_db, "SELECT sum(received) FROM stats_ticket_tally") == tallied

    code, output = xiaowei("stats-rebuild")

    assert code == 0, output
    assert f"统计汇总已重建：计入已办结工单 {tallied - 1} 件" in output
    assert scalar(cli_db, "SELECT sum(received) FROM stats_ticket_tally") == tallied - 1

    code, output = xiaowei("tick")

    assert code == 0, output
    assert "统计汇总：新计入已办结工单 0 件" in output
