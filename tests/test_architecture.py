"""Rules that keep the architecture honest, checked over the whole app instead of per feature.

Each test lists every offender, so a new route, template or package that breaks a house rule
fails here with its name.
"""

import ast
import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.config import PROJECT_ROOT
from app.main import app
from app.web.csrf import csrf_protect
from app.web.templating import templates

APP_DIR = PROJECT_ROOT / "app"
TEMPLATE_DIR = PROJECT_ROOT / "templates"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def api_routes() -> list[Any]:
    """Every endpoint as FastAPI resolves it, with its full path and dependency tree.

    Since FastAPI 0.16x `app.routes` holds included routers as wrappers; each wrapper's
    effective route contexts are the real endpoints (path with prefix, dependant, methods, name).
    """
    found: list[Any] = []
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "effective_route_contexts"):
            found.extend(route.effective_route_contexts())
    return found


def test_the_route_walk_sees_every_endpoint():
    # Guards the guards: if the walk ever returns nothing, every rule below passes vacuously.
    paths = {route.path for route in api_routes()}
    assert len(paths) > 100
    assert {"/staff", "/staff/tickets", "/api/v1/auth/token", "/units/{code}"} <= paths


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every callable in a route's dependency tree, depth first."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)


def describe(route: Any) -> str:
    return f"{','.join(sorted(route.methods))} {route.path} ({route.name})"


# --- (a) every /staff and /api route declares a permission or is deliberately public ----------


def test_every_staff_and_api_route_is_guarded():
    offenders = []
    for route in api_routes():
        if not route.path.startswith(("/staff", "/api")):
            continue
        calls = list(dependency_calls(route.dependant))
        guarded = any(hasattr(call, "required_permission") for call in calls)
        public = any(getattr(call, "is_public", False) for call in calls)
        if not (guarded or public):
            offenders.append(describe(route))
    assert not offenders, "routes without require(Permission.X) or PublicRoute:\n" + "\n".join(
        offenders
    )


def test_staff_routes_are_never_public():
    offenders = [
        describe(route)
        for route in api_routes()
        if route.path.startswith("/staff")
        and any(getattr(call, "is_public", False) for call in dependency_calls(route.dependant))
    ]
    assert not offenders, "PublicRoute is for open /api routes only:\n" + "\n".join(offenders)


def test_nothing_but_routes_lives_under_staff_and_api():
    # A mounted sub-application would bypass the dependency checks above.
    offenders = [
        getattr(route, "path", repr(route))
        for route in app.routes
        if not isinstance(route, APIRoute)
        and not hasattr(route, "effective_route_contexts")
        and getattr(route, "path", "").startswith(("/staff", "/api"))
    ]
    assert not offenders


def test_route_names_are_unique_and_dotted():
    names = [route.name for route in api_routes()]
    undotted = [describe(route) for route in api_routes() if "." not in route.name]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not undotted, "name routes 'area.screen.action':\n" + "\n".join(undotted)
    assert not duplicates, f"duplicate route names: {duplicates}"


# --- (b) CSRF protection is app-wide ----------------------------------------------------------


def test_csrf_dependency_is_installed_app_wide():
    assert any(dep.dependency is csrf_protect for dep in app.router.dependencies)


def test_every_unsafe_route_outside_api_is_csrf_protected():
    offenders = [
        describe(route)
        for route in api_routes()
        if route.methods & UNSAFE_METHODS
        and not route.path.startswith("/api/")
        and csrf_protect not in set(dependency_calls(route.dependant))
    ]
    assert not offenders, "unsafe routes without CSRF protection:\n" + "\n".join(offenders)


# --- (c) templates compile; (e) no |safe; house rules the CSP depends on ----------------------


def template_names() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATE_DIR)) for path in TEMPLATE_DIR.rglob("*.html"))


def template_source(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def test_every_template_compiles():
    failures = []
    for name in template_names():
        try:
            templates.env.get_template(name)
        except Exception as exc:  # report every broken template at once
            failures.append(f"{name}: {exc}")
    assert template_names()
    assert not failures, "\n".join(failures)


def test_templates_have_only_html_files():
    others = [
        str(path.relative_to(TEMPLATE_DIR))
        for path in TEMPLATE_DIR.rglob("*")
        if path.is_file() and path.suffix != ".html"
    ]
    assert not others, f"templates must end in .html (autoescape depends on it): {others}"


def test_no_safe_filter_or_disabled_autoescape_in_templates():
    pattern = re.compile(r"\|\s*safe\b|autoescape\s+false", re.IGNORECASE)
    offenders = [
        f"{name}:{number}: {line.strip()}"
        for name in template_names()
        for number, line in enumerate(template_source(name).splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_no_inline_script_style_or_event_handlers_in_templates():
    # The CSP (script-src/style-src 'self') would silently break any of these in the browser.
    patterns = {
        "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
        "<style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
        "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
        "inline event handler": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
        "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    }
    offenders = []
    for name in template_names():
        # Jinja comments may talk about these things; only markup counts.
        source = re.sub(r"\{#.*?#\}", "", template_source(name), flags=re.DOTALL)
        for number, line in enumerate(source.splitlines(), 1):
            for what, pattern in patterns.items():
                if pattern.search(line):
                    offenders.append(f"{name}:{number}: {what}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_every_template_starts_with_a_comment_naming_its_route():
    offenders = [
        name for name in template_names() if not template_source(name).lstrip().startswith("{#")
    ]
    assert not offenders, f"templates without a leading {{# ... #}} comment: {offenders}"


# --- (d) fragment blocks named in code exist in that template ---------------------------------


BLOCK_KEYWORDS = {"blocks", "block_names", "block_name"}


def block_references() -> Iterator[tuple[str, str, str]]:
    """(where, template, block) for every literal block name passed next to a literal template.

    Covers `render(request, "t.html", ctx, blocks=[...])` and
    `templates.TemplateResponse(request, "t.html", ctx, block_names=[...])`, including
    conditional expressions such as `["box"] if htmx else []`.
    """
    for path in sorted((APP_DIR / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            template = next(
                (
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.endswith(".html")
                ),
                None,
            )
            if template is None:
                continue
            for keyword in node.keywords:
                if keyword.arg not in BLOCK_KEYWORDS:
                    continue
                for inner in ast.walk(keyword.value):
                    if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                        where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
                        yield where, template, inner.value


def test_fragment_blocks_are_defined_in_the_page_template():
    references = list(block_references())
    assert references, "the scan found no render(..., blocks=[...]) call; is it still working?"
    offenders = []
    for where, template, block in references:
        try:
            defined = templates.env.get_template(template).blocks
        except Exception as exc:
            offenders.append(f"{where}: {template} does not load: {exc}")
            continue
        if block not in defined:
            offenders.append(f"{where}: block {block!r} is not defined in {template}")
    assert not offenders, "\n".join(offenders)


# --- (f) domain packages never import the web layer -------------------------------------------


def test_import_contract_covers_every_domain_package():
    """lint-imports enforces the contract; this makes sure a new package is added to it."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    forbidden_web = [
        contract
        for contract in contracts
        if contract["type"] == "forbidden" and "app.web" in contract["forbidden_modules"]
    ]
    assert len(forbidden_web) == 1
    contract = forbidden_web[0]
    assert {"fastapi", "starlette", "jinja2"} <= set(contract["forbidden_modules"])
    packages = {
        f"app.{path.parent.name}"
        for path in APP_DIR.glob("*/__init__.py")
        if path.parent.name != "web"
    }
    missing = packages - set(contract["source_modules"])
    assert not missing, f"add to [tool.importlinter] source_modules in pyproject.toml: {missing}"


def test_domain_packages_do_not_import_web_frameworks():
    """A quick direct check of the same rule, so `pytest` alone catches it too."""
    forbidden = ("app.web", "fastapi", "starlette", "jinja2", "jinja2_fragments")
    offenders = []
    for package in sorted(APP_DIR.glob("*/__init__.py")):
        if package.parent.name == "web":
            continue
        for path in sorted(package.parent.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                offenders.extend(
                    f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {name}"
                    for name in names
                    if any(name == f or name.startswith(f"{f}.") for f in forbidden)
                )
    assert not offenders, "\n".join(offenders)


def test_every_module_starts_with_a_docstring():
    offenders = []
    for path in sorted(APP_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if not source.strip():
            continue
        if ast.get_docstring(ast.parse(source)) is None:
            offenders.append(str(path.relative_to(PROJECT_ROOT)))
    assert not offenders, "modules without a one-line docstring:\n" + "\n".join(offenders)
