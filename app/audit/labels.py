"""zh-CN wording of audit events: action labels, object types, data keys, and describe()."""

from typing import Any

from app.account.permissions import ROLE_LABELS, Role
from app.audit.models import AuditEvent
from app.supervision import labels as supervision_labels
from app.ticket import labels as ticket_labels

# Codes other domains record; an unknown code is shown as itself, so a missing label never
# hides an event.
ACTION_LABELS: dict[str, str] = {
    "account.logged_in": "登录系统",
    "account.logged_out": "退出登录",
    "account.login_failed": "登录失败",
    "account.user_created": "创建用户",
    "account.user_updated": "修改用户资料",
    "account.password_reset": "重置用户密码",
    "account.password_changed": "修改本人密码",
    "account.user_deactivated": "停用账号",
    "account.user_reactivated": "重新启用账号",
    "account.user_unlocked": "解除登录锁定",
    "account.role_granted": "授予角色",
    "account.role_revoked": "撤销角色",
    "unit.created": "新增单位",
    "unit.updated": "修改单位",
    "unit.moved": "调整单位隶属",
    "unit.deactivated": "停用单位",
    "unit.reactivated": "重新启用单位",
    "unit.imported": "导入区划单位",
    "team.created": "新增监督单位",
    "team.updated": "修改监督单位",
    "team.deactivated": "停用监督单位",
    "team.reactivated": "重新启用监督单位",
    "identity.revealed": "查看举报人身份",
    "unit.divisions_imported": "导入区划代码",
    "powerlist.list_created": "建立清单",
    "powerlist.draft_created": "新建清单草稿",
    "powerlist.draft_saved": "保存清单草稿",
    "powerlist.draft_discarded": "放弃清单草稿",
    "powerlist.item_added": "新增权力事项",
    "powerlist.item_updated": "修改权力事项",
    "powerlist.item_deleted": "删除权力事项",
    "powerlist.item_moved": "调整事项顺序",
    "powerlist.entry_added": "新增清单条目",
    "powerlist.entry_updated": "修改清单条目",
    "powerlist.entry_deleted": "删除清单条目",
    "powerlist.entry_moved": "调整条目顺序",
    "powerlist.submitted": "提交清单审核",
    "powerlist.withdrawn": "撤回清单审核",
    "powerlist.returned": "退回清单修改",
    "powerlist.published": "发布清单",
    "standardlist.created": "新建标准清单",
    "standardlist.published_to_units": "标准清单批量发布",
    "calendar.override_set": "设置日期调整",
    "calendar.override_deleted": "删除日期调整",
    "calendar.policy_updated": "修改办理时限",
    "calendar.policy_reset": "恢复默认办理时限",
    "notify.retried": "重新发送通知",
    "stats.formula_updated": "修改统计口径",
    **ticket_labels.AUDIT_ACTION_LABELS,
    **supervision_labels.AUDIT_ACTION_LABELS,
}

OBJECT_TYPE_LABELS: dict[str, str] = {
    "user": "用户",
    "unit": "单位",
    "team": "监督单位",
    "ticket": "工单",
    "powerlist": "清单",
    "notice": "督办通知书",
    "rectification": "整改事项",
    "ticket_category": "投诉类别",
    "calendar_override": "工作日历",
    "deadline_policy": "办理时限",
    "notification": "通知",
    "list_version": "清单版本",
    "power_list": "清单",
    "stats_formula": "统计口径",
    **supervision_labels.AUDIT_OBJECT_TYPE_LABELS,
}

DATA_KEY_LABELS: dict[str, str] = {
    "username": "用户名",
    "display_name": "姓名",
    "phone": "电话",
    "role": "角色",
    "unit_id": "单位 ID",
    "team_id": "监督单位 ID",
    "include_descendants": "含下级单位",
    "failures": "连续失败次数",
    "locked_until": "锁定至",
    "name": "名称",
    "code": "代码",
    "kind": "类型",
    "hotline": "监督电话",
    "parent_id": "上级 ID",
    "is_active": "启用",
    "reason": "理由",
    "satisfied_includes_basically": "基本满意计入满意",
    "resolved_from_rating": "解决率按评价计算",
    "response_counts_rejections": "按时不予受理视为响应",
    "unrated_counts_as_satisfied": "未评价视为满意",
}


_ROLE_VALUES = {role.value for role in Role}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def describe(event: AuditEvent) -> str:
    """One zh-CN sentence for the log: the action plus the detail that matters most."""
    text = action_label(event.action)
    data = event.data or {}
    role = data.get("role")
    if event.action in ("account.role_granted", "account.role_revoked") and isinstance(role, str):
        return f"{text}：{_value('role', role)}"
    if event.action == "account.user_created" and data.get("username"):
        return f"{text} {data['username']}"
    if event.action == "account.login_failed" and data.get("locked_until"):
        return f"{text}，账号被临时锁定"
    return text


def object_label(event: AuditEvent) -> str:
    if not event.object_type:
        return ""
    kind = OBJECT_TYPE_LABELS.get(event.object_type, event.object_type)
    return f"{kind} #{event.object_id}" if event.object_id else kind


def data_items(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's data as (zh-CN key, readable value) pairs, in recorded order."""
    return [
        (DATA_KEY_LABELS.get(key, key), _value(key, value)) for key, value in event.data.items()
    ]


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role" and isinstance(value, str) and value in _ROLE_VALUES:
        return ROLE_LABELS[Role(value)]
    if isinstance(value, list | tuple):
        return "、".join(_value(key, item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{DATA_KEY_LABELS.get(k, k)}：{_value(k, v)}" for k, v in value.items())
    return str(value)
