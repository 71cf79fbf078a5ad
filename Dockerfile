# xiaowei 小微权力清单监督系统 — production image.
#   docker build -t xiaowei .
#   docker run --rm --env-file .env xiaowei xiaowei migrate     # migrations: a separate step
#   docker run -d -p 8000:8000 --env-file .env xiaowei
# See README.md (Docker) for SQLite volumes, reverse proxies and backups.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tzdata: times are shown and counted in Asia/Shanghai (zoneinfo needs the database);
# postgresql-client: pg_dump for `xiaowei backup` against PostgreSQL.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 xiaowei \
    && useradd --system --uid 10001 --gid xiaowei --home-dir /var/lib/xiaowei --no-create-home \
       --shell /usr/sbin/nologin xiaowei \
    && install -d -o xiaowei -g xiaowei -m 0750 /var/lib/xiaowei

WORKDIR /srv/xiaowei

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
       > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The application. Installed in editable mode because it finds templates/, static/,
# migrations/ and alembic.ini next to the app/ package (app.config.PROJECT_ROOT).
COPY README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
RUN pip install --no-deps -e . \
    && python -m compileall -q app

ENV ENVIRONMENT=production \
    VAR_DIR=/var/lib/xiaowei
VOLUME ["/var/lib/xiaowei"]

USER xiaowei
EXPOSE 8000

# Liveness only (no database): /readyz is for load balancers that should wait for the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Never migrates on start: run `xiaowei migrate` as its own step before starting a new version.
CMD ["xiaowei", "serve", "--host", "0.0.0.0", "--port", "8000"]
