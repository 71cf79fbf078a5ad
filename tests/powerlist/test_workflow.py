"""The list-version state machine: allowed transitions and zh-CN refusals."""

import pytest

from app.core.errors import InvalidTransition
from app.powerlist.models import VersionStatus
from app.powerlist.workflow import ACTION_LABELS, TRANSITIONS, Action, allowed_actions, next_status


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (VersionStatus.DRAFT, Action.SUBMIT, VersionStatus.SUBMITTED),
        (VersionStatus.DRAFT, Action.PUBLISH, VersionStatus.PUBLISHED),
        (VersionStatus.SUBMITTED, Action.APPROVE, VersionStatus.PUBLISHED),
        (VersionStatus.SUBMITTED, Action.WITHDRAW, VersionStatus.DRAFT),
        (VersionStatus.PUBLISHED, Action.SUPERSEDE, VersionStatus.SUPERSEDED),
    ],
)
def test_allowed_transitions(
    status: VersionStatus, action: Action, expected: VersionStatus
) -> None:
    assert next_status(status, action) == expected


def test_return_goes_back_to_draft_only_with_a_comment() -> None:
    assert next_status(VersionStatus.SUBMITTED, Action.RETURN, comment="请补充依据") == (
        VersionStatus.DRAFT
    )
    with pytest.raises(InvalidTransition, match="必须填写退回意见"):
        next_status(VersionStatus.SUBMITTED, Action.RETURN, comment="   ")


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (VersionStatus.DRAFT, Action.APPROVE),
        (VersionStatus.DRAFT, Action.RETURN),
        (VersionStatus.SUBMITTED, Action.SUBMIT),
        (VersionStatus.PUBLISHED, Action.SUBMIT),
        (VersionStatus.PUBLISHED, Action.APPROVE),
        (VersionStatus.SUPERSEDED, Action.SUPERSEDE),
        (VersionStatus.SUPERSEDED, Action.WITHDRAW),
    ],
)
def test_invalid_transitions_explain_in_chinese(status: VersionStatus, action: Action) -> None:
    with pytest.raises(InvalidTransition) as caught:
        next_status(status, action)
    assert ACTION_LABELS[action] in caught.value.message
    assert caught.value.message.endswith(ACTION_LABELS[action])


def test_every_status_and_action_is_labelled() -> None:
    assert set(TRANSITIONS) == set(VersionStatus)
    assert set(ACTION_LABELS) == set(Action)
    assert allowed_actions(VersionStatus.SUPERSEDED) == []
    assert allowed_actions(VersionStatus.SUBMITTED) == [
        Action.APPROVE,
        Action.RETURN,
        Action.WITHDRAW,
    ]
