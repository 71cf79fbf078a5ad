"""Generate a million tickets over the 宁海 demo, then time the dashboards, /stats and app.stats.

    .venv/bin/python -m bench.tickets_1m [--count 1000000] [--database-url URL] [--runs 7]
                                         [--reuse] [--slow-ms 300]

1. A fresh database: a SQLite file under var/bench/ by default, or — when --database-url names a
   PostgreSQL server database — a new database `xiaowei_bench_tickets_<count>` next to it. Both
   are kept afterwards so the slow queries can be EXPLAINed by hand; --reuse skips straight to
   the timings when the database already holds the tickets.
2. Migrate, seed the 宁海 demo (`xiaowei seed-demo`, with its own year of history), then
   app.demo_history.seed_history up to --count tickets, then the statistics tally (what the
   tick does for settled tickets), then ANALYZE; each step timed.
3. Warm timings (median and p95 of --runs, after one unmeasured run): the staff dashboard, the
   statistics pages, the public /stats and the period report through the ASGI app (TestClient,
   signed in as the county admin and as a township team lead), and the app.stats functions
   called directly.
4. Every SQL statement slower than --slow-ms during the timings, with its query plan
   (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), so a slow figure names its query.

Prints Markdown tables; the numbers go into bench/README.md. Tests never assert timings.
"""

import argparse
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from app.config import PROJECT_ROOT
from bench.import_divisions import migrate
from bench.search import machine, median_p95, timed
from bench.unit_page import app_client

BENCH_DIR = PROJECT_ROOT / "var" / "bench"
LEAD = "lead.yuelong"  # 跃龙街道纪工委书记: the team with the most villages


@dataclass
class SlowLog:
    """Statements slower than `threshold` seconds while `active`, with their parameters."""

    threshold: float
    active: bool = False
    seen: dict[str, tuple[float, str, Any]] = field(default_factory=dict)

    def attach(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            seconds = time.perf_counter() - conn.info["bench_started"].pop()
            if self.active and seconds >= self.threshold:
                key = " ".join(statement.split())[:200]
                if key not in self.seen or self.seen[key][0] < seconds:
                    self.seen[key] = (seconds, statement, params)


def database(url: str | None, count: int, *, reuse: bool) -> str:
    """The benchmark database's URL, created empty unless reused."""
    if not url or url.startswith("sqlite"):
        path = Path(make_url(url).database or "") if url else BENCH_DIR / f"tickets-{count}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = make_url(url)
    name = f"xiaowei_bench_tickets_{count}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if exists and not reuse:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or not reuse:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def ticket_count(engine: Engine) -> int:
    from app.ticket.models import Ticket

    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Ticket)).one())


def build(engine: Engine, count: int) -> list[tuple[str, float, str]]:
    from app import demo, demo_history
    from app.unit.service import get_unit_by_code

    steps = []
    with Session(engine, expire_on_commit=False) as session:
        seconds = timed(lambda: demo.seed(session, only_if_empty=False))
        seconds += timed(session.commit)
        steps.append(("导入演示数据（seed-demo，含演示工单历史）", seconds, ""))
        county = get_unit_by_code(session, code=demo.COUNTY_CODE)
        missing = count - ticket_count(engine)
        written = 0

        def generate() -> None:
            nonlocal written
            written = demo_history.seed_history(session, county=county, count=missing, seed=1)
            session.commit()

        seconds = timed(generate)
        steps.append(("生成工单（seed_history，分块 executemany）", seconds, f"{written} 件"))
    steps.extend(tally_and_analyze(engine))
    return steps


def tally_and_analyze(engine: Engine) -> list[tuple[str, float, str]]:
    """What the tick does for settled tickets (app.stats.tally), then fresh planner statistics."""
    from app.stats import tally

    steps = []
    with Session(engine) as session:
        tallied = 0

        def run() -> None:
            nonlocal tallied
            tallied = tally.tally_all(session, commit=True)
            session.commit()

        seconds = timed(run)
    steps.append(("计入统计汇总（tally_all，每批 2000 件提交）", seconds, f"{tallied} 件"))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            seconds = timed(lambda: conn.execute(text("VACUUM ANALYZE")))
        else:
            seconds = timed(lambda: conn.execute(text("ANALYZE")))
            conn.commit()
    steps.append(("更新统计信息（VACUUM ANALYZE / ANALYZE）", seconds, ""))
    return steps


def untallied_settled(engine: Engine) -> int:
    from app.stats import tally
    from app.ticket.models import Ticket

    with Session(engine) as session:
        statement = select(func.count()).select_from(Ticket)
        statement = statement.where(tally.untallied_clause(), tally.settled_clause())
        return int(session.exec(statement).one())


@contextmanager
def signed_in(client: Any, engine: Engine, username: str) -> Iterator[Any]:
    from app.account import service as account_service
    from app.web import sessions

    with Session(engine) as session:
        user = account_service.get_user_by_username(session, username=username)
        assert user is not None, username
        token = sessions._serializer().dumps({"uid": user.id, "ver": user.session_version})
    client.cookies.set(sessions.SESSION_COOKIE, token)
    try:
        yield client
    finally:
        client.cookies.clear()


def repeat(action: Callable[[], Any], runs: int) -> tuple[float, float, float, float]:
    """(first, after a change, median, p95). `first` is the process's first run with an empty
    statistics cache — after a restart, so it also pays for compiling templates and SQL;
    `after a change` empties the cache again once the process is warm, which is what the first
    request pays after any ticket or unit changes (the cache's data version moves); the
    median and p95 are warm runs, like a running server's."""
    from app.stats import cache

    cache.clear()
    first = timed(action)
    median, p95 = median_p95([timed(action) for _ in range(runs)])
    cache.clear()
    after_change = timed(action)
    return first, after_change, median, p95


Row = tuple[str, str, float, float, float, float, str]


def time_pages(engine: Engine, runs: int) -> list[Row]:
    from app.demo import COUNTY_CODE

    township = "330226001000"  # 跃龙街道
    pages = {
        "admin": [
            ("工作台 /staff", "/staff"),
            ("统计 /staff/stats（本年，全县）", "/staff/stats"),
            ("工单明细 超期未办", "/staff/stats/tickets?measure=overdue_open"),
            ("工作报告 report.docx（本年，全县）", f"/staff/stats/report.docx?unit={COUNTY_CODE}"),
        ],
        LEAD: [
            ("工作台 /staff", "/staff"),
            ("统计 /staff/stats（本年，本组）", "/staff/stats"),
            ("工作报告 report.docx（本年，本组）", "/staff/stats/report.docx"),
        ],
        "": [
            ("公开统计 /stats（全县）", "/stats"),
            ("公开统计 /stats（跃龙街道）", f"/stats?township={township}"),
        ],
    }  # fmt: skip
    rows: list[Row] = []
    with app_client(engine) as client:
        for username, targets in pages.items():
            who = username or "公众"
            for label, path in targets:

                def get(url: str = path) -> None:
                    try:
                        response = client.get(url)  # type: ignore[attr-defined]
                    except Exception as exc:  # TestClient re-raises a page's own error
                        raise LookupError(f"{url} → {type(exc).__name__}") from exc
                    if response.status_code != 200:
                        raise LookupError(f"{url} → {response.status_code}")

                context = signed_in(client, engine, username) if username else _nothing()
                with context:
                    try:
                        first, changed, median, p95 = repeat(get, runs)
                    except LookupError as exc:
                        nan = float("nan")
                        rows.append((who, label, nan, nan, nan, nan, f"未测：{exc}"))
                        continue
                rows.append((who, label, first, changed, median, p95, ""))
    return rows


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def time_functions(engine: Engine, runs: int) -> list[Row]:
    """The app.stats functions the pages call, county-wide (admin) and for one team (lead)."""
    from app.account import service as account_service
    from app.core import clock
    from app.stats import figures, supervision
    from app.stats.measures import Measure
    from app.stats.periods import Period
    from app.stats.scope import scope_for

    rows: list[Row] = []
    with Session(engine, expire_on_commit=False) as session:
        period = Period.parse(today=clock.today_local())
        for username in ("admin", LEAD):
            user = account_service.get_user_by_username(session, username=username)
            assert user is not None
            principal = account_service.load_principal(session, user=user)
            scope = scope_for(session, principal)
            calls: list[tuple[str, Callable[[], Any]]] = [
                ("ticket_figures", lambda s=scope: figures.ticket_figures(session, s, period)),
                (
                    "breakdown(TOWNSHIP)",
                    lambda s=scope: figures.breakdown(
                        session, s, period, figures.Dimension.TOWNSHIP
                    ),
                ),
                (
                    "breakdown(CATEGORY)",
                    lambda s=scope: figures.breakdown(
                        session, s, period, figures.Dimension.CATEGORY
                    ),
                ),
                ("monthly_trend", lambda s=scope: figures.monthly_trend(session, s, period)),
                ("overdue_ageing", lambda s=scope: figures.overdue_ageing(session, s)),
                (
                    "drilldown(OVERDUE_OPEN) 第1页",
                    lambda s=scope: figures.drilldown(session, s, period, Measure.OVERDUE_OPEN),
                ),
                (
                    "supervision_figures",
                    lambda s=scope: supervision.supervision_figures(session, s, period),
                ),
            ]
            for label, call in calls:
                first, changed, median, p95 = repeat(call, runs)
                rows.append((username, label, first, changed, median, p95, ""))
            session.rollback()
    return rows


def explain(engine: Engine, slow: SlowLog) -> list[str]:
    lines: list[str] = []
    postgres = engine.dialect.name == "postgresql"
    for seconds, statement, params in sorted(slow.seen.values(), key=lambda item: -item[0])[:8]:
        lines.append(f"\n{seconds * 1000:.0f} ms:\n```sql\n{statement.strip()}\n```")
        prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(prefix + statement, params).all()
        body = "\n".join(str(row[0] if postgres else row[-1]) for row in plan)
        lines.append(f"```\n{body}\n```")
    return lines


def print_rows(title: str, rows: list[Row]) -> None:
    print(f"\n{title}\n")
    print(
        "| 身份 | 请求 / 函数 | 启动后首次（毫秒） | 改动后首次（毫秒） | 中位数（毫秒） "
        "| p95（毫秒） | 备注 |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for who, label, first, changed, median, p95, note in rows:
        if median != median:  # NaN: not measured
            print(f"| {who} | {label} | — | — | — | — | {note} |")
        else:
            ms = " | ".join(f"{v * 1000:.0f}" for v in (first, changed, median, p95))
            print(f"| {who} | {label} | {ms} | {note} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it is there")
    parser.add_argument("--slow-ms", type=float, default=300.0)
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=None,
        help="STATS_CACHE_SECONDS for the run (0 = time every request uncached)",
    )
    args = parser.parse_args()
    if args.cache_seconds is not None:
        os.environ["STATS_CACHE_SECONDS"] = str(args.cache_seconds)
        from app.config import get_settings

        get_settings.cache_clear()

    from app.db import make_engine

    for name in ("httpx", "httpx2"):
        logging.getLogger(name).setLevel(logging.WARNING)
    url = database(args.database_url or None, args.count, reuse=args.reuse)
    migrate(url)
    engine = make_engine(url)
    slow = SlowLog(threshold=args.slow_ms / 1000)
    slow.attach(engine)
    try:
        kind = engine.dialect.name
        print(f"工单统计基准（{kind}，目标 {args.count} 件）；{machine()}；每项 {args.runs} 次")
        steps: list[tuple[str, float, str]] = []
        if not args.reuse or ticket_count(engine) < args.count:
            steps = build(engine, args.count)
        elif untallied_settled(engine):  # generated before the tally existed
            steps = tally_and_analyze(engine)
        if steps:
            print("\n| 步骤 | 用时（秒） | 说明 |")
            print("| --- | ---: | --- |")
            for label, seconds, note in steps:
                print(f"| {label} | {seconds:.1f} | {note} |", flush=True)
        print(f"\n库中工单 {ticket_count(engine)} 件")
        slow.active = True
        print_rows("经 ASGI 应用（TestClient）", time_pages(engine, args.runs))
        print_rows("直接调用 app.stats", time_functions(engine, args.runs))
        slow.active = False
        if slow.seen:
            print(f"\n超过 {args.slow_ms:.0f} 毫秒的 SQL 语句及其执行计划：")
            print("\n".join(explain(engine, slow)))
        print(f"\n数据库保留在 {make_url(url).render_as_string(hide_password=True)}")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
