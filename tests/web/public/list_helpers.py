"""Publishing lists for the public page tests through the real services (draft → approve)."""

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from app.core import clock
from app.powerlist import service
from app.powerlist.models import ListVersion
from app.powerlist.specs import ListContent, ListKind, NegativeSpec, RiskLevel, RiskSpec
from app.unit.models import Unit
from tests.factories import World
from tests.powerlist.factories import cadre_content, make_item, make_published, make_step


def duty_list(n: int = 3) -> ListContent:
    """Two categories, short step names (they stay one <text> in the flowchart), refs to the
    negative list, a high risk on the first item."""
    items = []
    for i in range(1, n + 1):
        item = make_item(
            f"1.{i}",
            f"事项{i}",
            category="集体管理" if i % 2 else "便民服务",
            negative_refs=["1"] if i == 1 else [],
        )
        items.append(item)
    items[0].steps = [
        make_step("受理申请", description="村委会受理并登记"),
        make_step("审核材料", kind="decision", reject_to=1, disclosure="审核结果张榜公示"),
        make_step("办结公开"),
    ]
    items[0].risks = [
        RiskSpec(description="优亲厚友", level=RiskLevel.HIGH, measure="村务监督委员会全程监督")
    ]
    return ListContent(kind=ListKind.DUTY, items=items)


def negative_list(n: int = 2) -> ListContent:
    return ListContent(
        kind=ListKind.NEGATIVE,
        negative_items=[
            NegativeSpec(
                number=str(i),
                act=f"不得违规行为{i}",
                basis="《村规民约》",
                consequence="批评教育",
                item_refs=["1.1"] if i == 1 else [],
            )
            for i in range(1, n + 1)
        ],
    )


def publish(
    session: Session,
    world: World,
    unit: Unit,
    content: ListContent,
    *,
    at: datetime | None = None,
) -> ListVersion:
    with clock.frozen(at or clock.now()):
        return make_published(
            session, unit=unit, editor=world.admin, lead=world.admin, content=content
        )


def publish_all(
    session: Session, world: World, unit: Unit, *, items: int = 3, at: datetime | None = None
) -> dict[ListKind, ListVersion]:
    return {
        content.kind: publish(session, world, unit, content, at=at)
        for content in (duty_list(items), cadre_content(items), negative_list(items))
    }


def republish(
    session: Session,
    world: World,
    unit: Unit,
    kind: ListKind,
    change: Callable[[ListContent], None],
    *,
    at: datetime | None = None,
) -> ListVersion:
    """A new version made from the current one (item keys kept) with `change` applied."""
    current = service.current_published(session, unit=unit, kind=kind)
    assert current is not None
    content = current.content.model_copy(deep=True)
    change(content)
    return publish(session, world, unit, content, at=at)
