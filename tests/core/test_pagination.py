"""paginate(): the page's rows in the statement's order, and the total counted without sorting."""

from sqlalchemy import event
from sqlmodel import col, select

from app.core.pagination import paginate
from app.unit.models import Unit, UnitKind
from tests.factories import make_unit


def test_pages_follow_the_order_and_the_total_counts_every_row(session, engine):
    county = make_unit(session, name="分页县", kind=UnitKind.COUNTY)
    for number in range(5):
        make_unit(session, name=f"分页村{number}", parent=county)
    statement = (
        select(Unit)
        .where(col(Unit.path).like(f"{county.path}{county.id}/%"))
        .order_by(col(Unit.name).desc())
    )
    seen: list[str] = []

    def remember(_conn, _cursor, sql: str, *_args) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        page = paginate(session, statement, page=2, per_page=2)
    finally:
        event.remove(engine, "before_cursor_execute", remember)

    assert page.total == 5
    assert page.pages == 3
    assert [unit.name for unit in page.items] == ["分页村2", "分页村1"]
    [count_sql] = [sql for sql in seen if "count(" in sql.lower()]
    assert "ORDER BY" not in count_sql.upper()
