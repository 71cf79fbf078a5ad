"""Demo supervision for 宁海: notices, ledger entries, inspections and talks over ten months.

Played through the real services with the demo's accounts at moments in the past
(clock.frozen), so numbers, deadlines, audit events and the yearly figures ("共开展监督检查10次，
谈心谈话…人次，发现问题…条，已整改…条") look as they would have. Deterministic (no randomness,
everything relative to clock.now()) and skipped when any supervision record already exists.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.account import service as account_service
from app.account.service import Principal
from app.core import clock
from app.supervision import inspections, ledger, notices, numbering
from app.supervision.inspections import Finding
from app.supervision.models import (
    Inspection,
    Rectification,
    RectificationSource,
    SupervisionNotice,
    Talk,
    TalkKind,
)
from app.ticket.models import Ticket, TicketKind, TicketStatus
from app.ticket.queries import overdue_clause
from app.unit.models import Team, Unit

YUELONG = "跃龙街道纪工委"
XIDIAN = "西店镇纪委"
PAIZHU1 = "县纪委监委派驻第一纪检监察组"
COUNTY = "宁海县纪委监委"

WUFENG, CHEHE, BEIXING, ZHENGXUE, XIANQIAN = (
    "330226001001",
    "330226001002",
    "330226001003",
    "330226001004",
    "330226001005",
)
YUELONG_TOWN = "330226001000"
XIDIAN_TOWN, ZHENZHONG, CUIJIA, WANGJIA, JIYI = (
    "330226111000",
    "330226111001",
    "330226111201",
    "330226111202",
    "330226111210",
)
MINZHENG, FULI, JINGLAOYUAN = "330226-D01", "330226-I01", "330226-I02"

# Who reports progress for a unit: its editor, or the team itself where the demo has none.
REPORTERS = {
    WUFENG: "editor.wufeng",
    MINZHENG: "editor.minzheng",
    FULI: "lead.paizhu1",
    JINGLAOYUAN: "lead.paizhu1",
}
TEAM_ACTORS = {  # (member who records, lead who decides)
    YUELONG: ("member.yuelong", "lead.yuelong"),
    XIDIAN: ("lead.xidian", "lead.xidian"),
    PAIZHU1: ("member.paizhu1", "lead.paizhu1"),
    COUNTY: ("lead.county", "lead.county"),
}


class _Demo:
    """Looks up accounts, units and teams once, and freezes the clock at a day in the past."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._people: dict[str, Principal] = {}
        self._units: dict[str, Unit] = {}
        self._teams: dict[str, Team] = {}

    def who(self, username: str) -> Principal:
        if username not in self._people:
            user = account_service.get_user_by_username(self.session, username=username)
            if user is None:
                raise LookupError(f"demo account {username} is missing")
            self._people[username] = account_service.load_principal(self.session, user=user)
        return self._people[username]

    def unit(self, code: str) -> Unit:
        if code not in self._units:
            found = self.session.exec(select(Unit).where(col(Unit.code) == code)).first()
            if found is None:
                raise LookupError(f"demo unit {code} is missing")
            self._units[code] = found
        return self._units[code]

    def unit_id(self, code: str) -> int:
        unit_id = self.unit(code).id
        assert unit_id is not None
        return unit_id

    def team_id(self, name: str) -> int:
        if name not in self._teams:
            found = self.session.exec(select(Team).where(col(Team.name) == name)).first()
            if found is None:
                raise LookupError(f"demo team {name} is missing")
            self._teams[name] = found
        team_id = self._teams[name].id
        assert team_id is not None
        return team_id

    def reporter(self, code: str, team: str) -> Principal:
        if code in REPORTERS:
            return self.who(REPORTERS[code])
        if code.startswith("330226001"):
            return self.who("editor.yuelong")  # 跃龙街道 and everything below it
        return self.who(TEAM_ACTORS[team][0])

    def day(self, days_ago: float) -> date:
        return clock.to_local(self.now - timedelta(days=days_ago)).date()

    @contextmanager
    def at(self, days_ago: float) -> Iterator[None]:
        with clock.frozen(self.now - timedelta(days=days_ago)):
            yield


# --- Ledger entries: how far each got --------------------------------------------------------


@dataclass(frozen=True)
class Life:
    """What happens to an entry after it is created `age` days ago (deadline: `days` later)."""

    stage: str  # open / progress / submitted / rejected / verified
    days: int = 30


PUBLIC_SUMMARIES = {
    "公开": "村务、财务公开栏已恢复按月更新，近期收支明细已补充公开。",
    "低保": "低保评议已按程序重新组织并张榜公示，评议记录已归档备查。",
    "收费": "无依据收费已停止并退还群众，收费项目和标准已在公开栏公示。",
    "拖延": "办事流程已明确承诺时限并公开，窗口实行首问负责和限时办结。",
    "态度": "窗口人员已接受教育整改，服务规范和监督电话已在窗口公示。",
    "资产": "集体资产出租已重新公开招租，租金收支已纳入村务公开。",
    "工程": "小额工程已补办公开比选手续，工程资料已归档并公示结算情况。",
    "台账": "相关台账已补齐并建立专人管理、定期核对制度。",
}


def _summary(problem: str) -> str:
    for key, text in PUBLIC_SUMMARIES.items():
        if key in problem:
            return text
    return "问题已整改到位，相关制度已完善并公开。"


def _live(demo: _Demo, entry: Rectification, team: str, age: float, life: Life) -> None:
    """Play an entry's progress, submission, rejection or 销号 at sensible days after `age`."""
    if life.stage == "open":
        return
    assert entry.id is not None
    session = demo.session
    unit = demo.session.get(Unit, entry.unit_id)
    assert unit is not None
    reporter = demo.reporter(unit.code, team)
    lead = demo.who(TEAM_ACTORS[team][1])
    # Progress, submission and the decision a quarter of the time allowed apart (on time).
    step = min(age, life.days) / 4
    with demo.at(age - step):
        ledger.add_progress(
            session,
            principal=reporter,
            entry_id=entry.id,
            body="已召开专题会议研究整改，明确责任人和完成时限，正在逐项落实。",
        )
    if life.stage == "progress":
        return
    with demo.at(age - 2 * step):
        ledger.submit_rectification(
            session,
            principal=reporter,
            entry_id=entry.id,
            completion="已按整改措施逐项完成，相关照片和制度文件已留存。",
        )
    if life.stage == "submitted":
        return
    if life.stage == "rejected":
        with demo.at(age - 3 * step):
            ledger.reject_rectification(
                session,
                principal=lead,
                entry_id=entry.id,
                reason="整改佐证材料不全，请补充整改前后对比照片和公示材料。",
            )
        return
    with demo.at(age - 3 * step):
        ledger.verify_rectification(
            session,
            principal=lead,
            entry_id=entry.id,
            note="经实地核查，整改到位，同意销号。",
            public_summary=_summary(entry.problem),
        )


def _entry(
    demo: _Demo,
    team: str,
    code: str,
    problem: str,
    age: float,
    life: Life,
    *,
    source: RectificationSource = RectificationSource.MANUAL,
    measures: str = "",
) -> Rectification:
    member = demo.who(TEAM_ACTORS[team][0])
    with demo.at(age):
        entry = ledger.create_rectification(
            demo.session,
            principal=member,
            team_id=demo.team_id(team),
            unit_id=demo.unit_id(code),
            problem=problem,
            deadline=demo.day(age) + timedelta(days=life.days),
            source=source,
            responsible_person="主要负责人",
            measures=measures or "制定整改方案，明确责任人，限期整改到位。",
        )
    _live(demo, entry, team, age, life)
    return entry


# --- Notices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeStory:
    team: str
    unit_code: str
    title: str
    problems: str
    issued_days_ago: float | None  # None: still a draft
    steps: tuple[str, ...] = ()  # sign, respond, return, accept — a few days apart
    deadline_days: int = 10
    ledger: Life | None = None  # the ledger entry made from the notice


NOTICE_STORIES = (
    NoticeStory(YUELONG, WUFENG, "关于督促规范低保评议程序的通知",
                "1. 低保评议未按规定召开评议会\n2. 评议结果未张榜公示",
                285, ("sign", "respond", "accept"), ledger=Life("verified")),
    NoticeStory(YUELONG, CHEHE, "关于督促整改集体资产出租不公开问题的通知",
                "1. 集体资产出租未公开招租\n2. 租金收支未纳入村务公开",
                210, ("sign", "respond", "return", "respond", "accept"), ledger=Life("verified")),
    NoticeStory(YUELONG, BEIXING, "关于督促及时更新村务公开栏的通知",
                "村务公开栏长期未更新，财务收支未按季度公开", 120, ("sign", "respond"),
                ledger=Life("submitted", 40)),
    NoticeStory(YUELONG, ZHENGXUE, "关于督促整改办事拖延问题的通知",
                "居民反映开具证明多次往返，办事拖延", 60, ("sign",),
                ledger=Life("progress", 20)),
    NoticeStory(YUELONG, XIANQIAN, "关于督促规范小额工程管理的通知",
                "小额工程未履行公开比选程序", 35, ("sign", "respond", "return")),
    NoticeStory(YUELONG, WUFENG, "", "窗口工作人员服务态度问题", None),
    NoticeStory(XIDIAN, CUIJIA, "关于督促整改违规收费问题的通知",
                "办理农村建房审批时收取无依据费用", 45, (), ledger=Life("open", 15)),
    NoticeStory(XIDIAN, WANGJIA, "", "村务公开不及时", None),
    NoticeStory(PAIZHU1, MINZHENG, "关于督促规范临时救助审批的通知",
                "1. 临时救助审批超时限\n2. 审批材料不齐全", 160, ("sign", "respond", "accept"),
                ledger=Life("verified")),
    NoticeStory(PAIZHU1, MINZHENG, "关于督促整改婚姻登记档案查询超期问题的通知",
                "群众反映婚姻登记档案查询超过承诺时限", 20, ("sign",), deadline_days=15),
    NoticeStory(COUNTY, YUELONG_TOWN, "关于督促加强社区小微权力监督的通知",
                "部分社区小微权力清单公开不到位，监督台账不健全", 95,
                ("sign", "respond", "accept"), ledger=Life("verified", 45)),
)  # fmt: skip

STEP_GAP_DAYS = 4
PREFIXES = {COUNTY: "宁纪督", YUELONG: "跃纪工督", XIDIAN: "西纪督", PAIZHU1: "宁纪派一督"}


def _notice(demo: _Demo, story: NoticeStory) -> SupervisionNotice:
    session = demo.session
    member, lead = (demo.who(name) for name in TEAM_ACTORS[story.team])
    start = story.issued_days_ago if story.issued_days_ago is not None else 3
    with demo.at(start + 1):
        notice = notices.create_notice(
            session,
            principal=member,
            team_id=demo.team_id(story.team),
            unit_id=demo.unit_id(story.unit_code),
            problems=story.problems,
            requirements="请认真核查，逐项整改，并在期限内书面报送整改情况及佐证材料。",
            deadline_days=story.deadline_days,
            title=story.title,
        )
    assert notice.id is not None
    if story.issued_days_ago is None:
        return notice
    with demo.at(start):
        notices.issue_notice(session, principal=lead, notice_id=notice.id)
    if story.ledger is not None:
        with demo.at(start - 0.5):
            entry = ledger.create_from_notice(
                session,
                principal=member,
                notice_id=notice.id,
                deadline=demo.day(start) + timedelta(days=story.ledger.days),
                measures="按督办通知书要求逐项整改。",
            )
        _live(demo, entry, story.team, start - 0.5, story.ledger)
    unit = demo.reporter(story.unit_code, story.team)
    for index, step in enumerate(story.steps, start=1):
        with demo.at(max(start - index * STEP_GAP_DAYS, 0.1)):
            if step == "sign":
                notices.sign_notice(session, principal=unit, notice_id=notice.id)
            elif step == "respond":
                notices.respond_notice(
                    session,
                    principal=unit,
                    notice_id=notice.id,
                    report="已对照督办通知书逐项整改，整改情况和佐证材料如下。",
                )
            elif step == "return":
                notices.return_notice(
                    session,
                    principal=lead,
                    notice_id=notice.id,
                    reason="整改报告过于笼统，请补充具体整改措施和佐证材料。",
                )
            else:
                notices.accept_notice(
                    session, principal=lead, notice_id=notice.id, note="整改到位，同意办结。"
                )
    return notice


def _notice_for_overdue_ticket(demo: _Demo) -> SupervisionNotice | None:
    """签发 in one step for the oldest overdue complaint of 跃龙街道纪工委 (as the lead would)."""
    ticket = demo.session.exec(
        select(Ticket)
        .where(
            col(Ticket.team_id) == demo.team_id(YUELONG),
            col(Ticket.kind) == TicketKind.COMPLAINT,
            overdue_clause(demo.now),
        )
        .order_by(col(Ticket.created_at))
        .limit(1)
    ).first()
    if ticket is None or ticket.id is None:
        return None
    with demo.at(1):
        return notices.issue_notice_for_ticket(
            demo.session,
            principal=demo.who("lead.yuelong"),
            ticket_id=ticket.id,
            problems=f"工单 {ticket.number} 超过办理期限仍未办结。",
            requirements="请立即办理并答复群众，同时报送超期原因说明。",
            deadline_days=5,
            title="关于督促办理超期工单的通知",
        )


# --- Inspections, tickets, by hand ------------------------------------------------------------


@dataclass(frozen=True)
class InspectionStory:
    team: str
    days_ago: float
    subject: str
    units: tuple[str, ...]
    findings: tuple[tuple[str, str, Life], ...]  # (unit code, problem, life)


INSPECTIONS = (
    InspectionStory(YUELONG, 290, "社区“三务”公开专项检查", (WUFENG, CHEHE),
                    ((WUFENG, "财务公开栏未按季度公开收支明细", Life("verified")),
                     (CHEHE, "党务公开内容更新不及时", Life("verified")))),
    InspectionStory(PAIZHU1, 250, "临时救助资金发放情况检查", (MINZHENG, FULI),
                    ((MINZHENG, "临时救助审批台账不完整", Life("verified")),
                     (FULI, "救助物资发放签收手续不全", Life("verified")))),
    InspectionStory(XIDIAN, 230, "村级小额工程管理专项检查", (CUIJIA, WANGJIA, JIYI),
                    ((CUIJIA, "小额工程未履行公开比选程序", Life("verified")),
                     (JIYI, "工程结算资料未归档", Life("rejected", 40)))),
    InspectionStory(COUNTY, 200, "小微权力清单落实情况督查", (YUELONG_TOWN, XIDIAN_TOWN),
                    ((XIDIAN_TOWN, "镇级小微权力清单未及时更新", Life("verified")),)),
    InspectionStory(YUELONG, 170, "低保评议程序专项检查", (BEIXING, ZHENGXUE, XIANQIAN),
                    ((BEIXING, "低保评议会议记录不规范", Life("verified")),
                     (ZHENGXUE, "低保对象动态调整不及时", Life("verified")),
                     (XIANQIAN, "低保公示期不足7天", Life("progress", 60)))),
    InspectionStory(PAIZHU1, 130, "养老机构服务收费检查", (JINGLAOYUAN,),
                    ((JINGLAOYUAN, "部分收费项目未公示收费标准", Life("verified")),)),
    InspectionStory(XIDIAN, 100, "村集体资产出租检查", (ZHENZHONG, WANGJIA),
                    ((WANGJIA, "集体资产出租合同未经村民代表会议表决", Life("open", 45)),
                     (ZHENZHONG, "资产台账与实际不符", Life("submitted", 60)))),
    InspectionStory(YUELONG, 75, "便民服务窗口作风检查", (WUFENG, CHEHE),
                    ((CHEHE, "窗口人员上班时间离岗，群众办事拖延", Life("progress", 30)),
                     (WUFENG, "服务态度生硬，未落实首问负责制", Life("verified", 20)))),
    InspectionStory(COUNTY, 40, "基层监督工作台账检查", (XIDIAN_TOWN,),
                    ((XIDIAN_TOWN, "监督检查台账记录不完整", Life("progress", 60)),)),
    InspectionStory(YUELONG, 12, "社区集体资产管理检查", (BEIXING,), ()),
)  # fmt: skip

HAND_ENTRIES = (
    (YUELONG, XIANQIAN, "审计发现社区公益性岗位补贴发放依据不足", 180, Life("verified"),
     RectificationSource.AUDIT),
    (YUELONG, WUFENG, "群众反映社区收取出租房登记工本费", 140, Life("verified", 20),
     RectificationSource.MANUAL),
    (PAIZHU1, MINZHENG, "审计发现低保资金发放存在重复发放", 110, Life("rejected", 60),
     RectificationSource.AUDIT),
    (XIDIAN, JIYI, "村务监督委员会未按月开展监督", 80, Life("verified", 30),
     RectificationSource.MANUAL),
    (COUNTY, YUELONG_TOWN, "审计发现街道小额采购未履行询价程序", 50, Life("submitted", 60),
     RectificationSource.AUDIT),
    (YUELONG, CHEHE, "社区集体资产台账不完整", 25, Life("open", 10), RectificationSource.MANUAL),
    (XIDIAN, CUIJIA, "宅基地审批材料未公示", 8, Life("open", 30), RectificationSource.MANUAL),
)  # fmt: skip

ANSWERED_STATUSES = (TicketStatus.ANSWERED, TicketStatus.RATED, TicketStatus.CLOSED)
TICKET_LIVES = (Life("verified", 20), Life("verified"), Life("submitted"), Life("progress", 60),
                Life("open", 5), Life("rejected", 10))  # fmt: skip


def _inspection(demo: _Demo, story: InspectionStory) -> Inspection:
    member = demo.who(TEAM_ACTORS[story.team][0])
    with demo.at(story.days_ago):
        inspection, entries = inspections.record_inspection(
            demo.session,
            principal=member,
            team_id=demo.team_id(story.team),
            held_on=demo.day(story.days_ago),
            subject=story.subject,
            unit_ids=[demo.unit_id(code) for code in story.units],
            people="监督单位检查组；被检查单位主要负责人、经办人员",
            summary="查阅台账资料，实地走访，听取情况汇报，现场反馈发现的问题。",
            findings=[
                Finding(
                    unit_id=demo.unit_id(code),
                    problem=problem,
                    deadline=demo.day(story.days_ago) + timedelta(days=life.days),
                    responsible_person="主要负责人",
                    measures="对照问题逐项整改，建立长效机制。",
                )
                for code, problem, life in story.findings
            ],
        )
    for entry, (_code, _problem, life) in zip(entries, story.findings, strict=True):
        _live(demo, entry, story.team, story.days_ago, life)
    return inspection


def _ticket_entries(demo: _Demo) -> int:
    """Entries for problems that 跃龙 complaints confirmed, a day after the answer."""
    tickets = demo.session.exec(
        select(Ticket)
        .where(
            col(Ticket.team_id) == demo.team_id(YUELONG),
            col(Ticket.kind) == TicketKind.COMPLAINT,
            col(Ticket.status).in_(
                [TicketStatus.ANSWERED, TicketStatus.RATED, TicketStatus.CLOSED]
            ),
            col(Ticket.answered_at).is_not(None),
            col(Ticket.answered_at) < demo.now - timedelta(days=10),
        )
        .order_by(col(Ticket.answered_at).desc(), col(Ticket.id))
        .limit(len(TICKET_LIVES))
    ).all()
    member = demo.who(TEAM_ACTORS[YUELONG][0])
    for ticket, life in zip(tickets, TICKET_LIVES, strict=False):
        assert ticket.id is not None
        assert ticket.answered_at is not None
        age = (demo.now - ticket.answered_at).total_seconds() / 86400 - 1
        with demo.at(age):
            entry = ledger.create_from_ticket(
                demo.session,
                principal=member,
                ticket_id=ticket.id,
                problem=f"群众反映的问题经核实属实（工单 {ticket.number}）：办事拖延、公开不到位。",
                deadline=demo.day(age) + timedelta(days=life.days),
                responsible_person="社区主任",
                measures="向群众说明情况并致歉，规范办事流程，公开承诺时限。",
            )
        _live(demo, entry, YUELONG, age, life)
    return len(tickets)


# --- Talks ------------------------------------------------------------------------------------

TALKS = (
    (YUELONG, TalkKind.INTEGRITY, 300, "五丰社区党委书记\n五丰社区居委会主任", None),
    (YUELONG, TalkKind.HEART, 260, "车河社区新任委员", None),
    (PAIZHU1, TalkKind.INTEGRITY, 240, "县民政局社会救助科科长", MINZHENG),
    (XIDIAN, TalkKind.INTEGRITY, 225, "崔家村党支部书记\n崔家村村委会主任\n崔家村报账员", CUIJIA),
    (COUNTY, TalkKind.INTEGRITY, 190, "跃龙街道新任班子成员（5人）", YUELONG_TOWN),
    (YUELONG, TalkKind.HEART, 160, "北星社区工作人员", BEIXING),
    (PAIZHU1, TalkKind.HEART, 150, "县社会福利中心负责人", FULI),
    (XIDIAN, TalkKind.HEART, 120, "王家村村委会委员", WANGJIA),
    (YUELONG, TalkKind.INTEGRITY, 95, "正学社区书记\n县前社区书记", None),
    (PAIZHU1, TalkKind.INTEGRITY, 70, "县中心敬老院院长\n县中心敬老院会计", JINGLAOYUAN),
    (COUNTY, TalkKind.HEART, 55, "西店镇纪委书记", XIDIAN_TOWN),
    (XIDIAN, TalkKind.INTEGRITY, 33, "集义村新任村务监督委员会主任", JIYI),
    (YUELONG, TalkKind.HEART, 18, "五丰社区网格员\n车河社区网格员\n北星社区网格员", None),
    (PAIZHU1, TalkKind.HEART, 6, "县民政局新入职干部", MINZHENG),
)  # fmt: skip
# 跃龙街道新任班子成员 are counted as five people, although written on one line.
PERSON_COUNTS = {190: 5}


def _talk(
    demo: _Demo, team: str, kind: TalkKind, days_ago: int, people: str, code: str | None
) -> Talk:
    member = demo.who(TEAM_ACTORS[team][0])
    with demo.at(days_ago):
        return inspections.record_talk(
            demo.session,
            principal=member,
            team_id=demo.team_id(team),
            kind=kind,
            held_on=demo.day(days_ago),
            interviewees=people,
            person_count=PERSON_COUNTS.get(days_ago),
            interviewers="监督单位负责人",
            summary="提醒严格按小微权力清单用权，遵守廉洁纪律；了解思想和工作情况。",
            unit_id=demo.unit_id(code) if code else None,
        )


# --- Entry point ------------------------------------------------------------------------------


def _already_seeded(session: Session) -> bool:
    return any(
        session.exec(select(model.id).limit(1)).first() is not None
        for model in (SupervisionNotice, Rectification, Inspection, Talk)
    )


def seed_supervision(session: Session) -> dict[str, int]:
    """Play every story; returns what was made. Idempotent: skips once anything exists."""
    if _already_seeded(session):
        return {}
    demo = _Demo(session, clock.now())
    # Each team numbers its notices under its own 文号 prefix (notice numbers are unique
    # county-wide, and every team would otherwise start from the county default).
    first_year = demo.day(max(s.issued_days_ago or 0 for s in NOTICE_STORIES) + 1).year
    for team, prefix in PREFIXES.items():
        numbering.set_prefix(
            session, team_id=demo.team_id(team), prefix=prefix, actor=None, year=first_year
        )
    for inspection in INSPECTIONS:
        _inspection(demo, inspection)
    for notice in NOTICE_STORIES:
        _notice(demo, notice)
    for team, code, problem, age, life, source in HAND_ENTRIES:
        _entry(demo, team, code, problem, age, life, source=source)
    for talk in TALKS:
        _talk(demo, *talk)
    _ticket_entries(demo)
    _notice_for_overdue_ticket(demo)
    return {
        model.__name__: len(session.exec(select(model.id)).all())
        for model in (SupervisionNotice, Rectification, Inspection, Talk)
    }
