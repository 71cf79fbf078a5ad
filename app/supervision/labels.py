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
