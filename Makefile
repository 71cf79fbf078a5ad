# xiaowei — two commands for a fresh machine: `make run` and `make test`.
# Both create .venv with $(PYTHON) when it is missing and (re)install the project whenever
# pyproject.toml changes; nothing else needs to be installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments, e.g. `make pytest PYTEST_ARGS="-k login -x"`.
PYTEST_ARGS ?=
# Two workers (one per core here); each gets its own database (see tests/conftest.py).
PYTEST_WORKERS ?= auto
LINT_PATHS := app tests bench migrations

.DEFAULT_GOAL := help
.PHONY: help install run test lint format types imports pytest e2e migrate seed bench clean

help:
	@echo "make run     建立 .venv、安装、迁移数据库、导入宁海演示数据（仅空库），在 http://$(HOST):$(PORT) 启动"
	@echo "make test    建立 .venv、安装，然后 ruff、mypy、import-linter 和全部测试（SQLite；设 TEST_DATABASE_URL 用 PostgreSQL）"
	@echo "make pytest  只运行测试；PYTEST_ARGS=... 传参，PYTEST_WORKERS=0 关闭并行"
	@echo "make format  按 ruff 格式化代码"
	@echo "make e2e     只运行浏览器测试（需要 apt-get install -y chromium fonts-noto-cjk）"
	@echo "make bench   运行 bench/ 中的基准测试"
	@echo "make clean   删除 .venv、var/（本地数据库和密钥）与缓存"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' \
		|| { echo "需要 Python 3.11 或 3.12：$$($(PYTHON) --version 2>&1)；可用 make PYTHON=python3.11 指定" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Create .venv, install, migrate, seed the 宁海 demo on an empty database, serve on :8000.
run: $(STAMP)
	$(BIN)/xiaowei migrate
	$(BIN)/xiaowei seed-demo --if-empty
	$(BIN)/xiaowei serve --host $(HOST) --port $(PORT)

## Create .venv, install, then lint, types, architecture and the whole test suite.
test: $(STAMP) lint types imports pytest

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

types: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The migration round trip and `alembic check` (no drift) run inside the suite:
# tests/test_migrations.py.
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

e2e: $(STAMP)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

migrate: $(STAMP)
	$(BIN)/xiaowei migrate

seed: $(STAMP)
	$(BIN)/xiaowei seed-demo

bench: $(STAMP)
	$(BIN)/python -m bench.import_divisions

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache test-artifacts
