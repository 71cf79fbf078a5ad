"""The periodic runner inside `xiaowei serve`, and `xiaowei notify deliver`."""

import importlib.util
import logging
import sys
import threading
import types
from datetime import UTC, datetime

import pytest
from sqlalchemy import text as sql
from sqlmodel import Session
from typer.testing import CliRunner

from app import cli
from app.notify import service as notify_service
from app.notify.models import Channel
from app.notify.periodic import PeriodicRunner

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_each_job_runs_in_order_and_a_failing_one_does_not_stop_the_rest(caplog):
    calls: list[tuple[str, datetime]] = []

    def broken(now: datetime) -> None:
        calls.append(("broken", now))
        raise RuntimeError("database away")

    runner = PeriodicRunner(
        [("broken", broken), ("fine", lambda now: calls.append(("fine", now)) or "ok")],
        interval=60,
    )
    with caplog.at_level(logging.ERROR, logger="xiaowei.periodic"):
        results = runner.run_once(NOW)
    assert calls == [("broken", NOW), ("fine", NOW)]
    assert isinstance(results["broken"], RuntimeError)
    assert results["fine"] == "ok"
    assert "periodic job broken failed" in caplog.text


def test_the_thread_runs_at_once_and_stops_when_asked():
    ran = threading.Event()
    runner = PeriodicRunner([("mark", lambda now: ran.set())], interval=3600)
    runner.start()
    try:
        assert ran.wait(timeout=30)
    finally:
        runner.stop()
    assert not runner._thread.is_alive()


def test_no_runner_when_the_interval_is_zero():
    assert cli._periodic_runner(0) is None
    assert isinstance(cli._periodic_runner(60), PeriodicRunner)


def test_the_ticket_tick_runs_before_delivery_when_the_ticket_package_has_one(
    monkeypatch, database_url
):
    seen: list[tuple[Session, datetime]] = []
    fake = types.ModuleType("app.ticket.service")
    fake.tick = lambda session, *, now: seen.append((session, now)) or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "app.ticket.service", fake)
    jobs = dict(cli.periodic_jobs())
    assert list(jobs) == ["ticket.tick", "notice.tick", "notify.deliver", "stats.tally"]
    assert jobs["ticket.tick"](NOW) == 3
    [(session, now)] = seen
    assert isinstance(session, Session)
    assert now == NOW


@pytest.mark.skipif(
    importlib.util.find_spec("app.ticket") is None, reason="the ticket package is not there yet"
)
def test_the_real_ticket_tick_runs_in_serve(fresh_db):
    jobs = dict(cli.periodic_jobs())
    assert list(jobs) == ["ticket.tick", "notice.tick", "notify.deliver", "stats.tally"]
    runner = PeriodicRunner(list(jobs.items()), interval=60)
    results = runner.run_once()
    assert not any(isinstance(result, Exception) for result in results.values()), results


def test_without_a_ticket_tick_only_delivery_runs(monkeypatch):
    monkeypatch.setitem(sys.modules, "app.ticket.service", None)
    assert [name for name, _ in cli.periodic_jobs()] == ["notify.deliver"]


def committed_message(body: str = "已受理") -> int:
    with cli._session() as session:
        message = notify_service.enqueue(
            session, channel=Channel.SMS, recipient="13812341234", subject="受理告知", body=body
        )
        session.commit()
        assert message.id is not None
        return message.id


def status_of(engine, message_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sql("SELECT status FROM notify_outbox WHERE id = :id"), {"id": message_id}
        ).scalar_one()


def test_the_serve_runner_delivers_what_is_due(fresh_db, monkeypatch):
    monkeypatch.setitem(sys.modules, "app.ticket.service", None)
    message_id = committed_message()
    runner = cli._periodic_runner(60)
    assert runner is not None
    results = runner.run_once()
    assert results["notify.deliver"].sent == 1
    assert status_of(fresh_db, message_id) == "sent"


def test_notify_deliver_once_sends_and_reports_in_chinese(fresh_db, caplog):
    message_id = committed_message()
    with caplog.at_level(logging.INFO, logger="xiaowei.notify"):
        result = CliRunner().invoke(cli.cli, ["notify", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    assert "发送成功 1" in result.output
    assert status_of(fresh_db, message_id) == "sent"
    # The default console sender wrote it to the log, phone number masked.
    assert "138****1234" in caplog.text
    assert "13812341234" not in caplog.text


@pytest.mark.parametrize("args", [["notify", "--help"], ["notify", "deliver", "--help"]])
def test_notify_commands_are_documented(args):
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 0
    assert "deliver" in result.output or "--once" in result.output


@pytest.mark.parametrize(("interval", "expected"), [("3600", True), ("0", False)])
def test_serve_runs_the_periodic_thread_alongside_uvicorn(
    fresh_db, monkeypatch, interval, expected
):
    import uvicorn

    from app.config import get_settings

    monkeypatch.setenv("TICK_INTERVAL_SECONDS", interval)
    get_settings.cache_clear()
    seen: dict[str, bool] = {}

    def fake_run(*_args: object, **_kwargs: object) -> None:
        # Stands in for the HTTP server, which would block here until shutdown.
        seen["thread"] = any(t.name == "xiaowei-periodic" for t in threading.enumerate())

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = CliRunner().invoke(cli.cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen == {"thread": expected}
    assert not any(t.name == "xiaowei-periodic" for t in threading.enumerate())
