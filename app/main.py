"""create_app(): middleware, routers, static files and error handlers."""

import logging

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import PROJECT_ROOT, get_settings
from app.web import auth, docs, health
from app.web.api import router as api_router
from app.web.backoffice import router as backoffice_router
from app.web.csrf import csrf_protect
from app.web.errors import install_error_handlers
from app.web.middleware import SecurityMiddleware
from app.web.public import router as public_router


def create_app() -> FastAPI:
    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    app = FastAPI(
        title="xiaowei 小微权力清单监督系统 API",
        version="0.1.0",
        description=(
            "公开查询、投诉举报与后台办理的 JSON 接口。"
            "员工接口使用 OAuth2 密码模式获取的 Bearer 令牌。"
        ),
        dependencies=[Depends(csrf_protect)],
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.include_router(health.router, include_in_schema=False)
    app.include_router(auth.router, include_in_schema=False)
    app.include_router(docs.router, include_in_schema=False)
    app.include_router(public_router, include_in_schema=False)
    app.include_router(backoffice_router, include_in_schema=False)
    app.include_router(api_router)
    install_error_handlers(app)
    return app


app = create_app()
