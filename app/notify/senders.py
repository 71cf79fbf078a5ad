"""How messages leave: the log (default), SMTP, or an HTTP webhook in front of an SMS gateway."""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol

from app.config import Settings
from app.notify.models import Channel
from app.notify.service import mask_recipient

logger = logging.getLogger("xiaowei.notify")

SIGNATURE_HEADER = "X-Xiaowei-Signature"
TIMESTAMP_HEADER = "X-Xiaowei-Timestamp"
MESSAGE_ID_HEADER = "X-Xiaowei-Message-Id"


class SendError(Exception):
    """Delivery failed; `permanent` means retrying cannot help (e.g. the address was refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        """Deliver or raise SendError (any other exception counts as a transient failure)."""


class ConsoleSender:
    """Writes messages to the log: the default, so nothing leaves a test or demo machine."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        # The log is not a place for personal data: only the masked recipient appears.
        logger.info(
            "notification #%s via %s to %s: %s | %s",
            message_id,
            self.channel.value,
            mask_recipient(self.channel, to),
            subject,
            body,
        )


class SmtpSender:
    """E-mail through an SMTP relay, plain, STARTTLS or implicit TLS (SSL)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: Literal["none", "starttls", "ssl"],
        username: str,
        password: str,
        from_address: str,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from_address = from_address
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        email = EmailMessage()
        email["From"] = self.from_address
        email["To"] = to
        email["Subject"] = subject
        email["Message-ID"] = make_msgid(idstring=f"xiaowei-{message_id}")
        email.set_content(body)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=self.ssl_context)
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"SMTP 拒绝收件人：{_describe_refusal(exc)}", permanent=True) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"SMTP 登录失败：{exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP 发送失败：{type(exc).__name__}: {exc}") from exc

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _describe_refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    codes = sorted({code for code, _ in exc.recipients.values()})
    return ", ".join(str(code) for code in codes)


class WebhookSender:
    """POSTs {"to", "text"} as JSON to an SMS gateway adapter, signed with a shared secret.

    The receiver checks `X-Xiaowei-Signature: sha256=<hex>` = HMAC-SHA256(secret,
    "<timestamp>." + body) with the timestamp from `X-Xiaowei-Timestamp`, rejects old
    timestamps (replays), and may deduplicate retries by `X-Xiaowei-Message-Id`.
    """

    def __init__(self, *, url: str, secret: str, timeout: float) -> None:
        if not url.startswith(("https://", "http://")):
            # urllib would also open file:// and ftp:// URLs.
            raise ValueError("NOTIFY_WEBHOOK_URL must be an http(s) URL")
        self.url = url
        self.secret = secret.encode("utf-8")
        self.timeout = timeout

    def send(self, *, to: str, subject: str, body: str, message_id: int) -> None:
        payload: dict[str, str] = {"to": to, "text": body}
        if subject:
            payload["subject"] = subject
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            self.url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: "sha256=" + sign(self.secret, timestamp, data),
                MESSAGE_ID_HEADER: str(message_id),
                "User-Agent": "xiaowei-notify/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            # A 4xx means the gateway will never take this message (except rate limits and
            # timeouts); 5xx and network errors are worth retrying.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
            raise SendError(f"网关返回 HTTP {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"网关无法连接：{exc}") from exc


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The webhook signature (hex), over the timestamp and the exact body bytes."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sender_for(channel: Channel, settings: Settings) -> Sender:
    """The sender configured for a channel; staff notices always go to the log."""
    choice: str
    if channel == Channel.SMS:
        choice = settings.notify_sms_sender
    elif channel == Channel.EMAIL:
        choice = settings.notify_email_sender
    else:
        choice = "console"
    if choice == "smtp":
        return SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            from_address=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        )
    if choice == "webhook":
        return WebhookSender(
            url=settings.notify_webhook_url,
            secret=settings.notify_webhook_secret,
            timeout=settings.notify_webhook_timeout_seconds,
        )
    return ConsoleSender(channel)
