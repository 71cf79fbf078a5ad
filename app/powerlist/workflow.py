"""Allowed list-version transitions as data, with zh-CN labels; pure functions only."""

from enum import StrEnum

from app.core.errors import InvalidTransition
from app.powerlist.models import VERSION_STATUS_LABELS, VersionStatus


class Action(StrEnum):
    SUBMIT = "submit"  # editor: send the draft to the supervising team
    WITHDRAW = "withdraw"  # editor: take a submission back to keep editing
    APPROVE = "approve"  # team lead / admin: approve and publish
    RETURN = "return"  # reviewer: send back for changes, with a comment
    PUBLISH = "publish"  # admin: publish a standard list's draft without review
    SUPERSEDE = "supersede"  # system: a newer version was published


ACTION_LABELS: dict[Action, str] = {
    Action.SUBMIT: "提交审核",
    Action.WITHDRAW: "撤回",
    Action.APPROVE: "审核通过并发布",
    Action.RETURN: "退回修改",
    Action.PUBLISH: "直接发布",
    Action.SUPERSEDE: "被新版本替代",
}

# A returned version is a draft again; its review comment says what to change.
TRANSITIONS: dict[VersionStatus, dict[Action, VersionStatus]] = {
    VersionStatus.DRAFT: {
        Action.SUBMIT: VersionStatus.SUBMITTED,
        Action.PUBLISH: VersionStatus.PUBLISHED,
    },
    VersionStatus.SUBMITTED: {
        Action.APPROVE: VersionStatus.PUBLISHED,
        Action.RETURN: VersionStatus.DRAFT,
        Action.WITHDRAW: VersionStatus.DRAFT,
    },
    VersionStatus.PUBLISHED: {Action.SUPERSEDE: VersionStatus.SUPERSEDED},
    VersionStatus.SUPERSEDED: {},
}

# Actions that need more than a click.
COMMENT_REQUIRED = frozenset({Action.RETURN})


def allowed_actions(status: VersionStatus) -> list[Action]:
    """What may happen next to a version in `status`, in display order."""
    return list(TRANSITIONS[status])


def next_status(status: VersionStatus, action: Action, *, comment: str = "") -> VersionStatus:
    """The status after `action`, or InvalidTransition with a message for the user."""
    target = TRANSITIONS[status].get(action)
    if target is None:
        raise InvalidTransition(
            f"{VERSION_STATUS_LABELS[status]}状态的清单不能{ACTION_LABELS[action]}"
        )
    if action in COMMENT_REQUIRED and not comment.strip():
        raise InvalidTransition("退回修改时必须填写退回意见")
    return target
