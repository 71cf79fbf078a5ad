"""zh-CN labels for every ticket status and code, in one place (templates and the API use them)."""

from app.ticket.models import (
    Disposition,
    EntryKind,
    Rating,
    TicketChannel,
    TicketKind,
    TicketStatus,
    UnitStage,
)

KIND_LABELS: dict[TicketKind, str] = {
    TicketKind.REPORT: "检举控告",
    TicketKind.COMPLAINT: "投诉",
    TicketKind.SUGGESTION: "意见建议",
}

STATUS_LABELS: dict[TicketStatus, str] = {
    TicketStatus.SUBMITTED: "待受理",
    TicketStatus.ACCEPTED: "已受理",
    TicketStatus.REJECTED: "不予受理",
    TicketStatus.MERGED: "已合并",
    TicketStatus.IN_PROGRESS: "办理中",
    TicketStatus.WAITING_INFO: "待补充",
    TicketStatus.ANSWERED: "已答复",
    TicketStatus.RATED: "已评价",
    TicketStatus.CLOSED: "已办结",
}

CHANNEL_LABELS: dict[TicketChannel, str] = {
    TicketChannel.WEB: "网上提交",
    TicketChannel.HOTLINE: "来电",
    TicketChannel.VISIT: "来访",
    TicketChannel.LETTER: "来信",
    TicketChannel.API: "接口",
}

UNIT_STAGE_LABELS: dict[UnitStage, str] = {
    UnitStage.FORWARDED: "已转办，待单位办理",
    UnitStage.REPLIED: "单位已回复",
    UnitStage.RETURNED: "单位申请退回，待审核",
}

DISPOSITION_LABELS: dict[Disposition, str] = {
    Disposition.TALK: "谈话函询",
    Disposition.VERIFY: "初步核实",
    Disposition.SHELVE: "暂存待查",
    Disposition.CONCLUDE: "予以了结",
    Disposition.TRANSFER: "移送审查调查",
}

RATING_LABELS: dict[Rating, str] = {
    Rating.SATISFIED: "满意",
    Rating.BASICALLY: "基本满意",
    Rating.UNSATISFIED: "不满意",
}

ENTRY_KIND_LABELS: dict[EntryKind, str] = {
    EntryKind.SUBMITTED: "提交",
    EntryKind.ROUTED: "分派监督单位",
    EntryKind.STATUS_CHANGE: "状态变更",
    EntryKind.INTERNAL_NOTE: "内部备注",
    EntryKind.PUBLIC_REPLY: "答复",
    EntryKind.FORWARD: "转办",
    EntryKind.UNIT_REPLY: "单位回复",
    EntryKind.UNIT_RETURN: "单位退单",
    EntryKind.RETURN_REVIEW: "退单审核",
    EntryKind.INFO_REQUEST: "请补充材料",
    EntryKind.SUPPLEMENT: "补充材料",
    EntryKind.RATING: "评价",
    EntryKind.REVEAL: "查看身份信息",
    EntryKind.ASSIGNMENT: "指定承办人",
    EntryKind.DISPOSITION: "处置方式",
    EntryKind.MERGE: "合并",
    EntryKind.ESCALATION: "超期升级",
    EntryKind.FEEDBACK: "结果反馈",
    EntryKind.ATTACHMENT_RELEASE: "附件提供给单位",
}

# Closing reasons stored on the ticket (closed_reason).
CLOSED_RATED = "已评价"
CLOSED_UNRATED = "未评价"
CLOSED_AFTER_REOPEN = "重办后仍不满意"
CLOSED_BY_TEAM = "监督单位办结"

# What the citizen sees of a report's progress: the stage only, never the disposition (§6).
CITIZEN_STATUS_LABELS: dict[TicketStatus, str] = {
    **STATUS_LABELS,
    TicketStatus.IN_PROGRESS: "办理中",
    TicketStatus.WAITING_INFO: "待您补充材料",
}

# Audit action codes this package records, with their zh-CN labels (for the audit log page).
AUDIT_ACTION_LABELS: dict[str, str] = {
    "ticket.submitted": "提交投诉举报",
    "ticket.accepted": "受理工单",
    "ticket.rejected": "不予受理",
    "ticket.merged": "合并重复件",
    "ticket.started": "开始办理",
    "ticket.forwarded": "转办",
    "ticket.attachment_released": "附件提供给单位",
    "ticket.unit_replied": "单位回复",
    "ticket.unit_returned": "单位退单",
    "ticket.return_reviewed": "审核退单",
    "ticket.info_requested": "请求补充材料",
    "ticket.supplemented": "补充材料",
    "ticket.info_received": "恢复办理",
    "ticket.answered": "答复",
    "ticket.rated": "评价",
    "ticket.reopened": "重办",
    "ticket.closed": "办结",
    "ticket.assigned": "指定承办人",
    "ticket.disposition_set": "拟定处置方式",
    "ticket.disposition_approved": "批准处置方式",
    "ticket.identity_revealed": "查看举报人身份",
    "ticket.note_added": "添加内部备注",
    "ticket.fed_back": "记录结果反馈",
    "ticket.overdue": "工单超期",
    "ticket.escalated": "超期升级上级监督单位",
    "category.created": "新增投诉类别",
    "category.updated": "修改投诉类别",
}
