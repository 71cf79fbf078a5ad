"""zh-CN labels of notification channels and delivery states (one mapping for every screen)."""

from app.notify.models import Channel, OutboxStatus

CHANNEL_LABELS: dict[Channel, str] = {
    Channel.SMS: "短信",
    Channel.EMAIL: "电子邮件",
    Channel.STAFF: "站内/日志",
}

STATUS_LABELS: dict[OutboxStatus, str] = {
    OutboxStatus.PENDING: "待发送",
    OutboxStatus.SENDING: "发送中",
    OutboxStatus.SENT: "已发送",
    OutboxStatus.FAILED: "失败待重试",
    OutboxStatus.DEAD: "已停止重试",
}

# CSS badge modifier per state (components in static/css/app.css).
STATUS_BADGES: dict[OutboxStatus, str] = {
    OutboxStatus.PENDING: "badge-grey",
    OutboxStatus.SENDING: "badge-grey",
    OutboxStatus.SENT: "badge-success",
    OutboxStatus.FAILED: "badge-warning",
    OutboxStatus.DEAD: "badge-danger",
}
