"""The `xiaowei` command: serve, migrate, seed the demo, import data, manage users, verify audit."""

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings

if TYPE_CHECKING:
    from datetime import datetime

    from app.notify.periodic import Job, PeriodicRunner
    from app.powerlist.specs import ListKind

cli = typer.Typer(help="xiaowei 小微权力清单监督系统", no_args_is_help=True, add_completion=False)
user_cli = typer.Typer(help="员工账号", no_args_is_help=True)
audit_cli = typer.Typer(help="审计日志", no_args_is_help=True)
cli.add_typer(user_cli, name="user")
cli.add_typer(audit_cli, name="audit")
notify_cli = typer.Typer(help="通知发送", no_args_is_help=True)
cli.add_typer(notify_cli, name="notify")


def _session() -> Session:
    from app.db import get_engine

    return Session(get_engine(), expire_on_commit=False)


def run_migrations() -> None:
    """Upgrade the configured database to the newest schema."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", get_settings().database_url.replace("%", "%%"))
    command.upgrade(config, "head")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[int, typer.Option(help="进程数")] = 1,
) -> None:
    """Serve the web application (migrations are never run implicitly)."""
    import uvicorn

    settings = get_settings()
    print(f"xiaowei 正在启动：http://{host}:{port}")
    # One runner in this (supervising) process, however many uvicorn workers serve requests.
    runner = _periodic_runner(settings.tick_interval_seconds)
    if runner is not None:
        runner.start()
    try:
        uvicorn.run(
            "app.main:app",
            host=host,
            port=port,
            workers=workers,
            proxy_headers=settings.trust_proxy_headers,
            log_level=settings.log_level.lower(),
        )
    finally:
        if runner is not None:
            runner.stop()


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the newest revision."""
    run_migrations()
    print("数据库已升级到最新版本。")


@cli.command("seed-demo")
def seed_demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="仅在数据库为空时导入")] = False,
) -> None:
    """Load the 宁海县 demo: units, teams, accounts of every role; print the demo logins."""
    from app import demo

    with _session() as session:
        seeded = demo.seed(session, only_if_empty=if_empty)
        session.commit()
        print("演示数据已导入。" if seeded else "数据库已有数据，跳过演示数据导入。")
        print(demo.logins_text())


@cli.command("import-divisions")
def import_divisions(
    csv_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="NBS 区划 CSV")],
) -> None:
    """Import or update units from an NBS division-code CSV (idempotent, all or nothing)."""
    from app.core.errors import ValidationFailed
    from app.unit import divisions

    with _session() as session:
        try:
            result = divisions.import_csv(session, path=csv_file, actor=None)
        except ValidationFailed as exc:
            session.rollback()
            for message in exc.errors.values():
                print(message)
            print("导入失败，未作任何修改。")
            raise typer.Exit(1) from None
        session.commit()
    print(result.summary())


@user_cli.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="用户名")],
    password: Annotated[str, typer.Option(help="密码（至少 8 位，含字母和数字）")],
    role: Annotated[str, typer.Option(help="admin / team_lead / team_member / unit_editor")],
    unit: Annotated[str | None, typer.Option(help="单位代码（unit_editor）")] = None,
    team: Annotated[int | None, typer.Option(help="监督单位 ID（team_lead / team_member）")] = None,
    name: Annotated[str, typer.Option(help="姓名")] = "",
    descendants: Annotated[bool, typer.Option(help="同时管理下级单位")] = False,
) -> None:
    """Create a staff account with one role."""
    from app.account import service as account_service
    from app.account.permissions import Role
    from app.core.errors import DomainError, ValidationFailed
    from app.unit import service as unit_service
    from app.unit.models import Team

    try:
        role_value = Role(role)
    except ValueError:
        print(f"未知角色：{role}（可选：{', '.join(r.value for r in Role)}）")
        raise typer.Exit(2) from None
    with _session() as session:
        try:
            unit_obj = unit_service.get_unit_by_code(session, code=unit) if unit else None
            team_obj = session.get(Team, team) if team is not None else None
            if team is not None and team_obj is None:
                raise ValidationFailed({"team": f"监督单位 {team} 不存在"})
            user = account_service.create_user(
                session, username=username, password=password, display_name=name
            )
            account_service.add_membership(
                session,
                user=user,
                role=role_value,
                unit=unit_obj,
                team=team_obj,
                include_descendants=descendants,
            )
        except DomainError as exc:
            session.rollback()
            details = exc.errors.values() if isinstance(exc, ValidationFailed) else [exc.message]
            for message in details:
                print(message)
            raise typer.Exit(1) from None
        session.commit()
    print(f"已创建用户 {username}（{role_value.value}）")


@cli.command()
def backup(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="备份文件（默认 var/backups/…）")
    ] = None,
) -> None:
    """Back up the database: SQLite through its online backup API, PostgreSQL with pg_dump."""
    from app.core import clock

    settings = get_settings()
    stamp = clock.now().astimezone(clock.LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    suffix = "db" if settings.is_sqlite else "dump"
    target = output or settings.var_dir / "backups" / f"xiaowei-{stamp}.{suffix}"
    if target.exists():
        print(f"备份失败：文件 {target} 已存在，不会覆盖。")
        raise typer.Exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    problem = _backup_sqlite(target) if settings.is_sqlite else _backup_postgres(target)
    if problem:
        target.unlink(missing_ok=True)
        print(f"备份失败：{problem}")
        raise typer.Exit(1)
    size_kib = target.stat().st_size / 1024
    print(f"数据库已备份到 {target}（{size_kib:.0f} KiB）")


def _backup_sqlite(target: Path) -> str | None:
    """Copy a consistent snapshot while the application keeps running (WAL included)."""
    import sqlite3

    from sqlalchemy.engine import make_url

    source_path = make_url(get_settings().database_url).database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        return f"找不到 SQLite 数据库文件 {source_path}"
    source = sqlite3.connect(source_path)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    return None


def _backup_postgres(target: Path) -> str | None:
    """Run pg_dump (custom format, restore with pg_restore); the password goes by environment."""
    import os
    import shutil
    import subprocess

    from sqlalchemy.engine import make_url

    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return "未找到 pg_dump，请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）"
    url = make_url(get_settings().database_url)
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    completed = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={dsn}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return f"pg_dump 退出码 {completed.returncode}：{completed.stderr.strip()}"
    return None


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 and name the first bad event if it was tampered with."""
    from app.audit import service as audit_service

    with _session() as session:
        report = audit_service.verify_chain(session)
    if report.ok:
        print(f"审计日志完整：共 {report.checked} 条事件，链头哈希 {report.head}")
        return
    print(
        f"审计日志校验失败：事件 #{report.bad_event_id} {report.problem}"
        f"（此前 {report.checked} 条正常）"
    )
    raise typer.Exit(1)


_LIST_KINDS = ("duty", "cadre", "negative")


def _list_kind(kind: str) -> "ListKind":
    from app.powerlist.specs import ListKind

    if kind not in _LIST_KINDS:
        print(f"未知清单类型：{kind}（可选：{' / '.join(_LIST_KINDS)}）")
        raise typer.Exit(2)
    return ListKind(kind)


def _fail(session: Session, messages: Iterable[str], summary: str) -> NoReturn:
    session.rollback()
    for message in messages:
        print(message)
    print(summary)
    raise typer.Exit(1)


@cli.command("import-lists")
def import_lists(
    xlsx_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="清单 .xlsx 文件")],
    unit: Annotated[str, typer.Option("--unit", help="单位代码")],
    kind: Annotated[str, typer.Option("--kind", help="duty / cadre / negative")],
    publish: Annotated[bool, typer.Option("--publish", help="导入后直接审核发布")] = False,
    as_user: Annotated[str, typer.Option("--as", help="以哪个系统管理员账号操作")] = "admin",
) -> None:
    """Import a filled-in workbook into the unit's draft, all or nothing; --publish approves it."""
    from app.account import service as account_service
    from app.core.errors import DomainError, ValidationFailed
    from app.powerlist import excel, service
    from app.powerlist.models import VersionSource, VersionStatus
    from app.powerlist.schemas import ListCounts, keep_own_keys, list_item_keys, ordered_problems
    from app.powerlist.specs import LIST_KIND_LABELS, ListKind
    from app.unit import service as unit_service

    list_kind = _list_kind(kind)
    nothing = "导入失败，未作任何修改。"
    with _session() as session:
        user = account_service.get_user_by_username(session, username=as_user)
        if user is None or not user.is_active:
            _fail(session, [f"用户 {as_user} 不存在或已停用"], nothing)
        if not account_service.load_principal(session, user=user).is_admin:
            _fail(session, [f"用户 {as_user} 不是系统管理员，请用 --as 指定管理员账号"], nothing)
        try:
            target = unit_service.get_unit_by_code(session, code=unit)
            content = excel.parse_workbook(xlsx_file.read_bytes(), list_kind)
            power_list = service.get_or_create_list(
                session, unit=target, kind=list_kind, actor=user
            )
            draft = service.open_draft(session, power_list=power_list)
            if draft is not None and draft.status == VersionStatus.SUBMITTED:
                _fail(
                    session,
                    [f"第 {draft.number} 版已提交审核，请先撤回或审核后再导入"],
                    nothing,
                )
            if draft is None:
                draft = service.create_draft(
                    session, power_list=power_list, actor=user, source=VersionSource.IMPORT
                )
            # Keys copied from another unit's export must not follow the items here.
            content = keep_own_keys(content, list_item_keys(session, power_list=power_list))
            service.save_content(session, version=draft, content=content, actor=user)
            if publish:
                service.submit(session, version=draft, actor=user)
                service.approve(session, version=draft, actor=user)
        except ValidationFailed as exc:
            problems = ordered_problems(exc.errors, list_kind)
            _fail(session, [*problems.values(), exc.message], nothing)
        except DomainError as exc:
            _fail(session, [exc.message], nothing)
        session.commit()
        counts = ListCounts.of(content)
    label = f"{target.name}{LIST_KIND_LABELS[list_kind]}第 {draft.number} 版"
    print(f"{label}{'已发布' if publish else '草稿已保存'}。")
    if list_kind == ListKind.DUTY:
        print(f"权力事项 {counts.items} 项，办理步骤 {counts.steps} 个，风险点 {counts.risks} 个。")
    elif list_kind == ListKind.CADRE:
        print(f"干部履职 {counts.cadre_duties} 条。")
    else:
        print(f"负面清单 {counts.negative_items} 条。")


@cli.command("export-list")
def export_list(
    unit: Annotated[str, typer.Option("--unit", help="单位代码")],
    kind: Annotated[str, typer.Option("--kind", help="duty / cadre / negative")],
    output: Annotated[Path, typer.Option("--output", "-o", help="导出的 .xlsx 文件")],
    version: Annotated[
        int | None, typer.Option("--version", help="版本号（默认当前发布版本，否则草稿）")
    ] = None,
) -> None:
    """Export a unit's list to .xlsx in the import layout (re-importable unchanged)."""
    from app.core.errors import DomainError
    from app.powerlist import excel, service
    from app.powerlist.models import VERSION_STATUS_LABELS
    from app.powerlist.specs import LIST_KIND_LABELS
    from app.unit import service as unit_service

    list_kind = _list_kind(kind)
    with _session() as session:
        try:
            target = unit_service.get_unit_by_code(session, code=unit)
            power_list = service.find_list(session, unit=target, kind=list_kind)
            chosen = None
            if power_list is not None and version is not None:
                chosen = service.get_version_by_number(
                    session, power_list=power_list, number=version
                )
            elif power_list is not None:
                chosen = service.current_version(
                    session, power_list=power_list
                ) or service.open_draft(session, power_list=power_list)
            if chosen is None:
                _fail(session, [], f"{target.name}还没有{LIST_KIND_LABELS[list_kind]}。")
            label = f"第 {chosen.number} 版（{VERSION_STATUS_LABELS[chosen.status]}）"
            data = excel.export_workbook(
                service.content_of(session, version=chosen),
                unit_name=target.name,
                version_label=label,
            )
        except DomainError as exc:
            _fail(session, [], f"导出失败：{exc.message}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    print(f"已导出 {target.name}{LIST_KIND_LABELS[list_kind]}{label}到 {output}")


# --- Notifications and periodic jobs ----------------------------------------------------------


def _deliver_job(now: "datetime") -> object:
    from app.notify import worker

    report = worker.drain(_session, now)
    if report.claimed or report.recovered:
        import logging

        logging.getLogger("xiaowei.notify").info("notify: %s", report)
    return report


def _ticket_tick_job() -> "Job | None":
    """The ticket deadline tick (app.ticket.service.tick(session, *, now)), when present."""
    import importlib

    try:
        ticket_service = importlib.import_module("app.ticket.service")
    except ModuleNotFoundError as exc:
        if exc.name not in ("app.ticket", "app.ticket.service"):
            raise  # the ticket package exists but is broken: say so at startup
        return None
    tick = getattr(ticket_service, "tick", None)
    if tick is None:
        return None

    def job(now: "datetime") -> object:
        with _session() as session:
            result = tick(session, now=now)
            session.commit()
        return result

    return job


def _notice_tick_job(now: "datetime") -> object:
    """Overdue supervision notices (督办通知书): the lead is told, then the parent team."""
    from app.supervision import notices

    with _session() as session:
        result = notices.tick(session, now=now)
        session.commit()
    return result


def _stats_tally_job(_now: "datetime") -> object:
    """Settled tickets into the statistics tally, a committed batch at a time."""
    from app.stats import tally

    with _session() as session:
        return tally.tally_all(session, commit=True)


def periodic_jobs() -> "list[tuple[str, Job]]":
    """What `serve` runs every TICK_INTERVAL_SECONDS: the ticket tick, then the notice tick
    (both enqueue overdue messages), then delivery (which sends them in the same round), then
    the statistics tally of the tickets settled meanwhile."""
    jobs: list[tuple[str, Job]] = []
    tick = _ticket_tick_job()
    if tick is not None:
        jobs.append(("ticket.tick", tick))
        # Notices are about tickets: without the ticket package there is nothing to tick.
        jobs.append(("notice.tick", _notice_tick_job))
    jobs.append(("notify.deliver", _deliver_job))
    if tick is not None:
        jobs.append(("stats.tally", _stats_tally_job))
    return jobs


def _periodic_runner(interval: int) -> "PeriodicRunner | None":
    from app.notify.periodic import PeriodicRunner

    if interval <= 0:
        return None
    return PeriodicRunner(periodic_jobs(), interval=interval)


@cli.command("tick")
def tick() -> None:
    """Run the deadline rules once: overdue tickets and 督办通知书, escalation, expired rating
    windows; then add newly settled tickets to the statistics tally."""
    from app.core import clock
    from app.supervision import notices
    from app.ticket import service as ticket_service

    with _session() as session:
        report = ticket_service.tick(session)
        session.commit()
    print(report)
    with _session() as session:
        notice_report = notices.tick(session)
        session.commit()
    print(notice_report)
    print(f"统计汇总：新计入已办结工单 {_stats_tally_job(clock.now())} 件")


@notify_cli.command("deliver")
def notify_deliver(
    once: Annotated[bool, typer.Option("--once", help="发送一轮到期通知后退出")] = False,
    batch: Annotated[int, typer.Option(help="每批取出的条数")] = 20,
) -> None:
    """Send due notifications: once, or every TICK_INTERVAL_SECONDS until interrupted."""
    import time

    from app.core import clock
    from app.notify import worker

    interval = get_settings().tick_interval_seconds or 60
    try:
        while True:
            report = worker.drain(_session, clock.now(), batch)
            print(report)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        print("已停止。")


# --- Statistics -------------------------------------------------------------------------------


@cli.command("stats-rebuild")
def stats_rebuild() -> None:
    """Recount the statistics tally from the tickets (after tickets were changed with SQL)."""
    from app.stats import tally

    with _session() as session:
        tally.rebuild(session)
        session.commit()  # from here every ticket is counted one by one: figures stay exact
        count = tally.tally_all(session, commit=True)
    print(f"统计汇总已重建：计入已办结工单 {count} 件。")


@cli.command("report")
def report(
    from_: Annotated[str, typer.Option("--from", help="统计起始日期 YYYY-MM-DD（含）")],
    to: Annotated[str, typer.Option("--to", help="统计截止日期 YYYY-MM-DD（含）")],
    scope: Annotated[str, typer.Option("--scope", help="单位代码（默认全县）")] = "",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="输出的 .docx 文件（默认当前目录）")
    ] = None,
) -> None:
    """Write the period report (.docx work-summary draft) and print its headline figures."""
    from datetime import date

    from app.core.errors import NotFound, ValidationFailed
    from app.stats import report as period_report
    from app.stats.periods import Period
    from app.stats.scope import public_scope
    from app.unit import service as unit_service

    days = []
    for option, raw in (("--from", from_), ("--to", to)):
        try:
            days.append(date.fromisoformat(raw.strip()))
        except ValueError:
            print(f"{option} 日期格式应为 YYYY-MM-DD（例如 2026-01-01），收到：{raw}")
            raise typer.Exit(2) from None
    with _session() as session:
        try:
            period = Period.custom(days[0], days[1])
            unit = unit_service.get_unit_by_code(session, code=scope.strip()) if scope else None
        except NotFound:
            print(f"找不到单位代码：{scope}")
            raise typer.Exit(2) from None
        except ValidationFailed as exc:
            print("；".join(exc.errors.values()) or exc.message)
            raise typer.Exit(2) from None
        chosen = public_scope(session, unit=unit)
        data = period_report.collect(session, chosen, period)
        target = output or Path(period_report.filename(chosen, period))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(period_report.render_docx(data))
    print(period_report.title(chosen, period))
    for sentence in period_report.headline(data):
        print(sentence)
    print(f"已生成：{target}")


def main() -> None:
    from pydantic import ValidationError

    try:
        get_settings()
    except ValidationError as exc:
        # A misconfiguration (e.g. no SECRET_KEY in production) deserves a sentence, not a trace.
        for error in exc.errors():
            print(f"配置错误：{error['msg']}")
        raise SystemExit(2) from None
    cli()
