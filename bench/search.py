"""Time search at province scale: every village and community of 浙江省 with a published list.

    .venv/bin/python -m bench.search [N]

Builds a fresh database (SQLite; also PostgreSQL when BENCH_DATABASE_URL names a server
database), imports all of 浙江省 (27 036 divisions), publishes the county standard village
lists (duty, cadre, negative) to all ≈ 25 000 villages and communities with
`publish_standard_to_units`, and times that, the search index sync, a full rebuild, and the
search service for 1-, 2- and 4-character queries and pinyin, N times each (default 30).
`build_province` is shared with bench/unit_page.py. Prints Markdown tables. BENCH_CSV=path
runs it on another division file (e.g. ninghai.csv for a quick try); BENCH_SQLITE=0 skips
SQLite.
"""

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.import_divisions import DEFAULT_CSV, migrate, postgres_database, sqlite_database

# (label, query): one, two and four characters, a longer phrase, a common word in many texts.
ITEM_QUERIES = (
    ("1 字", "印"),
    ("2 字", "低保"),
    ("2 字", "救助"),
    ("4 字", "临时救助"),
    ("5 字", "宅基地审批"),
    ("常见字", "村"),
)
UNIT_QUERIES = (("拼音首字母", "wf"), ("全拼", "wufeng"), ("名称 2 字", "五丰"))


def databases() -> list[tuple[str, AbstractContextManager[str]]]:
    """SQLite (unless BENCH_SQLITE=0), then PostgreSQL when BENCH_DATABASE_URL is set."""
    found: list[tuple[str, AbstractContextManager[str]]] = []
    if os.environ.get("BENCH_SQLITE", "1") != "0":
        found.append(("SQLite", sqlite_database()))
    server = os.environ.get("BENCH_DATABASE_URL", "")
    if server:
        found.append(("PostgreSQL", postgres_database(server)))
    return found


def machine() -> str:
    return (
        f"{platform.python_implementation()} {platform.python_version()}，{os.cpu_count()} 核，"
        f"{time.strftime('%Y-%m-%d')}"
    )


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def repeat(action: Callable[[], Any], n: int) -> tuple[float, float]:
    action()  # warm caches (statement cache, SQLite page cache) like a running server
    return median_p95([timed(action) for _ in range(n)])


def build_province(engine: Engine, csv_path: Path = DEFAULT_CSV) -> list[tuple[str, float, str]]:
    """Import the province and publish the standard village lists everywhere; step timings."""
    from app.account import service as account_service
    from app.powerlist import search, service, standard, standard_content
    from app.powerlist.models import PowerItem
    from app.powerlist.search import SearchDoc, SearchEntry
    from app.powerlist.specs import ListKind
    from app.unit import divisions
    from app.unit.models import GRASSROOTS_KINDS, Unit, UnitKind

    steps: list[tuple[str, float, str]] = []
    with Session(engine, expire_on_commit=False) as session:
        seconds = timed(lambda: divisions.import_csv(session, path=csv_path, actor=None))
        session.commit()
        steps.append(("导入全省区划", seconds, f"{csv_path.name}"))
        admin = account_service.create_user(
            session, username="bench-admin", password="Bench@2026-admin", display_name="基准"
        )
        standards = []
        for content in (
            standard_content.county_village_duty_list(),
            standard_content.county_village_cadre_list(),
            standard_content.county_village_negative_list(),
        ):
            standard_list = standard.create_standard_list(
                session, unit_kind=UnitKind.VILLAGE, kind=content.kind, actor=admin
            )
            draft = service.create_draft(session, power_list=standard_list, actor=admin)
            service.save_content(session, version=draft, content=content, actor=admin)
            service.publish_directly(session, version=draft, actor=admin)
            standards.append(standard_list)
        session.commit()
        units = session.exec(
            select(Unit).where(col(Unit.kind).in_(GRASSROOTS_KINDS), col(Unit.is_active))
        ).all()
        for standard_list in standards:
            label = f"发布标准清单（{standard_list.kind.value}）到 {len(units)} 个村社"
            seconds = timed(
                lambda s=standard_list: standard.publish_standard_to_units(  # type: ignore[misc]
                    session, standard_list=s, units=units, actor=admin
                )
            )
            # Committing would sync the index anyway; timed apart to show what it costs.
            sync = timed(lambda: search.sync_index(session))
            commit = timed(session.commit)
            items = session.execute(select(func.count()).select_from(PowerItem)).scalar_one()
            steps.append((label, seconds + commit, f"库中事项 {items}"))
            if standard_list.kind == ListKind.DUTY:
                entries = session.execute(
                    select(func.count()).select_from(SearchEntry)
                ).scalar_one()
                docs = session.execute(select(func.count()).select_from(SearchDoc)).scalar_one()
                steps.append(("建立搜索索引（同一事务）", sync, f"条目 {entries}，文档 {docs}"))
        seconds = timed(lambda: search.rebuild_index(session))
        session.commit()
        steps.append(("重建搜索索引（rebuild_index）", seconds, ""))
    steps.append(("更新统计信息（VACUUM ANALYZE / ANALYZE）", timed(lambda: analyze(engine)), ""))
    return steps


def analyze(engine: Engine) -> None:
    """What autovacuum does on PostgreSQL soon after a bulk load (planner statistics, and the
    visibility map that lets counts read the index only); ANALYZE on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def time_queries(engine: Engine, n: int) -> list[tuple[str, str, float, float, str]]:
    from app.powerlist import search

    rows: list[tuple[str, str, float, float, str]] = []
    with Session(engine, expire_on_commit=False) as session:
        for label, query in ITEM_QUERIES:
            for page in (1, 50):
                result = search.search_items(session, query=query, page=page)
                median, p95 = repeat(
                    lambda q=query, p=page: search.search_items(session, query=q, page=p),  # type: ignore[misc]
                    n,
                )
                rows.append(
                    (f"事项 {label}「{query}」第 {page} 页", query, median, p95, f"{result.total}")
                )
        for label, query in UNIT_QUERIES:
            result_units = search.search_units(session, query=query)
            median, p95 = repeat(lambda q=query: search.search_units(session, query=q), n)  # type: ignore[misc]
            rows.append((f"单位 {label}「{query}」", query, median, p95, f"{result_units.total}"))
    return rows


def main() -> None:
    from app.db import make_engine

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"全省规模搜索；{machine()}；每项 {n} 次")
    csv_path = Path(os.environ.get("BENCH_CSV", DEFAULT_CSV))
    for name, database in databases():
        with database as url:
            migrate(url)
            engine = make_engine(url)
            try:
                print(f"\n### {name}\n")
                print("| 步骤 | 用时（秒） | 说明 |")
                print("| --- | ---: | --- |")
                for label, seconds, note in build_province(engine, csv_path):
                    print(f"| {label} | {seconds:.2f} | {note} |", flush=True)
                print()
                print("| 查询（搜索服务，不含 HTTP） | 中位数（毫秒） | p95（毫秒） | 结果数 |")
                print("| --- | ---: | ---: | ---: |")
                for label, _query, median, p95, total in time_queries(engine, n):
                    print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} | {total} |")
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
