"""Factories for list content (specs) and for lists published through the real services."""

from sqlmodel import Session

from app.account.models import User
from app.powerlist import service
from app.powerlist.models import ListVersion, PowerList
from app.powerlist.specs import (
    CadreDutySpec,
    DisclosureSpec,
    ItemSpec,
    LegalBasisSpec,
    ListContent,
    ListKind,
    NegativeSpec,
    RiskLevel,
    RiskSpec,
    StepSpec,
    TimeUnit,
)
from app.unit.models import Unit


def make_step(name: str = "受理申请", *, time_limit: int | None = 2, **fields: object) -> StepSpec:
    return StepSpec.model_validate(
        {"name": name, "actor": "村委会", "time_limit": time_limit, **fields}
    )


def make_item(
    number: str = "1",
    name: str | None = None,
    *,
    steps: int = 3,
    risks: int = 1,
    key: str | None = None,
    **fields: object,
) -> ItemSpec:
    data: dict[str, object] = {
        "number": number,
        "name": name or f"事项{number}",
        "category": "便民服务",
        "responsible": "村委会主任",
        "legal_bases": [
            LegalBasisSpec(title="《中华人民共和国村民委员会组织法》", article="第二十四条")
        ],
        "steps": [make_step(f"步骤{i}") for i in range(1, steps + 1)],
        "time_limit": max(10, 2 * steps),  # the steps (2 working days each) must fit
        "time_unit": TimeUnit.WORKING,
        "materials": ["身份证", "户口簿"],
        "disclosure": DisclosureSpec(
            content="办理结果", deadline="办结后 5 日内", channel="村务公开栏"
        ),
        "risks": [
            RiskSpec(description=f"风险{i}", level=RiskLevel.MEDIUM, measure=f"措施{i}")
            for i in range(1, risks + 1)
        ],
        "accountability": "违反规定的，依纪依法追究责任",
        "key": key,
        **fields,
    }
    return ItemSpec.model_validate(data)


def duty_content(items: int = 3, *, steps: int = 3, risks: int = 1) -> ListContent:
    return ListContent(
        kind=ListKind.DUTY,
        items=[make_item(str(i), steps=steps, risks=risks) for i in range(1, items + 1)],
    )


def cadre_content(n: int = 2) -> ListContent:
    return ListContent(
        kind=ListKind.CADRE,
        cadre_duties=[
            CadreDutySpec(
                post=f"岗位{i}", person=f"张{i}", duties=["主持村委会工作"], phone="0574-1"
            )
            for i in range(1, n + 1)
        ],
    )


def negative_content(n: int = 2) -> ListContent:
    return ListContent(
        kind=ListKind.NEGATIVE,
        negative_items=[
            NegativeSpec(number=str(i), act=f"不得违规行为{i}", basis="《村规民约》")
            for i in range(1, n + 1)
        ],
    )


def content_for(kind: ListKind, n: int = 3) -> ListContent:
    if kind == ListKind.DUTY:
        return duty_content(n)
    if kind == ListKind.CADRE:
        return cadre_content(n)
    return negative_content(n)


def make_draft(
    session: Session,
    *,
    unit: Unit,
    actor: User,
    content: ListContent | None = None,
    kind: ListKind = ListKind.DUTY,
) -> ListVersion:
    """A draft of the unit's list of `kind`, filled with `content`."""
    kind = content.kind if content is not None else kind
    power_list = service.get_or_create_list(session, unit=unit, kind=kind, actor=actor)
    draft = service.create_draft(session, power_list=power_list, actor=actor)
    service.save_content(session, version=draft, content=content or content_for(kind), actor=actor)
    return draft


def make_published(
    session: Session,
    *,
    unit: Unit,
    editor: User,
    lead: User,
    content: ListContent | None = None,
    kind: ListKind = ListKind.DUTY,
) -> ListVersion:
    """Draft → submit (editor) → approve (lead): a published version, like in real life."""
    draft = make_draft(session, unit=unit, actor=editor, content=content, kind=kind)
    service.submit(session, version=draft, actor=editor)
    service.approve(session, version=draft, actor=lead)
    return draft


def list_of(session: Session, version: ListVersion) -> PowerList:
    return service.get_list(session, list_id=version.list_id)
