"""Demo tickets for 宁海: a few dozen complaints, reports and suggestions in every state.

Each story is played through the real ticket services at moments in the past (clock.frozen),
so timelines, deadlines, audit events and notifications look exactly as they would have.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.account import service as account_service
from app.account.service import Principal
from app.core import clock
from app.ticket import service as ticket_service
from app.ticket.models import Disposition, Rating, Ticket, TicketChannel
from app.ticket.schemas import ComplaintSubmission
from app.unit.models import Unit

WUFENG = "330226001001"  # 五丰社区 (跃龙街道)
CHEHE = "330226001002"  # 车河社区 (跃龙街道)
MINZHENG = "330226-D01"  # 宁海县民政局 (派驻第一纪检监察组)


@dataclass
class Story:
    """One ticket's life: who files it, where, and which steps follow (days ago → step)."""

    unit_code: str
    category: str
    content: str
    filed_days_ago: float
    channel: TicketChannel = TicketChannel.WEB
    real_name: tuple[str, str] | None = None  # (name, mobile)
    steps: list[tuple[float, str]] = field(default_factory=list)


def _principal(session: Session, username: str) -> Principal:
    user = account_service.get_user_by_username(session, username=username)
    if user is None:
        raise LookupError(f"demo account {username} is missing")
    return account_service.load_principal(session, user=user)


STORIES: list[Story] = [
    Story(
        WUFENG,
        "delay",
        "到社区开具居住证明，连续跑了三趟都说经办人不在，至今没有办好。",
        40,
        steps=[
            (39, "accept"),
            (38, "forward"),
            (35, "reply"),
            (33, "answer"),
            (31, "rate_satisfied"),
        ],
    ),
    Story(
        WUFENG,
        "attitude",
        "社区工作人员在窗口对前来咨询养老补贴的老人态度生硬，还大声呵斥。",
        30,
        channel=TicketChannel.HOTLINE,
        real_name=("王秀英", "13957400001"),
        steps=[
            (29, "accept"),
            (28, "forward"),
            (24, "reply"),
            (22, "answer"),
            (20, "rate_unsatisfied"),
        ],
    ),
    Story(
        CHEHE, "illegal_fees", "社区办理出租房屋登记时收取所谓工本费五十元，没有开具任何票据。", 0.5
    ),
    Story(
        CHEHE, "delay", "反映小区路灯损坏一个多月，多次向社区报修仍无人处理，夜间出行不安全。", 16
    ),
    Story(
        WUFENG,
        "graft",
        "社区某工作人员在低保申请审核中暗示需要请客送礼，否则材料不予上报。",
        25,
        channel=TicketChannel.LETTER,
        real_name=("李建国", "13857400002"),
        steps=[(20, "accept"), (18, "dispose_verify")],
    ),
    Story(
        WUFENG,
        "suggestion",
        "建议社区在周末开放便民服务窗口半天，方便上班族办理各类证明。",
        12,
        steps=[(11, "accept"), (3, "answer")],
    ),
    Story(
        CHEHE,
        "disclosure",
        "社区集体资产出租收益和去向一直没有在公开栏公布，群众不清楚。",
        9,
        steps=[(8, "accept")],
    ),
    Story(
        CHEHE,
        "disclosure",
        "社区集体资产出租的收入没有公开公示，希望公布租金收益情况。",
        7,
        steps=[(6, "merge_previous")],
    ),
    Story(
        WUFENG,
        "other",
        "反映邻居家装修噪音扰民，希望有关部门出面协调处理。",
        6,
        steps=[(5, "reject")],
    ),
    Story(
        CHEHE,
        "delay",
        "申请困难补助材料交上去快一个月了，没有任何消息，也不知道进展。",
        10,
        real_name=("陈美华", "13757400003"),
        steps=[(9, "accept"), (8, "request_info")],
    ),
    Story(
        MINZHENG,
        "delay",
        "向民政局提交的婚姻登记档案查询申请，超过承诺时限仍未答复。",
        14,
        channel=TicketChannel.API,
        steps=[(13, "accept_lead1"), (12, "forward_lead1"), (10, "unit_return")],
    ),
    Story(
        WUFENG,
        "attitude",
        "社区网格员上门登记时言语粗鲁，对老人不耐烦。",
        30,
        steps=[(29, "accept"), (27, "answer")],
    ),
    Story(
        CHEHE,
        "delay",
        "小区垃圾分类亭损坏后长期无人维修，垃圾堆放影响环境卫生。",
        28,
        channel=TicketChannel.VISIT,
        steps=[(27, "accept"), (26, "forward")],
    ),
]

# More routine tickets across 跃龙街道's villages and communities, for statistics and paging.
ROUTINE_TEXTS = [
    ("delay", "村里办理宅基地审批材料交了两个月还没有结果，希望加快办理。"),
    ("illegal_fees", "村里收取卫生费标准不透明，没有公示收费依据。"),
    ("disclosure", "村务公开栏内容长期没有更新，去年的财务收支至今未公布。"),
    ("attitude", "村委会工作人员办事推诿，让群众来回跑。"),
    ("suggestion", "建议村里在村口增设公交候车亭，方便老人出行。"),
    ("favouritism", "村里分配公益性岗位时优先照顾村干部亲属，群众有意见。"),
]


def seed_tickets(session: Session) -> int:
    """Play every story; returns how many tickets were filed. Idempotent: skips when any exist."""
    if session.exec(select(Ticket.id).limit(1)).first() is not None:
        return 0
    now = clock.now()
    filed: list[Ticket] = []
    for story in STORIES:
        filed.append(_play(session, story, now, filed))
    villages = session.exec(
        select(Unit)
        .where(col(Unit.code).like("330226001%"), col(Unit.code) != "330226001000")
        .order_by(col(Unit.code))
        .limit(18)
    ).all()
    for index, village in enumerate(villages):
        category, text = ROUTINE_TEXTS[index % len(ROUTINE_TEXTS)]
        steps: list[tuple[float, str]] = []
        age = 3 + (index * 5) % 50
        if index % 3 != 0:
            steps = [(age - 1, "accept"), (age - 2, "answer")]
            if category == "favouritism":  # a report: the lead approves a disposition first
                steps.insert(1, (age - 1.5, "dispose_verify"))
            if age > 12:
                steps.append((age - 4, "rate_satisfied" if index % 4 else "rate_basic"))
        story = Story(village.code, category, f"{village.name}：{text}", age, steps=steps)
        filed.append(_play(session, story, now, filed))
    # Overdue flags and closed-without-rating tickets, as the periodic tick would have left them.
    ticket_service.tick(session, now=now)
    return len(filed)


def _play(session: Session, story: Story, now: datetime, earlier: list[Ticket]) -> Ticket:
    member = _principal(session, "member.yuelong")
    lead = _principal(session, "lead.yuelong")
    with clock.frozen(now - timedelta(days=story.filed_days_ago)):
        name, mobile = story.real_name or ("", "")
        submission = ComplaintSubmission(
            unit_code=story.unit_code,
            category_code=story.category,
            content=story.content,
            is_anonymous=story.real_name is None,
            name=name,
            mobile=mobile,
        )
        staff_entered = story.channel in (
            TicketChannel.HOTLINE,
            TicketChannel.VISIT,
            TicketChannel.LETTER,
        )
        receipt = ticket_service.submit_ticket(
            session,
            submission=submission,
            channel=story.channel,
            attachments_in=[],
            principal=member if staff_entered else None,
        )
    ticket = receipt.ticket
    actions: dict[str, Callable[[], object]] = {
        "accept": lambda: ticket_service.accept(session, ticket=ticket, principal=member),
        "accept_lead1": lambda: ticket_service.accept(
            session, ticket=ticket, principal=_principal(session, "lead.paizhu1")
        ),
        "forward": lambda: ticket_service.forward(
            session,
            ticket=ticket,
            principal=member,
            summary="群众反映的问题请核实办理，并在期限内回复办理情况。",
        ),
        "forward_lead1": lambda: ticket_service.forward(
            session,
            ticket=ticket,
            principal=_principal(session, "lead.paizhu1"),
            summary="群众反映婚姻登记档案查询超期未复，请核实并回复。",
        ),
        "reply": lambda: ticket_service.unit_reply(
            session,
            ticket=ticket,
            principal=_principal(session, "editor.wufeng"),
            body="经核实情况属实，已当面向群众致歉并办结相关事项，对经办人员进行了批评教育。",
        ),
        "unit_return": lambda: ticket_service.unit_return(
            session,
            ticket=ticket,
            principal=_principal(session, "editor.minzheng"),
            reason="档案查询由县档案馆负责，不属于本局职责，请改派。",
        ),
        "answer": lambda: ticket_service.answer(
            session,
            ticket=ticket,
            principal=member,
            reply="经核实，相关单位已整改到位并向您说明情况，感谢您的监督。",
        ),
        "rate_satisfied": lambda: ticket_service.rate(
            session,
            ticket=ticket,
            rating=Rating.SATISFIED,
            resolved=True,
            comment="",
            code=receipt.code,
        ),
        "rate_basic": lambda: ticket_service.rate(
            session,
            ticket=ticket,
            rating=Rating.BASICALLY,
            resolved=True,
            comment="基本解决",
            code=receipt.code,
        ),
        "rate_unsatisfied": lambda: ticket_service.rate(
            session,
            ticket=ticket,
            rating=Rating.UNSATISFIED,
            resolved=False,
            comment="只是口头道歉，问题没有真正解决",
            code=receipt.code,
        ),
        "dispose_verify": lambda: (
            ticket_service.set_disposition(
                session, ticket=ticket, principal=member, disposition=Disposition.VERIFY
            ),
            ticket_service.approve_disposition(session, ticket=ticket, principal=lead),
        ),
        "merge_previous": lambda: ticket_service.merge(
            session, ticket=ticket, into=earlier[-1], principal=member, reason="同一问题重复反映"
        ),
        "reject": lambda: ticket_service.reject(
            session,
            ticket=ticket,
            principal=member,
            reason="所反映的邻里纠纷不属于小微权力监督范围，建议向社区调解委员会反映。",
        ),
        "request_info": lambda: ticket_service.request_info(
            session,
            ticket=ticket,
            principal=member,
            question="请补充提交困难补助申请的日期和经办人。",
        ),
    }
    for days_ago, step in story.steps:
        with clock.frozen(now - timedelta(days=days_ago)):
            actions[step]()
    return ticket
