"""Allowed notice transitions as data — which action leads where, and who may take it."""

from dataclasses import dataclass
from enum import StrEnum

from app.core.errors import InvalidTransition
from app.supervision.labels import NOTICE_STATUS_LABELS
from app.supervision.models import NoticeStatus as S


class Action(StrEnum):
    EDIT = "edit"  # change a draft
    ISSUE = "issue"  # 下发: number it and start the clock
    SIGN = "sign"  # 签收
    RESPOND = "respond"  # 报送整改报告 with evidence
    ACCEPT = "accept"  # 审核通过
    RETURN = "return"  # 退回 with reasons


class Role(StrEnum):
    """Who acts on a notice, relative to it (see policies.roles_on_notice)."""

    TEAM = "team"  # member or lead of the issuing team
    LEAD = "lead"  # lead of the issuing team
    UNIT = "unit"  # editor of the unit the notice is addressed to


ACTION_LABELS: dict[Action, str] = {
    Action.EDIT: "修改",
    Action.ISSUE: "下发",
    Action.SIGN: "签收",
    Action.RESPOND: "报送整改报告",
    Action.ACCEPT: "审核通过",
    Action.RETURN: "退回",
}


class ActionNotAllowed(InvalidTransition):
    """The transition exists, but not for this actor (answers 403, not 409)."""

    status_code = 403


@dataclass(frozen=True)
class Step:
    to: S
    by: frozenset[Role]


_TEAM = frozenset({Role.TEAM, Role.LEAD})
_LEAD = frozenset({Role.LEAD})
_UNIT = frozenset({Role.UNIT})

# Members draft notices; only the lead issues them and decides on the unit's report.
TRANSITIONS: dict[S, dict[Action, Step]] = {
    S.DRAFT: {Action.EDIT: Step(S.DRAFT, _TEAM), Action.ISSUE: Step(S.ISSUED, _LEAD)},
    S.ISSUED: {Action.SIGN: Step(S.SIGNED, _UNIT)},
    S.SIGNED: {Action.RESPOND: Step(S.RESPONDED, _UNIT)},
    S.RESPONDED: {Action.ACCEPT: Step(S.ACCEPTED, _LEAD), Action.RETURN: Step(S.RETURNED, _LEAD)},
    S.RETURNED: {Action.RESPOND: Step(S.RESPONDED, _UNIT)},
    S.ACCEPTED: {},
}

REASON_REQUIRED = frozenset({Action.RESPOND, Action.RETURN})


def allowed_actions(status: S, roles: set[Role] | frozenset[Role]) -> list[Action]:
    """What the holder of `roles` may do next to a notice in `status`, in display order."""
    return [action for action, step in TRANSITIONS[status].items() if step.by & roles]


def can(status: S, action: Action, roles: set[Role] | frozenset[Role]) -> bool:
    step = TRANSITIONS[status].get(action)
    return step is not None and bool(step.by & roles)


def transition(status: S, action: Action, roles: set[Role] | frozenset[Role]) -> S:
    """The status after `action`, or InvalidTransition (ActionNotAllowed for the wrong actor)."""
    step = TRANSITIONS[status].get(action)
    if step is None:
        raise InvalidTransition(
            f"“{NOTICE_STATUS_LABELS[status]}”状态的督办通知书不能{ACTION_LABELS[action]}"
        )
    if not step.by & roles:
        raise ActionNotAllowed(f"您无权对该督办通知书执行“{ACTION_LABELS[action]}”")
    return step.to
