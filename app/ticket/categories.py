"""Complaint categories (吃拿卡要, 办事拖延 …): listed for the form, maintained by admins."""

import re
from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit_service
from app.audit.service import Actor
from app.core.errors import NotFound, ValidationFailed
from app.ticket.models import Category, TicketKind

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

# Seeded by the migration; kept here so tests and the demo name them without magic strings.
DEFAULT_CATEGORIES: list[tuple[str, str, TicketKind]] = [
    ("graft", "吃拿卡要", TicketKind.REPORT),
    ("favouritism", "优亲厚友", TicketKind.REPORT),
    ("embezzlement", "截留挪用", TicketKind.REPORT),
    ("illegal_fees", "违规收费", TicketKind.COMPLAINT),
    ("delay", "办事拖延", TicketKind.COMPLAINT),
    ("attitude", "服务态度", TicketKind.COMPLAINT),
    ("disclosure", "应公开未公开", TicketKind.COMPLAINT),
    ("suggestion", "意见建议", TicketKind.SUGGESTION),
    ("other", "其他", TicketKind.COMPLAINT),
]


def list_categories(session: Session, *, active_only: bool = True) -> list[Category]:
    statement = select(Category)
    if active_only:
        statement = statement.where(col(Category.is_active).is_(True))
    return list(session.exec(statement.order_by(col(Category.position), col(Category.id))).all())


def get_category(session: Session, *, category_id: int) -> Category:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound("类别不存在")
    return category


def get_category_by_code(session: Session, *, code: str) -> Category:
    category = session.exec(select(Category).where(col(Category.code) == code)).first()
    if category is None:
        raise NotFound("类别不存在")
    return category


def _validate(
    session: Session, category: Category | None, values: dict[str, Any]
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "code" in values:
        code = str(values["code"]).strip()
        if not _CODE.match(code):
            errors["code"] = "代码为 2–40 位小写字母、数字或下划线，以字母开头"
        elif session.exec(select(Category.id).where(col(Category.code) == code)).first():
            errors["code"] = "该代码已被使用"
        clean["code"] = code
    if "name" in values:
        name = " ".join(str(values["name"]).split())
        if not name or len(name) > 50:
            errors["name"] = "名称为 1–50 个字"
        else:
            statement = select(Category.id).where(col(Category.name) == name)
            if category is not None:
                statement = statement.where(col(Category.id) != category.id)
            if session.exec(statement).first():
                errors["name"] = "该名称已被使用"
        clean["name"] = name
    if "kind" in values:
        try:
            clean["kind"] = TicketKind(values["kind"])
        except ValueError:
            errors["kind"] = "请选择类型"
    if "description" in values:
        description = str(values["description"]).strip()
        if len(description) > 200:
            errors["description"] = "说明不能超过 200 字"
        clean["description"] = description
    if "position" in values:
        clean["position"] = int(values["position"])
    if "is_active" in values:
        clean["is_active"] = bool(values["is_active"])
    if errors:
        raise ValidationFailed(errors)
    return clean


def create_category(
    session: Session,
    *,
    actor: Actor | None,
    code: str,
    name: str,
    kind: TicketKind | str,
    description: str = "",
    position: int | None = None,
) -> Category:
    """Add a category (category:manage); audited as "category.created"."""
    if position is None:
        position = max((c.position for c in list_categories(session, active_only=False)), default=0)
        position += 10
    values = {
        "code": code,
        "name": name,
        "kind": kind,
        "description": description,
        "position": position,
    }
    clean = _validate(session, None, values)
    category = Category(**clean)
    session.add(category)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="category.created",
        object_type="ticket_category",
        object_id=category.code,
        data={key: getattr(value, "value", value) for key, value in clean.items()},
    )
    return category


def update_category(
    session: Session, *, category: Category, actor: Actor | None, **values: Any
) -> Category:
    """Change name, kind, description, position or the active flag (the code is permanent:
    deadline policies refer to it). Audited as "category.updated" with the changes."""
    unknown = set(values) - {"name", "kind", "description", "position", "is_active"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    clean = _validate(session, category, values)
    changes: dict[str, Any] = {}
    for key, value in clean.items():
        old = getattr(category, key)
        if old != value:
            changes[key] = {
                "from": getattr(old, "value", old),
                "to": getattr(value, "value", value),
            }
            setattr(category, key, value)
    if not changes:
        return category
    session.add(category)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="category.updated",
        object_type="ticket_category",
        object_id=category.code,
        data=changes,
    )
    return category
