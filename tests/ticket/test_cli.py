"""`xiaowei tick` against its own migrated database (the command commits for real)."""

from tests.test_cli import cli_db, xiaowei  # noqa: F401  (fixture)


def test_tick_command_reports_what_it_did(cli_db):  # noqa: F811
    code, output = xiaowei("tick")
    assert code == 0, output
    assert "逾期未评价办结 0 件" in output
    assert "升级上级监督单位 0 件" in output
