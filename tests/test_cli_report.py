"""`xiaowei report`: the period report written to a file, its headline printed; bad input → 2."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from sqlmodel import Session
from typer.testing import CliRunner

from app import demo_history
from app.cli import cli
from app.config import get_settings
from app.db import get_engine, make_engine
from tests.conftest import drop_database, migrate, new_database_url
from tests.factories import make_world

runner = CliRunner()
NOW = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)


@pytest.fixture
def county(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database of its own with a small county and half a year of tickets; yields
    the code of one of its townships."""
    url = new_database_url()
    migrate(url)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = make_engine(url)
    with Session(engine) as session:
        world = make_world(session)
        demo_history.seed_history(session, county=world.county, count=300, months=6, now=NOW)
        session.commit()
        code = world.township.code
    engine.dispose()
    try:
        yield code
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
        get_settings.cache_clear()
        drop_database(url)


def xiaowei(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.output


def test_report_writes_the_docx_and_prints_the_headline(county, tmp_path: Path):
    target = tmp_path / "out" / "report.docx"

    code, output = xiaowei(
        "report", "--from", "2026-01-01", "--to", "2026-06-30", "-o", str(target)
    )

    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "测试县2026年1月1日至6月30日小微权力监督工作情况"
    assert lines[1].startswith("2026年1月1日至6月30日，共受理群众投诉举报")
    assert lines[-1] == f"已生成：{target}"
    document = Document(io.BytesIO(target.read_bytes()))
    assert document.paragraphs[0].text == lines[0]
    assert lines[1] in [p.text for p in document.paragraphs]


def test_report_for_one_township_defaults_to_its_own_file_name(
    county, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)

    code, output = xiaowei(
        "report", "--from", "2026-04-01", "--to", "2026-06-30", "--scope", county
    )

    assert code == 0, output
    assert output.splitlines()[0] == "甲镇2026年4月1日至6月30日小微权力监督工作情况"
    assert (tmp_path / "甲镇2026年4月1日至6月30日监督工作报告.docx").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-13-01", "--to", "2026-06-30"), "--from 日期格式应为 YYYY-MM-DD"),
        (("--from", "2026-01-01", "--to", "6月30日"), "--to 日期格式应为 YYYY-MM-DD"),
        (("--from", "2026-06-30", "--to", "2026-01-01"), "结束日期"),
        (("--from", "2026-01-01", "--to", "2026-06-30", "--scope", "999"), "找不到单位代码：999"),
    ],
)
def test_bad_dates_and_unknown_units_are_refused_in_chinese(county, tmp_path, args, message):
    code, output = xiaowei("report", *args, "-o", str(tmp_path / "x.docx"))

    assert code == 2
    assert message in output
    assert not (tmp_path / "x.docx").exists()
