"""zh-CN labels for supervision statuses and codes, in one place (pages and exports use them)."""

from app.supervision.models import NoticeStatus, RectificationSource, RectificationStatus, TalkKind

NOTICE_STATUS_LABELS: dict[NoticeStatus, str] = {
    NoticeStatus.DRAFT: "草稿",
    NoticeStatus.ISSUED: "已下发待签收",
    NoticeStatus.SIGNED: "已签收整改中",
    NoticeStatus.RESPONDED: "已报送待审核",
    NoticeStatus.RETURNED: "已退回",
    NoticeStatus.ACCEPTED: "已通过",
}

RECTIFICATION_SOURCE_LABELS: dict[RectificationSource, str] = {
    RectificationSource.TICKET: "投诉举报",
    RectificationSource.NOTICE: "督办通知",
    RectificationSource.INSPECTION: "监督检查",
    RectificationSource.AUDIT: "审计发现",
    RectificationSource.MANUAL: "其他",
}

RECTIFICATION_STATUS_LABELS: dict[RectificationStatus, str] = {
    RectificationStatus.IN_PROGRESS: "整改中",
    RectificationStatus.SUBMITTED: "已整改待验收",
    RectificationStatus.VERIFIED: "已销号",
    RectificationStatus.OVERDUE: "逾期",
}

TALK_KIND_LABELS: dict[TalkKind, str] = {
    TalkKind.HEART: "谈心谈话",
    TalkKind.INTEGRITY: "廉政谈话",
}

OVERDUE_LABEL = "已逾期"

# Audit actions recorded by the supervision services (merged into app.audit.labels).
AUDIT_ACTION_LABELS: dict[str, str] = {
    "notice.drafted": "拟制督办通知书",
    "notice.updated": "修改督办通知书草稿",
    "notice.issued": "签发督办通知书",
    "notice.signed": "签收督办通知书",
    "notice.responded": "报送整改报告",
    "notice.accepted": "督办整改审核通过",
    "notice.returned": "退回整改报告",
    "notice.overdue": "督办通知书超期提醒",
    "notice.escalated": "督办通知书超期升级上级",
    "supervision.prefix_changed": "修改督办文号前缀",
    "rectification.created": "新增整改事项",
    "rectification.updated": "修改整改事项",
    "rectification.progressed": "登记整改进展",
    "rectification.submitted": "报送整改验收",
    "rectification.verified": "整改销号",
    "rectification.rejected": "整改验收不通过",
    "inspection.recorded": "登记监督检查",
    "talk.recorded": "登记谈话",
}

AUDIT_OBJECT_TYPE_LABELS: dict[str, str] = {
    "supervision_notice": "督办通知书",
    "supervision_rectification": "整改事项",
    "supervision_inspection": "监督检查",
    "supervision_talk": "谈话记录",
}
