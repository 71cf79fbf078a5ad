"""A page of query results, counted in SQL."""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.sql import Select
from sqlmodel import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(
    session: Session, statement: Select[Any], *, page: int, per_page: int = 50
) -> Page[Any]:
    """Run `statement` for one page; `total` comes from a COUNT over the same query without
    its ORDER BY (the order cannot change how many rows there are, and sorting every row just
    to count them was most of the cost of large lists)."""
    page = max(1, page)
    unordered = statement.order_by(None).subquery()
    total = session.execute(select(func.count()).select_from(unordered)).scalar_one()
    rows = session.execute(statement.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)
