"""Senders against real local servers: SMTP (plain, STARTTLS, SSL) and a signed HTTP webhook."""

import hashlib
import hmac
import json
import logging
import socket
import time

import pytest

from app.config import Settings
from app.notify import senders
from app.notify.models import Channel
from app.notify.senders import ConsoleSender, SendError, SmtpSender, WebhookSender
from tests.notify.servers import http_endpoint, self_signed_certificate, smtp_server

SECRET = "shared-webhook-secret-0123456789"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def smtp(port: int, **options) -> SmtpSender:
    values = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "",
        "password": "",
        "from_address": "xiaowei@example.gov.cn",
        "timeout": 10.0,
    }
    values.update(options)
    return SmtpSender(**values)


def send(sender, to: str = "citizen@example.com") -> None:
    sender.send(
        to=to, subject="您反映的问题已受理（TS-1）", body="编号 TS-1 已受理。", message_id=7
    )


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- SMTP -------------------------------------------------------------------------------------


def test_smtp_delivers_a_chinese_message(certificate):
    with smtp_server() as (port, mailbox):
        send(smtp(port))
    [(sender, recipients, email)] = mailbox.messages
    assert sender == "xiaowei@example.gov.cn"
    assert recipients == ["citizen@example.com"]
    assert email["Subject"] == "您反映的问题已受理（TS-1）"
    assert email["To"] == "citizen@example.com"
    assert "xiaowei-7" in email["Message-ID"]
    assert email.get_content().strip() == "编号 TS-1 已受理。"


def test_smtp_starttls_with_login(certificate):
    with smtp_server(mode="starttls", tls=certificate.server_context(), users={"mailer": "pw"}) as (
        port,
        mailbox,
    ):
        send(
            smtp(
                port,
                security="starttls",
                username="mailer",
                password="pw",
                ssl_context=certificate.client_context(),
            )
        )
    assert mailbox.tls_used == [True]
    assert mailbox.logins == ["mailer"]
    assert len(mailbox.messages) == 1


def test_smtp_implicit_tls(certificate):
    with smtp_server(mode="ssl", tls=certificate.server_context()) as (port, mailbox):
        send(smtp(port, security="ssl", ssl_context=certificate.client_context()))
    assert mailbox.tls_used == [True]


def test_smtp_starttls_refuses_an_untrusted_certificate(certificate):
    with (
        smtp_server(mode="starttls", tls=certificate.server_context()) as (port, mailbox),
        pytest.raises(SendError) as caught,
    ):
        send(smtp(port, security="starttls"))  # default trust store: self-signed fails
    assert not caught.value.permanent
    assert mailbox.messages == []


def test_smtp_wrong_password_is_an_error(certificate):
    with (
        smtp_server(users={"mailer": "pw"}) as (port, mailbox),
        pytest.raises(SendError, match="登录失败"),
    ):
        send(smtp(port, username="mailer", password="wrong"))
    assert mailbox.messages == []


def test_smtp_refused_recipient_is_permanent():
    with smtp_server() as (port, mailbox), pytest.raises(SendError) as caught:
        send(smtp(port), to="refused@example.com")
    assert caught.value.permanent
    assert "550" in str(caught.value)
    assert mailbox.messages == []


def test_smtp_server_down_is_worth_retrying():
    with pytest.raises(SendError) as caught:
        send(smtp(unused_port()))
    assert not caught.value.permanent


# --- Webhook ----------------------------------------------------------------------------------


def test_webhook_posts_json_with_a_verifiable_signature():
    with http_endpoint() as endpoint:
        WebhookSender(url=endpoint.url, secret=SECRET, timeout=10).send(
            to="13812341234", subject="", body="编号 TS-1 已受理。", message_id=42
        )
    [request] = endpoint.requests
    assert request.path == "/sms"
    assert json.loads(request.body) == {"to": "13812341234", "text": "编号 TS-1 已受理。"}
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["X-Xiaowei-Message-Id"] == "42"
    timestamp = request.headers["X-Xiaowei-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 3600
    # What a gateway adapter does: recompute over "<timestamp>." + the exact body bytes.
    expected = hmac.new(
        SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(request.headers["X-Xiaowei-Signature"], f"sha256={expected}")
    wrong = hmac.new(b"another secret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Xiaowei-Signature"] != f"sha256={wrong}"


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (400, True)])
def test_webhook_errors_say_whether_retrying_helps(status, permanent):
    with http_endpoint() as endpoint:
        endpoint.status = status
        with pytest.raises(SendError, match=str(status)) as caught:
            WebhookSender(url=endpoint.url, secret=SECRET, timeout=10).send(
                to="13812341234", subject="", body="x", message_id=1
            )
    assert caught.value.permanent is permanent


def test_webhook_unreachable_is_worth_retrying():
    sender = WebhookSender(url=f"http://127.0.0.1:{unused_port()}/", secret=SECRET, timeout=5)
    with pytest.raises(SendError) as caught:
        sender.send(to="13812341234", subject="", body="x", message_id=1)
    assert not caught.value.permanent


def test_webhook_only_speaks_http():
    with pytest.raises(ValueError, match="http"):
        WebhookSender(url="file:///etc/passwd", secret=SECRET, timeout=5)


# --- Console and choice -----------------------------------------------------------------------


def test_console_sender_logs_without_the_full_phone_number(caplog):
    with caplog.at_level(logging.INFO, logger="xiaowei.notify"):
        ConsoleSender(Channel.SMS).send(
            to="13812341234", subject="受理告知", body="编号 TS-1 已受理。", message_id=3
        )
    [record] = caplog.records
    assert "138****1234" in record.getMessage()
    assert "13812341234" not in record.getMessage()
    assert "TS-1" in record.getMessage()


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_senders_follow_the_settings():
    chosen = settings(
        notify_sms_sender="webhook",
        notify_email_sender="smtp",
        notify_webhook_url="https://gateway.example/sms",
        notify_webhook_secret=SECRET,
    )
    assert isinstance(senders.sender_for(Channel.SMS, chosen), WebhookSender)
    assert isinstance(senders.sender_for(Channel.EMAIL, chosen), SmtpSender)
    assert isinstance(senders.sender_for(Channel.STAFF, chosen), ConsoleSender)
    default = settings()
    assert isinstance(senders.sender_for(Channel.SMS, default), ConsoleSender)
    assert isinstance(senders.sender_for(Channel.EMAIL, default), ConsoleSender)


def test_the_webhook_sender_needs_its_url_and_secret():
    with pytest.raises(ValueError, match="NOTIFY_WEBHOOK_URL"):
        settings(notify_sms_sender="webhook")
