"""The transition table: where each action leads, and who may take it."""

import pytest

from app.core.errors import InvalidTransition
from app.ticket.models import FINAL_STATUSES, TicketStatus
from app.ticket.workflow import (
    TRANSITIONS,
    Action,
    ActionNotAllowed,
    Role,
    allowed_actions,
    transition,
)

S = TicketStatus
TEAM = frozenset({Role.TEAM})
LEAD = frozenset({Role.TEAM, Role.LEAD})


@pytest.mark.parametrize(
    ("status", "action", "roles", "target"),
    [
        (S.SUBMITTED, Action.ACCEPT, TEAM, S.ACCEPTED),
        (S.SUBMITTED, Action.REJECT, TEAM, S.REJECTED),
        (S.SUBMITTED, Action.MERGE, TEAM, S.MERGED),
        (S.ACCEPTED, Action.START, TEAM, S.IN_PROGRESS),
        (S.ACCEPTED, Action.FORWARD, TEAM, S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.FORWARD, TEAM, S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.UNIT_REPLY, frozenset({Role.UNIT}), S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.UNIT_RETURN, frozenset({Role.UNIT}), S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.REQUEST_INFO, TEAM, S.WAITING_INFO),
        (S.WAITING_INFO, Action.RECEIVE_INFO, frozenset({Role.CITIZEN}), S.IN_PROGRESS),
        (S.IN_PROGRESS, Action.ANSWER, TEAM, S.ANSWERED),
        (S.ANSWERED, Action.RATE, frozenset({Role.CITIZEN}), S.RATED),
        (S.ANSWERED, Action.EXPIRE_RATING, frozenset({Role.SYSTEM}), S.CLOSED),
        (S.ANSWERED, Action.CLOSE, LEAD, S.CLOSED),
        (S.RATED, Action.REOPEN, frozenset({Role.SYSTEM}), S.IN_PROGRESS),
        (S.RATED, Action.CLOSE, frozenset({Role.SYSTEM}), S.CLOSED),
    ],
)
def test_allowed_transitions(status, action, roles, target):
    assert transition(status, action, roles) == target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.SUBMITTED, Action.ANSWER),
        (S.SUBMITTED, Action.FORWARD),
        (S.ACCEPTED, Action.ACCEPT),
        (S.WAITING_INFO, Action.ANSWER),
        (S.ANSWERED, Action.FORWARD),
        (S.CLOSED, Action.REOPEN),
        (S.REJECTED, Action.ACCEPT),
    ],
)
def test_impossible_transitions_are_refused_in_chinese(status, action):
    with pytest.raises(InvalidTransition, match="状态的工单不能"):
        transition(status, action, LEAD | {Role.SYSTEM, Role.CITIZEN, Role.UNIT})


@pytest.mark.parametrize(
    ("status", "action", "roles"),
    [
        (S.SUBMITTED, Action.ACCEPT, frozenset({Role.UNIT})),
        (S.SUBMITTED, Action.ACCEPT, frozenset({Role.CITIZEN})),
        (S.IN_PROGRESS, Action.UNIT_REPLY, TEAM),
        (S.ANSWERED, Action.CLOSE, TEAM),  # a member may not close; the lead does
        (S.ANSWERED, Action.EXPIRE_RATING, LEAD),
        (S.ANSWERED, Action.RATE, frozenset({Role.UNIT})),
        (S.RATED, Action.REOPEN, TEAM),
    ],
)
def test_the_wrong_actor_gets_403(status, action, roles):
    with pytest.raises(ActionNotAllowed, match="无权") as raised:
        transition(status, action, roles)
    assert raised.value.status_code == 403
    assert isinstance(raised.value, InvalidTransition)


def test_final_statuses_allow_nothing():
    for status in FINAL_STATUSES:
        assert TRANSITIONS[status] == {}


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(TicketStatus)


def test_allowed_actions_depend_on_the_role():
    assert allowed_actions(S.SUBMITTED, TEAM) == [Action.ACCEPT, Action.REJECT, Action.MERGE]
    assert allowed_actions(S.SUBMITTED, frozenset({Role.UNIT})) == []
    assert Action.CLOSE in allowed_actions(S.ANSWERED, LEAD)
    assert Action.CLOSE not in allowed_actions(S.ANSWERED, TEAM)
