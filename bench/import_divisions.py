"""Time importing all of 浙江省 (27 036 divisions) into a fresh database, again, and renamed.

    .venv/bin/python -m bench.import_divisions [CSV]

Runs on a temporary SQLite database, and also on PostgreSQL when BENCH_DATABASE_URL names a
server database (a temporary database is created next to it and dropped afterwards). The second
import is the idempotent re-run: it must create and update nothing. The third renames every unit,
so it measures the update path. Prints a Markdown table.
"""

import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import PROJECT_ROOT

DEFAULT_CSV = PROJECT_ROOT.parent / "shared" / "data" / "divisions" / "zhejiang.csv"


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="xiaowei-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'bench.db'}"


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    base = make_url(server_url)
    name = f"xiaowei_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def renamed_copy(csv_path: Path, directory: Path) -> Path:
    """The same file with every name changed, so every unit is updated (names and pinyin)."""
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    renamed = [lines[0]]
    for line in lines[1:]:
        code, name, rest = line.split(",", 2)
        renamed.append(f"{code},{name}新,{rest}")
    target = directory / f"renamed-{csv_path.name}"
    target.write_text("\n".join(renamed) + "\n", encoding="utf-8")
    return target


def run(url: str, csv_path: Path) -> list[tuple[str, float, str]]:
    """Migrate, import, import again, then import with every name changed; each committed."""
    from app.db import make_engine
    from app.unit import divisions
    from app.unit.models import Unit

    migrate(url)
    engine = make_engine(url)
    timings: list[tuple[str, float, str]] = []
    directory = Path(tempfile.mkdtemp(prefix="xiaowei-bench-csv-"))
    runs = [
        ("首次导入", csv_path),
        ("再次导入（幂等）", csv_path),
        ("全部改名后导入", renamed_copy(csv_path, directory)),
    ]
    try:
        for label, path in runs:
            with Session(engine) as session:
                started = time.perf_counter()
                result = divisions.import_csv(session, path=path, actor=None)
                session.commit()
                elapsed = time.perf_counter() - started
                total = session.execute(select(func.count()).select_from(Unit)).scalar_one()
            outcome = (
                f"新增 {result.created} / 更新 {result.updated} / 未变 {result.unchanged}"
                f"（库中共 {total} 个单位）"
            )
            timings.append((label, elapsed, outcome))
    finally:
        engine.dispose()
        shutil.rmtree(directory, ignore_errors=True)
    return timings


def main() -> None:
    csv_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV
    with csv_path.open(encoding="utf-8") as handle:
        rows = sum(1 for _ in handle) - 1
    databases: list[tuple[str, AbstractContextManager[str]]] = [("SQLite", sqlite_database())]
    server = os.environ.get("BENCH_DATABASE_URL", "")
    if server:
        databases.append(("PostgreSQL", postgres_database(server)))
    print(
        f"导入 {csv_path.name}（{rows} 行）；{platform.python_implementation()} "
        f"{platform.python_version()}，{os.cpu_count()} 核"
    )
    print()
    print("| 数据库 | 运行 | 用时（秒） | 结果 |")
    print("| --- | --- | ---: | --- |")
    for name, database in databases:
        with database as url:
            for label, seconds, outcome in run(url, csv_path):
                print(f"| {name} | {label} | {seconds:.2f} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
