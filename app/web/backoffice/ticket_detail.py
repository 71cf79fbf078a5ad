"""What a ticket's staff page shows: the team's view with the forms its state allows, or the
handling unit's view (app.ticket.views decides what each audience may see)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from starlette.routing import NoMatchFound

from app.account.permissions import Permission
from app.account.service import Principal
from app.calendar.models import CLOCK_LABELS, DeadlineClock
from app.core import clock
from app.supervision import notices as notice_service
from app.supervision import policies as supervision_policies
from app.supervision.labels import NOTICE_STATUS_LABELS
from app.supervision.models import SupervisionNotice
from app.ticket import service as ticket_service
from app.ticket.labels import (
    CHANNEL_LABELS,
    DISPOSITION_LABELS,
    STATUS_LABELS,
    UNIT_STAGE_LABELS,
)
from app.ticket.models import (
    FINAL_STATUSES,
    TicketEntry,
    TicketKind,
    TicketStatus,
    UnitStage,
    Visibility,
)
from app.ticket.models import Ticket as TicketRow
from app.ticket.schemas import Identity
from app.ticket.service import ClockState, StaffView, UnitView
from app.ticket.workflow import Action
from app.ticket.workflow import Role as ActorRole
from app.web.backoffice.ticket_forms import FORM_PERMISSIONS, Forms

# Badge text and CSS modifier of each timeline visibility, so internal entries never look
# like something the citizen or the unit has read.
VISIBILITY_BADGES: dict[Visibility, tuple[str, str]] = {
    Visibility.PUBLIC: ("公开", "public"),
    Visibility.TEAM: ("内部", "team"),
    Visibility.UNIT: ("转办单位", "unit"),
    Visibility.CITIZEN: ("群众", "citizen"),
}

DISPOSITION_OPTIONS = [(d.value, text) for d, text in DISPOSITION_LABELS.items()]


@dataclass(frozen=True)
class ClockRow:
    """One of the ticket's clocks as the page lists it."""

    label: str
    due_at: datetime | None
    explanation: str
    done_at: datetime | None
    state: ClockState | None  # only for the clock that is running now

    @property
    def status(self) -> str:
        if self.state is not None:
            return "running"
        if self.done_at is not None:
            return "done"
        return "idle"


def clock_rows(ticket: TicketRow, running: ClockState | None) -> list[ClockRow]:
    """受理告知, 办结, 评价 and (real-name only) 结果反馈, with the running one's colour."""

    def state_for(which: DeadlineClock) -> ClockState | None:
        return running if running is not None and running.clock == which else None

    rows = [
        ClockRow(
            CLOCK_LABELS[DeadlineClock.ACKNOWLEDGE],
            ticket.ack_due_at,
            ticket.ack_due_explanation,
            ticket.acknowledged_at,
            state_for(DeadlineClock.ACKNOWLEDGE),
        ),
        ClockRow(
            CLOCK_LABELS[DeadlineClock.RESOLVE],
            running.due_at
            if running is not None and running.clock == DeadlineClock.RESOLVE
            else ticket.resolve_due_at,
            ticket.resolve_due_explanation,
            ticket.answered_at,
            state_for(DeadlineClock.RESOLVE),
        ),
        ClockRow(
            CLOCK_LABELS[DeadlineClock.RATING],
            ticket.rating_due_at,
            ticket.rating_due_explanation,
            ticket.rated_at or (ticket.closed_at if ticket.answered_at else None),
            state_for(DeadlineClock.RATING),
        ),
    ]
    if not ticket.is_anonymous:
        rows.append(
            ClockRow(
                CLOCK_LABELS[DeadlineClock.FEEDBACK],
                ticket.feedback_due_at,
                ticket.feedback_due_explanation,
                ticket.fed_back_at,
                state_for(DeadlineClock.FEEDBACK),
            )
        )
    return rows


def entry_visibilities(session: Session, ticket: TicketRow) -> dict[int, Visibility]:
    """Visibility of each timeline entry, for the team's badges (TimelineItem lacks it)."""
    rows = session.exec(
        select(TicketEntry.id, TicketEntry.visibility).where(
            col(TicketEntry.ticket_id) == ticket.id
        )
    ).all()
    return {entry_id: Visibility(visibility) for entry_id, visibility in rows if entry_id}


def team_forms(view: StaffView, principal: Principal) -> list[str]:
    """The action forms the ticket's state and the user's role allow, in page order."""
    ticket = view.ticket
    actions = set(view.actions)
    team = bool(view.roles & {ActorRole.TEAM, ActorRole.LEAD})
    lead = ActorRole.LEAD in view.roles
    final = ticket.status in FINAL_STATUSES
    forms: list[str] = []
    wanted = [
        ("accept", Action.ACCEPT in actions),
        (
            "review_return",
            Action.REVIEW_RETURN in actions and ticket.unit_stage == UnitStage.RETURNED,
        ),
        ("forward", Action.FORWARD in actions and ticket.unit_stage != UnitStage.RETURNED),
        ("start", Action.START in actions),
        ("release", team and not final and ticket.handling_unit_id is not None),
        ("request_info", Action.REQUEST_INFO in actions),
        ("receive_info", Action.RECEIVE_INFO in actions),
        ("disposition", team and not final and ticket.kind == TicketKind.REPORT),
        (
            "approve",
            lead
            and not final
            and ticket.disposition is not None
            and ticket.disposition_approved_at is None,
        ),
        ("answer", Action.ANSWER in actions),
        ("close", Action.CLOSE in actions),
        ("assign", view.can_assign),
        ("reject", Action.REJECT in actions),
        ("merge", Action.MERGE in actions),
        (
            "feedback",
            team
            and ticket.status == TicketStatus.CLOSED
            and not ticket.is_anonymous
            and ticket.fed_back_at is None,
        ),
        ("note", team),
    ]
    for name, shown in wanted:
        permission = FORM_PERMISSIONS.get(name, Permission.TICKET_TRIAGE)
        if shown and principal.can(permission):
            forms.append(name)
    if "release" in forms and not [a for a in view.attachments if not a.released_to_unit]:
        forms.remove("release")
    return forms


def primary_form(ticket: TicketRow, shown: list[str]) -> str:
    """The form to open first: the step the ticket is most likely waiting for."""
    waiting_for = ["accept", "review_return", "receive_info", "approve"]
    if ticket.unit_stage == UnitStage.REPLIED or (
        ticket.status == TicketStatus.IN_PROGRESS and ticket.handling_unit_id is None
    ):
        waiting_for.append("answer")
    if ticket.status == TicketStatus.ACCEPTED:
        waiting_for.append("disposition" if ticket.kind == TicketKind.REPORT else "forward")
    waiting_for += ["close", "feedback"]
    return next((name for name in waiting_for if name in shown), "")


def team_context(
    session: Session,
    principal: Principal,
    ticket: TicketRow,
    *,
    forms: Forms | None = None,
    notice: str = "",
    identity: Identity | None = None,
    reveal_errors: dict[str, str] | None = None,
    reveal_reason: str = "",
    oob: bool = False,
    now: datetime | None = None,
    notice_form: Forms | None = None,
) -> dict[str, Any]:
    moment = now or clock.now()
    view = ticket_service.staff_view(session, ticket=ticket, principal=principal, now=moment)
    shown = team_forms(view, principal)
    duplicates = (
        ticket_service.suspected_duplicates(session, ticket=ticket) if "merge" in shown else []
    )
    return {
        "principal": principal,
        "view": view,
        "ticket": ticket,
        "audience": "team",
        "forms": forms or Forms(),
        "shown_forms": shown,
        "primary_form": (forms.failed_form if forms else "") or primary_form(ticket, shown),
        "notice": notice,
        "clocks": clock_rows(ticket, view.clock),
        "running": view.clock,
        "visibility": entry_visibilities(session, ticket),
        "visibility_badges": VISIBILITY_BADGES,
        "duplicates": duplicates,
        "identity": identity,
        "reveal_errors": reveal_errors or {},
        "reveal_reason": reveal_reason,
        "is_lead": ActorRole.LEAD in view.roles,
        "citizen_attachments": [a for a in view.attachments if a.uploaded_by.value == "citizen"],
        "unreleased": [a for a in view.attachments if not a.released_to_unit],
        "disposition_options": DISPOSITION_OPTIONS,
        "disposition_labels": DISPOSITION_LABELS,
        "status_labels": STATUS_LABELS,
        "stage_labels": UNIT_STAGE_LABELS,
        "channel_label": CHANNEL_LABELS[ticket.channel],
        "is_report": ticket.kind == TicketKind.REPORT,
        "answer_blocked": ticket.kind == TicketKind.REPORT
        and ticket.disposition_approved_at is None,
        "oob": oob,
        "supervision": supervision_panel(session, principal, view, notice_form),
        "optional_url": optional_url,
    }


NOTICE_REQUIREMENTS = "请立即组织核查整改，依规办理群众反映的问题，并书面报告整改情况。"
NOTICE_DEADLINE_DAYS = 5


@dataclass(frozen=True)
class SupervisionPanel:
    """督办 on a ticket's page: the notices about it, and the one-step notice for its lead."""

    notices: list[tuple[SupervisionNotice, str]]  # notice, status label
    overdue: bool
    can_issue: bool  # the ticket's lead, on an overdue ticket still open
    can_draft: bool  # a member of the ticket's team
    form: Forms  # the one-step form "notice": its defaults, or the input kept after a 422


def supervision_panel(
    session: Session, principal: Principal, view: StaffView, form: Forms | None = None
) -> SupervisionPanel:
    ticket = view.ticket
    assert ticket.id is not None
    found = notice_service.notices_for_ticket(session, principal=principal, ticket_id=ticket.id)
    running_late = view.clock is not None and view.clock.progress.overdue
    overdue = ticket.status not in FINAL_STATUSES and (ticket.overdue_level > 0 or running_late)
    on_team = ticket.team_id in supervision_policies.team_ids(principal)
    summary = ticket.forward_summary or (ticket.content if ticket.kind != TicketKind.REPORT else "")
    return SupervisionPanel(
        notices=[(n, NOTICE_STATUS_LABELS[n.status]) for n in found],
        overdue=overdue,
        can_issue=overdue
        and ticket.team_id in principal.led_team_ids
        and principal.can(Permission.NOTICE_ISSUE),
        can_draft=on_team and principal.can(Permission.NOTICE_READ),
        form=form
        or Forms(
            values={
                "notice": {
                    "problems": f"工单 {ticket.number} 超期未办结。{summary}".strip(),
                    "requirements": NOTICE_REQUIREMENTS,
                    "deadline_days": NOTICE_DEADLINE_DAYS,
                }
            }
        ),
    )


def optional_url(request: Any, name: str, **params: Any) -> str:
    """The path of a route that another part of the app may not have added yet, else ""."""
    try:
        return str(request.url_for(name, **params).path)
    except NoMatchFound:
        return ""


def unit_forms(view: UnitView, principal: Principal) -> list[str]:
    if not principal.can(Permission.TICKET_HANDLE):
        return []
    forms = []
    if Action.UNIT_REPLY in view.actions:
        forms.append("unit_reply")
    if Action.UNIT_RETURN in view.actions:
        forms.append("unit_return")
    return forms


def unit_context(
    session: Session,
    principal: Principal,
    ticket: TicketRow,
    *,
    forms: Forms | None = None,
    notice: str = "",
    preview: bool = False,
    oob: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The handling unit's page; `preview` is the team checking what the unit is shown."""
    view = ticket_service.unit_view(session, ticket=ticket, principal=principal)
    state = ticket_service.clock_state(session, ticket, now=now or clock.now())
    return {
        "principal": principal,
        "view": view,
        "audience": "unit",
        "number": view.number,
        "forms": forms or Forms(),
        "shown_forms": [] if preview else unit_forms(view, principal),
        "notice": notice,
        # Only the resolve clock is the unit's business.
        "running": state if state is not None and state.clock == DeadlineClock.RESOLVE else None,
        "preview": preview,
        "oob": oob,
    }
