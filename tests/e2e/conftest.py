"""Browser-test wiring: the 宁海 demo served by uvicorn in a subprocess, and Chromium.

The server gets its own freshly migrated and seeded database (SQLite, or PostgreSQL under
TEST_DATABASE_URL) and its own environment, so the in-process settings and engine caches of
the rest of the suite are never touched.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.config import PROJECT_ROOT
from app.db import make_engine
from tests.conftest import IN_CI, drop_database, migrate, new_database_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"测试服务器启动失败：\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"测试服务器 {STARTUP_SECONDS} 秒内未就绪：\n{log.read_text(errors='replace')}"
    )


def _seed_demo(url: str) -> None:
    from app import demo

    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            demo.seed(session, only_if_empty=False)
            session.commit()
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL of a running app on a free 127.0.0.1 port, seeded with the 宁海 demo."""
    database_url = new_database_url()
    var_dir = Path(tempfile.mkdtemp(prefix="xiaowei-e2e-"))
    log = var_dir / "server.log"
    process: subprocess.Popen[bytes] | None = None
    try:
        migrate(database_url)
        _seed_demo(database_url)
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "VAR_DIR": str(var_dir),
            "ENVIRONMENT": "test",
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "LOG_LEVEL": "WARNING",
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "app.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],  # fmt: skip
                cwd=PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_ready(base_url, process, log)
        yield base_url
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        drop_database(database_url)
        shutil.rmtree(var_dir, ignore_errors=True)


def _chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright; Playwright never downloads a browser here."""
    executable = _chromium_path()
    if executable is None:
        message = (
            f"找不到 Chromium（{CHROMIUM}）。"
            "浏览器测试需要：apt-get install -y chromium fonts-noto-cjk"
        )
        if IN_CI:
            pytest.fail(message + "；CI 中不允许跳过浏览器测试。", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Screen:
    """One device size; opens fresh contexts (no shared cookies) and saves screenshots."""

    name: str
    browser: Any
    base_url: str
    test_name: str

    @property
    def viewport(self) -> dict[str, int]:
        return SIZES[self.name]

    def new_page(self) -> Any:
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=self.viewport,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=self.name == "phone",
            has_touch=self.name == "phone",
        )
        context.set_default_timeout(15_000)
        return context.new_page()

    def screenshot(self, page: Any, step: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        suffix = f"-{step}" if step else ""
        path = SCREENSHOTS / f"{self.test_name}{suffix}-{self.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(params=list(SIZES))
def screen(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Iterator[Screen]:
    """Runs the test once at 360×740 (phone) and once at 1280×800 (desktop)."""
    name = request.node.originalname.removeprefix("test_")
    current = Screen(request.param, browser, live_server, name)
    yield current
    for context in list(browser.contexts):
        context.close()


NoOverflow = Callable[[Any], None]


@pytest.fixture
def assert_no_horizontal_overflow() -> NoOverflow:
    def check(page: Any) -> None:
        # A click on a link may still be navigating; measuring then finds no document.
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"页面横向溢出 {overflow}px"

    return check
