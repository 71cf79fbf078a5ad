"""Time the public unit page and /search through the ASGI app, for the 宁海 demo and a province.

    .venv/bin/python -m bench.unit_page [N]

For each database (a temporary SQLite file; also PostgreSQL when BENCH_DATABASE_URL names a
server database):

1. the 宁海 demo (`xiaowei seed-demo`: 412 divisions, lists published everywhere), timed, then
   GET /units/330226001001 (五丰社区) and /search for 低保, wf and 宅基地审批, N requests each
   (default 30) through Starlette's TestClient, as a browser would (full pages, no htmx);
2. the province: all of 浙江省 imported into a fresh database and the standard village lists
   published to all ≈ 25 000 villages and communities (bench/search.py `build_province`, each
   step timed), then the same unit page and /search for 1-, 2- and 4-character queries.

Prints Markdown tables: median and p95 in milliseconds. Tests never assert timings; the
numbers go into bench/README.md.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.import_divisions import migrate
from bench.search import build_province, databases, machine, repeat, timed

WUFENG = "/units/330226001001"
DEMO_PAGES = (
    ("单位页 五丰社区", WUFENG),
    ("搜索 2 字「低保」", "/search?q=低保"),
    ("搜索 拼音首字母「wf」", "/search?q=wf"),
    ("搜索 5 字「宅基地审批」", "/search?q=宅基地审批"),
)
PROVINCE_PAGES = (
    ("单位页 五丰社区", WUFENG),
    ("搜索 1 字「印」", "/search?q=印"),
    ("搜索 2 字「低保」", "/search?q=低保"),
    ("搜索 4 字「临时救助」", "/search?q=临时救助"),
    ("搜索 拼音首字母「wf」", "/search?q=wf"),
    ("搜索「低保」第 100 页", "/search?q=低保&item_page=100"),
)


@contextmanager
def app_client(engine: Engine) -> Iterator[object]:
    """A TestClient whose requests use `engine` (the app's own engine is never created)."""
    from fastapi.testclient import TestClient

    from app.db import get_session
    from app.main import app

    def session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as db:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise

    app.dependency_overrides[get_session] = session
    for name in ("httpx", "httpx2"):  # one INFO line per request would drown the tables
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with TestClient(app) as client:
            yield client
    finally:
        app.dependency_overrides.clear()


def time_pages(
    engine: Engine, pages: tuple[tuple[str, str], ...], n: int
) -> list[tuple[str, float, float, int]]:
    rows = []
    with app_client(engine) as client:
        for label, path in pages:
            target = quote(path, safe="/?=&")

            def get(url: str = target) -> None:
                response = client.get(url)  # type: ignore[attr-defined]
                assert response.status_code == 200, (url, response.status_code)

            median, p95 = repeat(get, n)
            size = len(client.get(target).content)  # type: ignore[attr-defined]
            rows.append((label, median, p95, size))
    return rows


def seed_demo(engine: Engine) -> float:
    from app import demo

    with Session(engine, expire_on_commit=False) as session:
        seconds = timed(lambda: demo.seed(session, only_if_empty=False))
        seconds += timed(session.commit)
    return seconds


def print_pages(rows: list[tuple[str, float, float, int]]) -> None:
    print("| 请求 | 中位数（毫秒） | p95（毫秒） | 页面大小（KB） |")
    print("| --- | ---: | ---: | ---: |")
    for label, median, p95, size in rows:
        print(f"| {label} | {median * 1000:.1f} | {p95 * 1000:.1f} | {size / 1024:.0f} |")


def main() -> None:
    from app.db import make_engine

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    print(f"单位页和搜索（经 ASGI 应用）；{machine()}；每项 {n} 次")
    for name, database in databases():
        with database as url:
            migrate(url)
            engine = make_engine(url)
            try:
                print(f"\n### {name}：宁海县演示数据\n")
                print(f"导入演示数据（seed-demo）用时 {seed_demo(engine):.2f} 秒\n")
                print_pages(time_pages(engine, DEMO_PAGES, n))
            finally:
                engine.dispose()
    for name, database in databases():
        with database as url:
            migrate(url)
            engine = make_engine(url)
            try:
                print(f"\n### {name}：全省（浙江省）\n")
                print("| 步骤 | 用时（秒） | 说明 |")
                print("| --- | ---: | --- |")
                for label, seconds, note in build_province(engine):
                    print(f"| {label} | {seconds:.2f} | {note} |", flush=True)
                print()
                print_pages(time_pages(engine, PROVINCE_PAGES, n))
            finally:
                engine.dispose()


if __name__ == "__main__":
    main()
